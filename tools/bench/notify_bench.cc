// facepass-notify-bench: how fast a cloud change reaches devices that hold
// the notify stream (issue 14), for docs/performance.md ("Push-triggered sync").
//
//   facepass-notify-bench --server-bin build/tools/facepass/facepass --models-dir models
//                         [--devices 200] [--groups 5] [--faces 20] [--reps 5] [--idle-seconds 10]
//
// 1. Seeds a fresh data directory through the server's own store: `groups`
//    groups with `faces` random features each (enrolling photos would take
//    the CPU the measurement needs; sync never looks at images).
// 2. Starts `facepass serve --auth off` on it.
// 3. `devices` simulated devices in this process (each its own SQLite store,
//    source address 127.0.x.y, a client::Watcher holding a notify stream for
//    all the groups; their polls are an hour away, so only notices move them)
//    sync FULL once, then wait.
// 4. Idle: the server's CPU (utime+stime from /proc) and RSS over idle-seconds.
// 5. `reps` times: one unbind in group 0 through the API; the time from
//    sending it until each device has applied the new version; the server's
//    CPU over that window and its RSS after.
// Prints a Markdown table (and the raw numbers as JSON on stderr).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/device.h"
#include "client/watcher.h"
#include "common/clock.h"
#include "server_child.h"
#include "store/database.h"

namespace {

namespace fs = std::filesystem;
using namespace facepass;
using namespace facepass::client;
using facepass::bench::Percentile;
using facepass::bench::RssMiB;
using Clock = std::chrono::steady_clock;

std::string GroupName(int g) { return "bench_n" + std::to_string(g); }

Status Seed(const fs::path& db_file, int groups, int faces, int dim) {
  auto db = store::Database::Open(db_file);
  if (!db.ok()) return db.status();
  std::mt19937 rng(11);
  std::normal_distribution<float> n01;
  std::vector<float> f(static_cast<size_t>(dim));
  for (int g = 0; g < groups; ++g) {
    auto group = (*db)->CreateGroup(GroupName(g), NowMs());
    if (!group.ok()) return group.status();
    for (int i = 0; i < faces; ++i) {
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
      auto bound = (*db)->Bind(group->id, *face, NowMs());
      if (!bound.ok()) return bound.status();
    }
  }
  return Status::OK();
}

// The server process's CPU seconds so far and its resident set (MiB).
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(all.substr(close + 2));
  std::string x;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {  // field 3 is the state; 14 utime, 15 stime
    fields >> x;
    if (i == 14) utime = std::stoull(x);
    if (i == 15) stime = std::stoull(x);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// One simulated device: its store, its watcher on a thread, and when it
// applied the version the bench waits for.
struct SimDevice {
  std::unique_ptr<Device> device;
  std::unique_ptr<Watcher> watcher;
  std::thread thread;
  std::atomic<int64_t> g0_version{-1};  // bench_n0's local_version after the last sync
  std::atomic<bool> open{false};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<std::pair<int64_t, Clock::time_point>> applied;  // version, when
};

int Fail(const Status& s) {
  std::cerr << "facepass-notify-bench: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Push-triggered sync: propagation of one unbind to devices holding notify streams"};
  std::string server_bin, models, work;
  int devices = 200, groups = 5, faces = 20, reps = 5, idle_s = 10, dim = 704, queue_limit = 64,  // 704: the default fused embedder
      spread_ms = 250;
  app.add_option("--server-bin", server_bin, "the facepass server binary")->required()->check(CLI::ExistingFile);
  app.add_option("--models-dir", models, "models for the server")->required();
  app.add_option("--devices", devices, "simulated devices");
  app.add_option("--groups", groups, "groups each device keeps (and holds notify for)");
  app.add_option("--faces", faces, "faces per group");
  app.add_option("--reps", reps, "unbinds measured");
  app.add_option("--idle-seconds", idle_s, "idle measurement with every device connected");
  app.add_option("--dim", dim, "feature dimension (must be the server engine's)");
  app.add_option("--queue-limit", queue_limit, "the server's --queue-limit (every device syncs at once)");
  app.add_option("--notice-spread-ms", spread_ms, "devices start a notice's sync within this (random)");
  app.add_option("--work-dir", work, "scratch directory (default: a new one under $TMPDIR or /tmp)");
  CLI11_PARSE(app, argc, argv);

  if (work.empty()) {
    work = bench::MakeScratchDir("fp-notify-bench");  // under $TMPDIR
    if (work.empty()) return Fail(Status::IoError("mkdtemp"));
  }
  const fs::path data = fs::path(work) / "data";
  fs::create_directories(data);
  if (Status s = Seed(data / "facepass.db", groups, faces, dim); !s.ok()) return Fail(s);
  auto server = bench::StartServer(server_bin, data, models,
                                   {"--auth", "off", "--queue-limit", std::to_string(queue_limit)});
  if (!server.ok()) return Fail(server.status());
  const pid_t pid = server->pid;
  const double rss_empty = RssMiB(pid);

  // The devices connect and take their FULL copy.
  std::vector<std::unique_ptr<SimDevice>> sims;
  std::atomic<bool> stop{false};
  WatchOptions wo;
  wo.poll_interval = std::chrono::hours(1);
  wo.safety_poll = std::chrono::hours(1);
  // Backoff as facepass-device watch: 1 s doubling, jittered.
  wo.notice_spread = std::chrono::milliseconds(spread_ms);
  for (int i = 0; i < devices; ++i) {
    auto sim = std::make_unique<SimDevice>();
    auto d = Device::Open(fs::path(work) / ("device_" + std::to_string(i) + ".db"), nullptr);
    if (!d.ok()) return Fail(d.status());
    sim->device = std::move(*d);
    for (int g = 0; g < groups; ++g)
      if (Status s = sim->device->store().AddGroup(GroupName(g)); !s.ok()) return Fail(s);
    HttpOptions ho;
    ho.source_ip = "127.0." + std::to_string(1 + i / 250) + "." + std::to_string(1 + i % 250);
    sim->watcher = std::make_unique<Watcher>(*sim->device, ho, server->url, wo);
    SimDevice* p = sim.get();
    sim->thread = std::thread([p, &stop] {
      p->watcher->Run(
          stop, 0,
          [p](const WatchRound& r) {
            if (!r.status.ok()) {
              ++p->failures;
              return;
            }
            for (const ApplyReport::Group& g : r.outcome.report.groups) {
              if (g.group_name != GroupName(0)) continue;
              p->g0_version = g.local_version;
              std::lock_guard<std::mutex> lock(p->mu);
              p->applied.emplace_back(g.local_version, Clock::now());
            }
          },
          [p](const NotifyState& s) { p->open = s.kind == NotifyState::Kind::kOpen; });
    });
    sims.push_back(std::move(sim));
  }
  auto all = [&](const std::function<bool(const SimDevice&)>& pred, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (std::all_of(sims.begin(), sims.end(), [&](const auto& s) { return pred(*s); })) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  if (!all([](const SimDevice& s) { return s.open && s.g0_version > 0; }, std::chrono::seconds(300))) {
    stop = true;
    for (auto& s : sims) s->thread.join();
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
    return Fail(Status::Unavailable("not every device connected and synced"));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the initial syncs settle

  // Idle, every device connected.
  const double idle_cpu0 = CpuSeconds(pid);
  const auto idle_t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(idle_s));
  const double idle_wall = std::chrono::duration<double>(Clock::now() - idle_t0).count();
  const double idle_cpu_pct = 100.0 * (CpuSeconds(pid) - idle_cpu0) / idle_wall;
  const double idle_rss = RssMiB(pid);

  // The tokens of group 0, from one device's copy.
  std::vector<std::string> tokens;
  (void)sims[0]->device->store().ForEachFace([&](const std::string& group, const std::string& t, std::span<const float>) {
    if (group == GroupName(0)) tokens.push_back(t);
  });
  HttpClient http;
  std::vector<double> all_ms, rep_max_ms, rep_cpu_pct, rep_cpu_s;
  double rss_during = idle_rss;
  int missing = 0;
  for (int rep = 0; rep < reps && rep < static_cast<int>(tokens.size()); ++rep) {
    const int64_t target = sims[0]->g0_version + 1;
    nlohmann::json body = {{"group_name", GroupName(0)}, {"face_token", tokens[static_cast<size_t>(rep)]}};
    const double cpu0 = CpuSeconds(pid);
    const auto t0 = Clock::now();
    auto r = http.PostJson(server->url + "/api/group/v1/unbind", body.dump());
    if (!r.ok() || r->status != 200) return Fail(Status::Internal("unbind failed"));
    const bool done = all([&](const SimDevice& s) { return s.g0_version >= target; }, std::chrono::seconds(30));
    const auto t1 = Clock::now();
    const double cpu1 = CpuSeconds(pid);
    rss_during = std::max(rss_during, RssMiB(pid));
    double worst = 0;
    for (auto& s : sims) {
      std::lock_guard<std::mutex> lock(s->mu);
      auto it = std::find_if(s->applied.begin(), s->applied.end(), [&](const auto& a) { return a.first >= target; });
      if (it == s->applied.end()) {
        ++missing;
        continue;
      }
      const double ms = std::chrono::duration<double, std::milli>(it->second - t0).count();
      all_ms.push_back(ms);
      worst = std::max(worst, ms);
    }
    const double wall = std::chrono::duration<double>(t1 - t0).count();
    rep_max_ms.push_back(worst);
    rep_cpu_s.push_back(cpu1 - cpu0);
    rep_cpu_pct.push_back(wall > 0 ? 100.0 * (cpu1 - cpu0) / wall : 0);
    std::cerr << "rep " << rep << ": " << (done ? "all applied" : "TIMEOUT") << ", max " << worst << " ms, server "
              << (cpu1 - cpu0) * 1000 << " ms CPU\n";
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  int failures = 0;
  for (auto& s : sims) failures += s->failures;
  stop = true;
  for (auto& s : sims) s->thread.join();
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);

  const double p50 = Percentile(all_ms, 50), p99 = Percentile(all_ms, 99), mx = Percentile(all_ms, 100);
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0 : s / static_cast<double>(v.size());
  };
  std::printf("| %d devices x %d groups (%d faces each), %d unbinds, --queue-limit %d, notice spread %d ms | value |\n",
              devices, groups, faces, static_cast<int>(rep_max_ms.size()), queue_limit, spread_ms);
  std::printf("|---|---:|\n");
  std::printf("| propagation p50 (unbind sent -> device applied) | %.0f ms |\n", p50);
  std::printf("| propagation p99 | %.0f ms |\n", p99);
  std::printf("| propagation max | %.0f ms |\n", mx);
  std::printf("| devices that missed an unbind (30 s) | %d |\n", missing);
  std::printf("| device sync failures (503, retried) | %d |\n", failures);
  std::printf("| server CPU, idle with %d notify streams (%d s) | %.2f %% |\n", devices, idle_s, idle_cpu_pct);
  std::printf("| server CPU per unbind (all devices syncing) | %.0f ms (%.0f %% of one core over the window) |\n",
              mean(rep_cpu_s) * 1000, mean(rep_cpu_pct));
  std::printf("| server RSS: started / idle with streams / during | %.0f / %.0f / %.0f MiB |\n", rss_empty, idle_rss,
              rss_during);
  nlohmann::json raw = {{"propagation_ms", all_ms}, {"rep_max_ms", rep_max_ms}, {"rep_cpu_s", rep_cpu_s},
                        {"idle_cpu_pct", idle_cpu_pct}};
  std::cerr << raw.dump() << "\n";
  return missing == 0 ? 0 : 1;
}
