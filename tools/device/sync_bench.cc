// facepass-sync-bench: bytes on the wire and time of device syncs against the
// real server, for docs/performance.md ("Device sync").
//
//   facepass-sync-bench --server-bin build/tools/facepass/facepass --models-dir models
//                       [--faces 10000] [--changes 10] [--reps 3] [--work-dir /tmp/x]
//
// 1. Seeds a fresh data directory through the server's own store (fp_store):
//    `faces` random unit features bound to group bench_main, `changes/2`
//    spare faces bound to bench_spare (enrolling 10,000 photos would take an
//    hour of CPU; sync never looks at images).
// 2. Starts `facepass serve` on it and waits until it answers.
// 3. FULL: `reps` fresh devices sync bench_main in each format (1: the
//    spec's float32 stream; 2: labels and float16 features, issue 29).
// 4. INCREMENTAL: unbinds changes/2 faces of bench_main and binds the
//    changes/2 spare faces (tokens learnt by a helper device), then the
//    last device (format 2) syncs again: only those changes travel.
// 5. NONE: one more sync with nothing changed.
// Server time comes from the server's request log ("... 200 0 12ms ...").
// Every face carries a label ("person 000042") so format 2's bytes include
// them. Prints a JSON report, then a table of medians.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/device.h"
#include "common/clock.h"
#include "server_child.h"
#include "store/database.h"

namespace {

namespace fs = std::filesystem;
using namespace facepass;
using namespace facepass::client;

Status Seed(const fs::path& db_file, int faces, int spare, int dim) {
  auto db = store::Database::Open(db_file);
  if (!db.ok()) return db.status();
  auto main_group = (*db)->CreateGroup("bench_main", NowMs());
  if (!main_group.ok()) return main_group.status();
  auto spare_group = (*db)->CreateGroup("bench_spare", NowMs());
  if (!spare_group.ok()) return spare_group.status();
  std::mt19937 rng(7);
  std::normal_distribution<float> n01;
  std::vector<float> f(static_cast<size_t>(dim));
  for (int i = 0; i < faces + spare; ++i) {
    double norm = 0;
    for (float& v : f) {
      v = n01(rng);
      norm += double{v} * v;
    }
    for (float& v : f) v = static_cast<float>(v / std::sqrt(norm));
    auto image = (*db)->InsertImage(store::ImageKind::kEnrol, "jpeg", "bench/none.jpg", 0, 640, 480, NowMs());
    if (!image.ok()) return image.status();
    char label[32];
    std::snprintf(label, sizeof(label), "person %06d", i);
    auto face = (*db)->InsertFace(*image, {100, 100, 300, 300}, NowMs(), f, std::string(label));
    if (!face.ok()) return face.status();
    auto bound = (*db)->Bind(i < faces ? main_group->id : spare_group->id, *face, NowMs());
    if (!bound.ok()) return bound.status();
  }
  return Status::OK();
}

// Times ("12ms") of the sync requests in the server log, in order.
std::vector<double> ServerSyncMs(const fs::path& log) {
  std::ifstream in(log);
  std::string line;
  std::vector<double> out;
  std::regex re(R"(POST /api/service/sync/v1 200 \S+ ([0-9.]+)ms)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, re)) out.push_back(std::stod(m[1]));
  }
  return out;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Fail(const Status& s) {
  std::cerr << "facepass-sync-bench: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Device sync benchmark against the real server"};
  std::string server_bin, models, work;
  int faces = 10000, changes = 10, reps = 3, dim = 704;  // the default fused embedder's (512 + 192); the server refuses another size
  app.add_option("--server-bin", server_bin, "the facepass server binary")->required()->check(CLI::ExistingFile);
  app.add_option("--models-dir", models, "models for the server")->required();
  app.add_option("--faces", faces, "faces in the synced group");
  app.add_option("--changes", changes, "bind/unbind events for the incremental sync (even)");
  app.add_option("--reps", reps, "fresh devices doing the FULL sync");
  app.add_option("--dim", dim, "feature dimension (must be the server engine's)");
  app.add_option("--work-dir", work, "scratch directory (default: a new one under $TMPDIR or /tmp)");
  CLI11_PARSE(app, argc, argv);

  if (work.empty()) {
    work = bench::MakeScratchDir("fp-sync-bench");  // under $TMPDIR
    if (work.empty()) return Fail(Status::IoError("mkdtemp"));
  }
  fs::path data = fs::path(work) / "data";
  fs::create_directories(data);
  const int spare = changes / 2, drop = changes - spare;

  auto t0 = std::chrono::steady_clock::now();
  Status seeded = Seed(data / "facepass.db", faces, spare, dim);
  if (!seeded.ok()) return Fail(seeded);
  double seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cerr << "seeded " << faces << " + " << spare << " faces in " << seed_s << " s\n";

  Result<bench::ServerChild> server = bench::StartServer(server_bin, data, models, {"--auth", "off", "--max-body-mb", "64"});
  if (!server.ok()) return Fail(server.status());
  HttpClient http;
  nlohmann::json report = {{"faces", faces}, {"dim", dim}, {"changes", changes}};

  // FULL, `reps` fresh devices per format.
  struct Full {
    std::vector<double> http_ms, apply_ms;
    size_t response_bytes = 0, request_bytes = 0;
  };
  std::map<uint16_t, Full> full;
  std::unique_ptr<Device> dev;
  for (int r = 0; r < reps; ++r) {
    for (uint16_t format : {sync::kFormatV1, sync::kFormatV2}) {  // interleaved: neither gets the warmer cache
      auto d = Device::Open(fs::path(work) / ("device_f" + std::to_string(format) + "_" + std::to_string(r) + ".db"),
                            nullptr);
      if (!d.ok()) return Fail(d.status());
      if (Status st = (*d)->store().AddGroup("bench_main"); !st.ok()) return Fail(st);
      if (Status st = (*d)->store().SetSyncFormat(format); !st.ok()) return Fail(st);
      auto s = (*d)->Sync(http, server->url);
      if (!s.ok()) return Fail(s.status());
      if (s->report.groups.at(0).action != sync::GroupAction::kFull || s->report.groups[0].added != faces) {
        return Fail(Status::Internal("expected FULL with every face"));
      }
      Full& f = full[format];
      f.http_ms.push_back(s->http_seconds * 1000);
      f.apply_ms.push_back(s->apply_seconds * 1000);
      f.response_bytes = s->response_bytes;
      f.request_bytes = s->request_bytes;
      dev = std::move(*d);
    }
  }

  // Learn the spare tokens, then make the changes through the API.
  auto helper = Device::Open(fs::path(work) / "helper.db", nullptr);
  if (!helper.ok()) return Fail(helper.status());
  (void)(*helper)->store().AddGroup("bench_spare");
  if (auto s = (*helper)->Sync(http, server->url); !s.ok()) return Fail(s.status());
  std::vector<std::string> spare_tokens, main_tokens;
  (void)(*helper)->store().ForEachFace([&](const std::string&, const std::string& t, std::span<const float>) {
    spare_tokens.push_back(t);
  });
  (void)dev->store().ForEachFace([&](const std::string&, const std::string& t, std::span<const float>) {
    if (static_cast<int>(main_tokens.size()) < drop) main_tokens.push_back(t);
  });
  auto admin = [&](const char* path, const std::string& token) -> Status {
    nlohmann::json body = {{"group_name", "bench_main"}, {"face_token", token}};
    auto r = http.PostJson(server->url + path, body.dump());
    if (!r.ok()) return r.status();
    if (r->status != 200) return Status::Internal(std::string(path) + ": " + r->body);
    return Status::OK();
  };
  for (const std::string& t : main_tokens) {
    if (Status st = admin("/api/group/v1/unbind", t); !st.ok()) return Fail(st);
  }
  for (const std::string& t : spare_tokens) {
    if (Status st = admin("/api/group/v1/bind", t); !st.ok()) return Fail(st);
  }

  auto inc = dev->Sync(http, server->url);
  if (!inc.ok()) return Fail(inc.status());
  const ApplyReport::Group& g = inc->report.groups.at(0);
  auto none = dev->Sync(http, server->url);
  if (!none.ok()) return Fail(none.status());
  bench::StopServer(*server);

  std::vector<double> server_ms = ServerSyncMs(server->log);
  // Log order: reps x (FULL format 1, FULL format 2), helper FULL, INCREMENTAL, NONE.
  const size_t n = static_cast<size_t>(reps);
  if (server_ms.size() != 2 * n + 3) return Fail(Status::Internal("unexpected sync lines in the server log"));
  std::map<uint16_t, std::vector<double>> full_runs;
  for (size_t i = 0; i < 2 * n; ++i) full_runs[i % 2 == 0 ? sync::kFormatV1 : sync::kFormatV2].push_back(server_ms[i]);
  std::map<uint16_t, double> full_server = {{sync::kFormatV1, Median(full_runs[sync::kFormatV1])},
                                            {sync::kFormatV2, Median(full_runs[sync::kFormatV2])}};
  const double inc_server = server_ms[2 * n + 1], none_server = server_ms[2 * n + 2];

  for (const auto& [format, f] : full) {
    report["full_format_" + std::to_string(format)] = {{"response_bytes", f.response_bytes},
                                                       {"request_bytes", f.request_bytes},
                                                       {"bytes_per_face", static_cast<double>(f.response_bytes) / faces},
                                                       {"server_ms_median", full_server[format]},
                                                       {"http_ms_median", Median(f.http_ms)},
                                                       {"device_apply_ms_median", Median(f.apply_ms)}};
  }
  report["incremental"] = {{"action", sync::GroupActionName(g.action)},
                           {"added", g.added},
                           {"deleted", g.deleted},
                           {"response_bytes", inc->response_bytes},
                           {"server_ms", inc_server},
                           {"http_ms", inc->http_seconds * 1000},
                           {"device_apply_ms", inc->apply_seconds * 1000}};
  report["none"] = {{"action", sync::GroupActionName(none->report.groups.at(0).action)},
                    {"response_bytes", none->response_bytes},
                    {"server_ms", none_server},
                    {"http_ms", none->http_seconds * 1000}};
  report["seed_seconds"] = seed_s;
  std::cout << report.dump(2) << std::endl;

  std::printf("\nFULL sync of %d faces, %d-D, medians of %d devices per format\n", faces, dim, reps);
  std::printf("| format | response bytes | bytes/face | server ms | HTTP ms (device) | device apply ms |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& [format, f] : full) {
    std::printf("| %u%s | %zu | %.0f | %.0f | %.0f | %.0f |\n", format,
                format == sync::kFormatV1 ? " (float32)" : " (float16 + label)", f.response_bytes,
                static_cast<double>(f.response_bytes) / faces, full_server[format], Median(f.http_ms),
                Median(f.apply_ms));
  }
  return 0;
}
