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
// 3. FULL: `reps` fresh devices sync bench_main.
// 4. INCREMENTAL: unbinds changes/2 faces of bench_main and binds the
//    changes/2 spare faces (tokens learnt by a helper device), then the
//    measured device syncs again: only those changes travel.
// 5. NONE: one more sync with nothing changed.
// Server time comes from the server's request log ("... 200 0 12ms ...").
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
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
    auto face = (*db)->InsertFace(*image, {100, 100, 300, 300}, NowMs(), f);
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

  // FULL, `reps` fresh devices.
  std::vector<double> full_http, full_apply;
  size_t full_bytes = 0, full_request = 0;
  std::unique_ptr<Device> dev;
  for (int r = 0; r < reps; ++r) {
    auto d = Device::Open(fs::path(work) / ("device_" + std::to_string(r) + ".db"), nullptr);
    if (!d.ok()) return Fail(d.status());
    if (Status st = (*d)->store().AddGroup("bench_main"); !st.ok()) return Fail(st);
    auto s = (*d)->Sync(http, server->url);
    if (!s.ok()) return Fail(s.status());
    if (s->report.groups.at(0).action != sync::GroupAction::kFull || s->report.groups[0].added != faces) {
      return Fail(Status::Internal("expected FULL with every face"));
    }
    full_http.push_back(s->http_seconds * 1000);
    full_apply.push_back(s->apply_seconds * 1000);
    full_bytes = s->response_bytes;
    full_request = s->request_bytes;
    dev = std::move(*d);
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
  // Log order: reps FULL, helper FULL, INCREMENTAL, NONE.
  std::vector<double> full_server(server_ms.begin(), server_ms.begin() + std::min<size_t>(reps, server_ms.size()));
  double inc_server = server_ms.size() >= static_cast<size_t>(reps) + 2 ? server_ms[reps + 1] : -1;
  double none_server = server_ms.size() >= static_cast<size_t>(reps) + 3 ? server_ms[reps + 2] : -1;

  report["full"] = {{"response_bytes", full_bytes},
                    {"request_bytes", full_request},
                    {"bytes_per_face", static_cast<double>(full_bytes) / faces},
                    {"server_ms_median", Median(full_server)},
                    {"http_ms_median", Median(full_http)},
                    {"device_apply_ms_median", Median(full_apply)}};
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
  return 0;
}
