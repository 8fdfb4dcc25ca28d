// facepass-crash-campaign: kill -9 the real server N times under mixed load
// and check after each restart that nothing acknowledged was lost (issue 13,
// docs/reliability.md). scripts/crash-campaign.sh is the wrapper.
//
//   facepass-crash-campaign --server-bin build/tools/facepass/facepass --models-dir models
//       --faces-dir ../shared/faces --kills 100 [--clients 4] [--min-kill-ms 200 --max-kill-ms 3000]
//       [--database URI [--nodes 2] [--after-kill-ms 1000]]
//
// One server on one data directory (`serve --auth off`), or with --database
// N nodes on a fresh schema of that PostgreSQL database behind HAProxy round
// robin (campaign_target.h). Per round: start what is down, verify every
// client's ledger (load_and_verify.h) through the target's URL, run the
// clients, SIGKILL (the server, or one node at random: the clients the others
// answer keep going for --after-kill-ms), then `facepass check`. After the
// last kill: verify, SIGTERM (must exit 0), check. Prints a Markdown table;
// exit 0 only when nothing was lost, half done or answered in error.
// Exit 77 when the models (or, with --database, HAProxy) are absent. Without
// photos, face adds (and so deletes and binds) are left out and said so.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "campaign_target.h"
#include "load_and_verify.h"
#include "server_child.h"

namespace {

namespace fs = std::filesystem;
using namespace facepass;
using namespace facepass::crash;
using Clock = std::chrono::steady_clock;

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
    std::string bytes = ReadFile(dir / path);
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
  into.gateway += t.gateway;
  into.dropped += t.dropped;
  into.after_kill += t.after_kill;
  for (const auto& p : t.problems)
    if (into.problems.size() < 20) into.problems.push_back(p);
}

// `facepass check` after kill `round` (or at the end); true when it passes.
bool Check(Target& target, Tally& t, int round) {
  const Status s = target.Check();
  if (s.ok()) return true;
  t.Problem(&Tally::half, "facepass check failed after kill " + std::to_string(round) + ": " + s.message());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kill -9 campaign: the server (or one node of a cluster) under mixed load, killed and restarted N times"};
  std::string server_bin, models, faces_dir, work, database;
  int kills = 100, clients = 4, min_ms = 200, max_ms = 3000, nodes = 2, after_kill_ms = -1;
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
  auto* db_opt = app.add_option("--database", database,
                                "PostgreSQL URI: a cluster of --nodes nodes on a fresh schema of it, behind HAProxy");
  app.add_option("--nodes", nodes, "nodes of the cluster (with --database)")->check(CLI::Range(2, 8))->needs(db_opt);
  app.add_option("--after-kill-ms", after_kill_ms,
                 "how long the clients keep going after a kill (default: 0; with --database 1000)")
      ->check(CLI::Range(0, 60000));
  app.add_flag("--keep", keep, "keep the data directory, logs and schema");
  app.add_flag("--sabotage", sabotage,
               "self-test: after the first kill damage every stored original; the run must then report losses");
  CLI11_PARSE(app, argc, argv);
  if (after_kill_ms < 0) after_kill_ms = database.empty() ? 0 : 1000;

  if (!fs::exists(fs::path(models) / "blazeface.onnx")) {
    std::printf("SKIP: no models in %s (scripts/fetch-models.sh)\n", models.c_str());
    return 77;
  }
  if (work.empty()) {
    work = bench::MakeScratchDir("fp-crash");
    if (work.empty()) return 1;
  }
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
    std::printf("SKIP: --sabotage damages face originals and needs photos (--faces-dir)\n");
    return 77;
  }
  std::unique_ptr<Target> target;
  if (database.empty()) {
    target = SingleServer(server_bin, work, models);
  } else {
    auto cluster = Cluster(server_bin, work, models, database, nodes);
    if (!cluster.ok()) {
      const bool absent = cluster.status().code() == StatusCode::kNotFound;
      std::printf("%s: %s\n", absent ? "SKIP" : "FAIL", cluster.status().message().c_str());
      std::error_code ec;
      fs::remove_all(work, ec);
      return absent ? 77 : 1;
    }
    target = std::move(*cluster);
  }
  if (shared.photos.empty())
    std::printf("NOTE: no photos (%s): face add, face delete and bind are left out; groups, config and sync run\n",
                faces_dir.empty() ? "--faces-dir not given" : (faces_dir + "/faces.csv unreadable").c_str());
  std::printf("seed %u, %d kills, %d clients, %zu photos, %s, work %s\n", seed, kills, clients, shared.photos.size(),
              target->Mode().c_str(), work.c_str());
  std::fflush(stdout);

  std::mt19937 rng(seed);
  std::vector<Ledger> ledgers(static_cast<size_t>(clients));
  for (int i = 0; i < clients; ++i) ledgers[static_cast<size_t>(i)].id = i;
  Tally total;
  std::vector<double> restart_s;
  std::map<std::string, int> killed;  // kills per server
  int checks_passed = 0, done_kills = 0;
  for (int round = 0; round <= kills; ++round) {
    const auto t0 = Clock::now();
    if (Status up = target->Up(); !up.ok()) {
      std::fprintf(stderr, "round %d: %s\n", round, up.ToString().c_str());
      total.Problem(&Tally::errors, "server did not restart after kill " + std::to_string(round));
      break;
    }
    if (round > 0) restart_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    Api api(target->url());
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
      for (const std::string& p : target->Stop()) total.Problem(&Tally::errors, p);
      if (Check(*target, total, round)) ++checks_passed;
      break;
    }
    Round signals;
    std::vector<Tally> tallies(static_cast<size_t>(clients));
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
      const uint32_t s = static_cast<uint32_t>(rng());
      threads.emplace_back([&, i, s] {
        RunClient(api, shared, ledgers[static_cast<size_t>(i)], signals, tallies[static_cast<size_t>(i)], s);
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(min_ms, max_ms)(rng)));
    signals.killed = true;
    ++killed[target->KillOne(rng)];
    std::this_thread::sleep_for(std::chrono::milliseconds(after_kill_ms));
    signals.stop = true;
    for (auto& th : threads) th.join();
    ++done_kills;
    if (sabotage && done_kills == 1) {
      if (Status s = target->Sabotage(); !s.ok()) total.Problem(&Tally::errors, "sabotage: " + s.ToString());
    }
    int64_t acked = 0;
    for (const Tally& t : tallies) {
      acked += t.acked;
      Merge(total, t);
    }
    if (Check(*target, total, round + 1)) ++checks_passed;
    std::fprintf(stderr, "kill %d: %lld writes acknowledged this round (%lld in all), lost %lld\n", done_kills,
                 static_cast<long long>(acked), static_cast<long long>(total.acked), static_cast<long long>(total.lost));
  }

  size_t faces = 0, groups = 0;
  for (const Ledger& l : ledgers) {
    faces += l.faces.size();
    groups += l.groups.size();
  }
  const bool cluster = !database.empty();
  std::printf("\n| kill -9 campaign (seed %u, %d clients, kill %d..%d ms after start) | value |\n", seed, clients,
              min_ms, max_ms);
  std::printf("|---|---:|\n");
  std::printf("| mode | %s |\n", target->Mode().c_str());
  std::printf("| kills | %d |\n", done_kills);
  if (cluster) {
    std::string per_node;
    for (const auto& [name, n] : killed) per_node += (per_node.empty() ? "" : ", ") + name + " " + std::to_string(n);
    std::printf("| kills per node | %s |\n", per_node.c_str());
  }
  std::printf("| writes acknowledged | %lld |\n", static_cast<long long>(total.acked));
  if (cluster)
    std::printf("| of them after a kill, by the surviving node (%d ms each) | %lld |\n", after_kill_ms,
                static_cast<long long>(total.after_kill));
  std::printf("| lost (acknowledged, then missing or changed) | %lld |\n", static_cast<long long>(total.lost));
  std::printf("| half done or impossible states | %lld |\n", static_cast<long long>(total.half));
  std::printf("| errors (answers other than success, refusal, 503) | %lld |\n", static_cast<long long>(total.errors));
  std::printf("| 503 SERVICE_BUSY, retried | %lld |\n", static_cast<long long>(total.busy));
  std::printf("| unanswered writes: landed / not | %lld / %lld |\n", static_cast<long long>(total.pending_landed),
              static_cast<long long>(total.pending_absent));
  if (cluster)
    std::printf("| unanswered requests: a 502/503/504 from the balancer / connection dropped | %lld / %lld |\n",
                static_cast<long long>(total.gateway), static_cast<long long>(total.dropped));
  std::printf("| `facepass check` passed | %d of %d |\n", checks_passed, done_kills + 1);
  std::printf("| restart to first answer: p50 / max | %.2f / %.2f s |\n", bench::Percentile(restart_s, 50),
              bench::Percentile(restart_s, 100));
  std::printf("| at the end: live faces / groups | %zu / %zu |\n", faces, groups);
  for (const auto& p : total.problems) std::printf("problem: %s\n", p.c_str());
  const bool ok = total.lost == 0 && total.half == 0 && total.errors == 0 && checks_passed == done_kills + 1;
  // A sabotaged run that reports its losses went as it should: nothing to keep
  // (each kept work directory holds a copy of the binary).
  if ((sabotage ? total.lost > 0 : ok) && !keep) {
    target->Discard();
    target.reset();
    std::error_code ec;
    fs::remove_all(work, ec);
  } else {
    std::printf("kept: %s\n", work.c_str());
  }
  return ok ? 0 : 1;
}
