// facepass-crash-campaign: kill -9 the real server N times under mixed load
// and check after each restart that nothing acknowledged was lost (issue 13,
// docs/reliability.md). scripts/crash-campaign.sh is the wrapper.
//
//   facepass-crash-campaign --server-bin build/tools/facepass/facepass --models-dir models
//       --faces-dir ../shared/faces --kills 100 [--clients 4] [--min-kill-ms 200 --max-kill-ms 3000]
//
// One data directory for the whole run; `serve --auth off`. Per round: start,
// verify every client's ledger (load_and_verify.h), run the clients, SIGKILL
// at a random moment, then `facepass check` on the dead server's directory.
// After the last kill: verify, SIGTERM (must exit 0), check. Prints a Markdown
// table; exit 0 only when nothing was lost, half done or answered in error.
// Exit 77 when the models are absent. Without photos, face adds (and so
// deletes and binds) are left out and said so.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "load_and_verify.h"
#include "server_child.h"

namespace {

namespace fs = std::filesystem;
using namespace facepass;
using namespace facepass::crash;
using Clock = std::chrono::steady_clock;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Single-face photos from faces.csv (path,identity,faces_in_image,notes), at most `max`.
std::vector<Photo> LoadPhotos(const fs::path& dir, size_t max) {
  std::vector<Photo> out;
  std::ifstream csv(dir / "faces.csv");
  std::string line;
  std::getline(csv, line);  // header
  while (std::getline(csv, line) && out.size() < max) {
    std::stringstream row(line);
    std::string path, identity, count;
    std::getline(row, path, ',');
    std::getline(row, identity, ',');
    std::getline(row, count, ',');
    if (count != "1") continue;
    std::string bytes = ReadAll(dir / path);
    if (bytes.empty() || bytes.size() > (4u << 20)) continue;
    out.push_back({path, std::move(bytes)});
  }
  return out;
}

void Merge(Tally& into, const Tally& t) {
  into.acked += t.acked;
  into.lost += t.lost;
  into.half += t.half;
  into.errors += t.errors;
  into.busy += t.busy;
  into.pending_landed += t.pending_landed;
  into.pending_absent += t.pending_absent;
  for (const auto& p : t.problems)
    if (into.problems.size() < 20) into.problems.push_back(p);
}

// `facepass check` on a stopped server's directory; true when it passes.
bool Check(const std::string& bin, const fs::path& data, Tally& t, int round) {
  const std::string cmd = "'" + bin + "' check --data-dir '" + data.string() + "' > '" + data.string() + ".check.log' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc == 0) return true;
  t.Problem(&Tally::half, "facepass check failed after kill " + std::to_string(round) + ": " +
                              ReadAll(data.string() + ".check.log"));
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kill -9 campaign: the server under mixed load, killed and restarted N times"};
  std::string server_bin, models, faces_dir, work;
  int kills = 100, clients = 4, min_ms = 200, max_ms = 3000;
  size_t max_photos = 10;
  uint32_t seed = std::random_device{}();
  bool keep = false, sabotage = false;
  app.add_option("--server-bin", server_bin, "the facepass binary (serve and check)")->required()->check(CLI::ExistingFile);
  app.add_option("--models-dir", models, "models for the server")->required();
  app.add_option("--faces-dir", faces_dir, "photos with faces.csv (absent: no face writes)");
  app.add_option("--kills", kills, "SIGKILLs")->check(CLI::Range(1, 100000));
  app.add_option("--clients", clients, "concurrent clients")->check(CLI::Range(1, 64));
  app.add_option("--min-kill-ms", min_ms, "earliest kill after the server answers");
  app.add_option("--max-kill-ms", max_ms, "latest kill after the server answers");
  app.add_option("--max-photos", max_photos, "photos used for face adds");
  app.add_option("--seed", seed, "random seed (printed)");
  app.add_option("--work-dir", work, "scratch directory (default: a new one under TMPDIR or /tmp)");
  app.add_flag("--keep", keep, "keep the data directory and logs");
  app.add_flag("--sabotage", sabotage,
               "self-test: after the first kill remove every stored image file; the run must then report losses");
  CLI11_PARSE(app, argc, argv);

  if (!fs::exists(fs::path(models) / "blazeface.onnx")) {
    std::printf("SKIP: no models in %s (scripts/fetch-models.sh)\n", models.c_str());
    return 77;
  }
  if (work.empty()) {
    work = bench::MakeScratchDir("fp-crash");
    if (work.empty()) return 1;
  }
  const fs::path data = fs::path(work) / "data";
  {  // A private copy: a rebuild of the binary during a long run must not change or break it.
    std::error_code ec;
    const fs::path copy = fs::path(work) / "facepass";
    fs::copy_file(server_bin, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      std::fprintf(stderr, "copy %s: %s\n", server_bin.c_str(), ec.message().c_str());
      return 1;
    }
    server_bin = copy.string();
  }
  Shared shared;
  if (!faces_dir.empty()) shared.photos = LoadPhotos(faces_dir, max_photos);
  shared.enrols = std::make_unique<std::atomic<bool>[]>(shared.photos.size());
  for (size_t i = 0; i < shared.photos.size(); ++i) shared.enrols[i] = true;
  if (shared.photos.empty() && sabotage) {
    std::printf("SKIP: --sabotage removes face originals and needs photos (--faces-dir)\n");
    return 77;
  }
  if (shared.photos.empty())
    std::printf("NOTE: no photos (%s): face add, face delete and bind are left out; groups, config and sync run\n",
                faces_dir.empty() ? "--faces-dir not given" : (faces_dir + "/faces.csv unreadable").c_str());
  std::printf("seed %u, %d kills, %d clients, %zu photos, data %s\n", seed, kills, clients, shared.photos.size(),
              data.string().c_str());
  std::fflush(stdout);

  std::mt19937 rng(seed);
  std::vector<Ledger> ledgers(static_cast<size_t>(clients));
  for (int i = 0; i < clients; ++i) ledgers[static_cast<size_t>(i)].id = i;
  Tally total;
  std::vector<double> restart_s;
  int checks_passed = 0, done_kills = 0;
  const std::vector<std::string> serve_args = {"--auth", "off"};
  for (int round = 0; round <= kills; ++round) {
    const auto t0 = Clock::now();
    auto server = bench::StartServer(server_bin, data, models, serve_args);
    if (!server.ok()) {
      std::fprintf(stderr, "round %d: %s\n", round, server.status().ToString().c_str());
      total.Problem(&Tally::errors, "server did not restart after kill " + std::to_string(round));
      break;
    }
    if (round > 0) restart_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    Api api(server->url);
    if (round == 0) {
      Answer v = api.Get("/api/version/v1");
      if (v.kind == Answer::kOk) shared.search_model = v.data().at("detail").value("search_model", "");
    }
    for (Ledger& l : ledgers) {
      Tally t;
      Verify(api, shared, l, t);
      Merge(total, t);
    }
    if (round == kills) {
      const int rc = bench::StopServer(*server);
      if (rc != 0) total.Problem(&Tally::errors, "SIGTERM exit status " + std::to_string(rc));
      if (Check(server_bin, data, total, round)) ++checks_passed;
      break;
    }
    std::atomic<bool> stop{false};
    std::vector<Tally> tallies(static_cast<size_t>(clients));
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
      const uint32_t s = static_cast<uint32_t>(rng());
      threads.emplace_back([&, i, s] {
        RunClient(api, shared, ledgers[static_cast<size_t>(i)], stop, tallies[static_cast<size_t>(i)], s);
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(min_ms, max_ms)(rng)));
    bench::KillServer(*server);
    stop = true;
    for (auto& th : threads) th.join();
    ++done_kills;
    if (sabotage && done_kills == 1) {
      std::error_code ec;
      for (auto it = fs::recursive_directory_iterator(data / "images", ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file()) fs::remove(it->path(), ec);
    }
    int64_t acked = 0;
    for (const Tally& t : tallies) {
      acked += t.acked;
      Merge(total, t);
    }
    if (Check(server_bin, data, total, round + 1)) ++checks_passed;
    std::fprintf(stderr, "kill %d: %lld writes acknowledged this round (%lld in all), lost %lld\n", done_kills,
                 static_cast<long long>(acked), static_cast<long long>(total.acked), static_cast<long long>(total.lost));
  }

  size_t faces = 0, groups = 0;
  for (const Ledger& l : ledgers) {
    faces += l.faces.size();
    groups += l.groups.size();
  }
  std::printf("\n| kill -9 campaign (seed %u, %d clients, kill %d..%d ms after start) | value |\n", seed, clients,
              min_ms, max_ms);
  std::printf("|---|---:|\n");
  std::printf("| kills | %d |\n", done_kills);
  std::printf("| writes acknowledged | %lld |\n", static_cast<long long>(total.acked));
  std::printf("| lost (acknowledged, then missing or changed) | %lld |\n", static_cast<long long>(total.lost));
  std::printf("| half done or impossible states | %lld |\n", static_cast<long long>(total.half));
  std::printf("| errors (answers other than success, refusal, 503) | %lld |\n", static_cast<long long>(total.errors));
  std::printf("| 503 SERVICE_BUSY, retried | %lld |\n", static_cast<long long>(total.busy));
  std::printf("| unanswered writes: landed / not | %lld / %lld |\n", static_cast<long long>(total.pending_landed),
              static_cast<long long>(total.pending_absent));
  std::printf("| `facepass check` passed | %d of %d |\n", checks_passed, done_kills + 1);
  std::printf("| restart to first answer: p50 / max | %.2f / %.2f s |\n", bench::Percentile(restart_s, 50),
              bench::Percentile(restart_s, 100));
  std::printf("| at the end: live faces / groups | %zu / %zu |\n", faces, groups);
  for (const auto& p : total.problems) std::printf("problem: %s\n", p.c_str());
  const bool ok = total.lost == 0 && total.half == 0 && total.errors == 0 && checks_passed == done_kills + 1;
  if (ok && !keep) {
    std::error_code ec;
    fs::remove_all(work, ec);
  } else {
    std::printf("kept: %s\n", work.c_str());
  }
  return ok ? 0 : 1;
}
