// facepass-overload-bench: the real server beyond its capacity, under slow
// clients, and over a long mixed soak (issue 13, docs/reliability.md).
//
//   facepass-overload-bench --server-bin build/tools/facepass/facepass --models-dir models
//       --faces-dir ../shared/faces [--workers 2] [--overload-seconds 60] [--slow-seconds 20]
//       [--slow-clients 300] [--soak-seconds 600] [--sample-seconds 10]
//
// 1. Overload: 4 x --workers clients send face adds and recognises back to
//    back (a 503 is retried at once, the worst case) to a server with
//    --workers and --queue-limit (default: = workers, so the load is 2x what
//    runs plus waits); every answer must be 200 or 503
//    SERVICE_BUSY with Retry-After. One more client times GET /api/version/v1.
// 2. Slow clients: --slow-clients connections, half idle, half sending a
//    request a byte a second; a normal client's version requests and face
//    adds meanwhile are timed.
// 3. Soak: mixed traffic (face add, delete, bind, unbind, recognise, sync,
//    version) from --workers clients; the server's RSS and open fds sampled
//    every --sample-seconds, least-squares slopes reported.
// Prints Markdown tables; exit 1 when a functional rule broke (an answer
// other than 200/503, a 503 without Retry-After, a normal request unanswered
// during the slow clients, an error in the soak, fds grown past --fd-margin).
// Exit 77 without models or photos.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/http_client.h"
#include "server_child.h"

namespace {

namespace fs = std::filesystem;
using namespace facepass;
using client::HttpClient;
using client::HttpResponse;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What a phase saw: latencies by outcome and the rule breakers.
struct Stats {
  std::mutex mu;
  std::vector<double> ok_ms, busy_ms, light_ms;
  int64_t ok = 0, busy = 0, busy_no_retry_after = 0, errors = 0;
  std::vector<std::string> first_errors;

  void Add(const Result<HttpResponse>& r, double ms, bool light = false) {
    std::lock_guard lock(mu);
    if (light) light_ms.push_back(ms);
    if (r.ok() && r->status == 200) {
      ++ok;
      if (!light) ok_ms.push_back(ms);
    } else if (r.ok() && r->status == 503) {
      ++busy;
      busy_ms.push_back(ms);
      if (r->retry_after.empty()) ++busy_no_retry_after;
    } else {
      ++errors;
      if (first_errors.size() < 5)
        first_errors.push_back(r.ok() ? "HTTP " + std::to_string(r->status) + " " + r->body.substr(0, 160)
                                      : r.status().ToString());
    }
  }
};

struct Bench {
  std::string url;
  std::vector<std::string> photos;
  HttpClient http;

  Result<HttpResponse> AddFace(const std::string& bytes) const {
    return http.PostMultipart(url + "/api/face/v1/add", {{"image", bytes, "face.jpg", "image/jpeg"}});
  }
  Result<HttpResponse> Recognize(const std::string& bytes) const {
    return http.PostMultipart(url + "/api/service/recognize/v1",
                              {{"group_name", "bench_over", "", ""},
                               {"face_data", R"({"faces":[{"track_id":1}]})", "", ""},
                               {"image_1", bytes, "capture.jpg", "image/jpeg"}});
  }
  Result<HttpResponse> Post(const std::string& path, const json& body) const {
    return http.PostJson(url + path, body.dump());
  }
  Result<HttpResponse> Version() const { return http.Get(url + "/api/version/v1"); }
};

template <typename F>
Result<HttpResponse> Timed(F&& f, double* ms) {
  const auto t0 = Clock::now();
  auto r = f();
  *ms = Ms(t0, Clock::now());
  return r;
}

// Phase 1.
void Overload(const Bench& b, int clients, int seconds, Stats& s) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> th;
  for (int i = 0; i < clients; ++i) {
    th.emplace_back([&, i] {
      size_t n = static_cast<size_t>(i);
      while (!stop) {
        const std::string& photo = b.photos[n++ % b.photos.size()];
        double ms = 0;
        auto r = Timed([&] { return i % 2 == 0 ? b.AddFace(photo) : b.Recognize(photo); }, &ms);
        s.Add(r, ms);
      }
    });
  }
  th.emplace_back([&] {
    while (!stop) {
      double ms = 0;
      auto r = Timed([&] { return b.Version(); }, &ms);
      s.Add(r, ms, true);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : th) t.join();
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Phase 2: returns how many slow connections were opened.
int SlowClients(const Bench& b, int port, int count, int seconds, Stats& s) {
  std::vector<int> idle, dribble;
  for (int i = 0; i < count; ++i) {
    int fd = Connect(port);
    if (fd < 0) continue;
    (i % 2 ? dribble : idle).push_back(fd);
  }
  const std::string req = "GET /api/version/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(4000, 'a') + "\r\n\r\n";
  std::atomic<bool> stop{false};
  std::thread dribbler([&] {
    for (size_t pos = 0; !stop && pos < req.size(); ++pos) {
      for (int fd : dribble) (void)::send(fd, req.data() + pos, 1, MSG_NOSIGNAL);
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  size_t n = 0;
  while (Clock::now() < end) {
    double ms = 0;
    auto r = Timed([&] { return b.Version(); }, &ms);
    s.Add(r, ms, true);
    if (n % 5 == 0) {
      r = Timed([&] { return b.AddFace(b.photos[n % b.photos.size()]); }, &ms);
      s.Add(r, ms);
    }
    ++n;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop = true;
  dribbler.join();
  for (int fd : idle) ::close(fd);
  for (int fd : dribble) ::close(fd);
  return static_cast<int>(idle.size() + dribble.size());
}

// Phase 3: samples (minutes since start, RSS MiB, fds).
struct Samples {
  std::vector<double> t_min, rss, fds;
};

void Soak(const Bench& b, pid_t pid, int clients, int seconds, int sample_s, Stats& s, Samples& out) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> th;
  for (int i = 0; i < clients; ++i) {
    th.emplace_back([&, i] {
      std::mt19937 rng(static_cast<uint32_t>(i) + 7);
      const std::string group = "soak_g" + std::to_string(i);
      double ms = 0;
      s.Add(Timed([&] { return b.Post("/api/group/v1/create", {{"group_name", group}}); }, &ms), ms);
      std::vector<std::string> mine;
      while (!stop) {
        const int r = std::uniform_int_distribution<int>(0, 99)(rng);
        const std::string& photo = b.photos[rng() % b.photos.size()];
        Result<HttpResponse> res = Status::Internal("unset");
        if (r < 20 || mine.empty()) {
          res = Timed([&] { return b.AddFace(photo); }, &ms);
          if (res.ok() && res->status == 200) {
            const json j = json::parse(res->body, nullptr, false);
            mine.push_back(j["data"].value("face_token", ""));
            s.Add(Timed([&] { return b.Post("/api/group/v1/bind", {{"group_name", group}, {"face_token", mine.back()}}); }, &ms), ms);
          }
        } else if (r < 35 && mine.size() > 3) {
          const std::string t = mine.front();
          mine.erase(mine.begin());
          res = Timed([&] { return b.Post("/api/face/v1/delete", {{"face_token", t}}); }, &ms);
        } else if (r < 60) {
          res = Timed([&] { return b.Recognize(photo); }, &ms);
        } else if (r < 75) {
          json req = {{"info", {{"search_model", "x"}, {"version", "v1.0.0"}}},
                      {"groups", {{{"group_name", group}, {"group_id", 0}, {"local_version", 0}}}}};
          res = Timed([&] { return b.Post("/api/service/sync/v1", req); }, &ms);
        } else if (r < 85) {
          res = Timed([&] { return b.Post("/api/group/v1/query", {{"group_name", group}}); }, &ms);
        } else {
          res = Timed([&] { return b.Version(); }, &ms);
        }
        s.Add(res, ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  const auto t0 = Clock::now();
  for (int k = 0;; ++k) {
    const double at = std::chrono::duration<double>(Clock::now() - t0).count();
    out.t_min.push_back(at / 60.0);
    out.rss.push_back(bench::RssMiB(pid));
    out.fds.push_back(bench::OpenFds(pid));
    if (at >= seconds) break;
    std::this_thread::sleep_until(t0 + std::chrono::seconds(sample_s * (k + 1)));
  }
  stop = true;
  for (auto& t : th) t.join();
}

void PrintErrors(const char* phase, const Stats& s) {
  for (const auto& e : s.first_errors) std::printf("%s error: %s\n", phase, e.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The server under overload, slow clients and a long soak"};
  std::string server_bin, models, faces_dir, work;
  int workers = 2, queue_limit = 0, overload_s = 60, slow_s = 20, slow_clients = 300, soak_s = 600, sample_s = 10,
      fd_margin = 16;
  app.add_option("--server-bin", server_bin, "the facepass binary")->required()->check(CLI::ExistingFile);
  app.add_option("--models-dir", models, "models for the server")->required();
  app.add_option("--faces-dir", faces_dir, "photos with faces.csv")->required();
  app.add_option("--workers", workers, "the server's --workers (overload: 4x as many clients)");
  app.add_option("--queue-limit", queue_limit, "the server's --queue-limit (0: = workers)");
  app.add_option("--overload-seconds", overload_s, "overload phase (0 skips)");
  app.add_option("--slow-seconds", slow_s, "slow-client phase (0 skips)");
  app.add_option("--slow-clients", slow_clients, "idle and byte-a-second connections");
  app.add_option("--soak-seconds", soak_s, "soak phase (0 skips)");
  app.add_option("--sample-seconds", sample_s, "RSS/fd sampling period in the soak")->check(CLI::Range(1, 600));
  app.add_option("--fd-margin", fd_margin, "allowed growth of the server's open fds over the soak");
  CLI11_PARSE(app, argc, argv);
  if (queue_limit <= 0) queue_limit = workers;

  Bench b;
  for (const char* p : {"obama/1.jpg", "biden/2.jpg", "alex_lacamoire/1.jpg", "obama/4.jpg"}) {
    std::string bytes = ReadAll(fs::path(faces_dir) / p);
    if (!bytes.empty()) b.photos.push_back(std::move(bytes));
  }
  if (!fs::exists(fs::path(models) / "blazeface.onnx") || b.photos.empty()) {
    std::printf("SKIP: needs models in %s and photos in %s\n", models.c_str(), faces_dir.c_str());
    return 77;
  }
  if (work.empty()) {
    work = bench::MakeScratchDir("fp-overload");
    if (work.empty()) return 1;
  }
  const fs::path data = fs::path(work) / "data";
  auto server = bench::StartServer(server_bin, data, models,
                                   {"--auth", "off", "--workers", std::to_string(workers), "--queue-limit",
                                    std::to_string(queue_limit)});
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  b.url = server->url;
  client::HttpOptions ho;
  ho.timeout_ms = 60000;
  b.http = HttpClient(ho);
  // A group with a few faces for the recognises.
  auto made = b.Post("/api/group/v1/create", {{"group_name", "bench_over"}});
  for (const std::string& photo : b.photos) {
    auto r = b.AddFace(photo);
    if (!made.ok() || !r.ok() || r->status != 200) {
      std::fprintf(stderr, "seeding failed\n");
      bench::KillServer(*server);
      return 1;
    }
    const std::string token = json::parse(r->body)["data"].value("face_token", "");
    (void)b.Post("/api/group/v1/bind", {{"group_name", "bench_over"}, {"face_token", token}});
  }
  bool ok = true;
  if (overload_s > 0) {
    Stats s;
    Overload(b, 4 * workers, overload_s, s);
    std::printf("\n| overload: %d clients (face add + recognise), --workers %d --queue-limit %d, %d s | value |\n",
                4 * workers, workers, queue_limit, overload_s);
    std::printf("|---|---:|\n");
    std::printf("| served 200 | %lld (p50 %.0f ms, p99 %.0f ms) |\n", static_cast<long long>(s.ok),
                bench::Percentile(s.ok_ms, 50), bench::Percentile(s.ok_ms, 99));
    std::printf("| answered 503 SERVICE_BUSY | %lld (p50 %.1f ms, p99 %.1f ms) |\n", static_cast<long long>(s.busy),
                bench::Percentile(s.busy_ms, 50), bench::Percentile(s.busy_ms, 99));
    std::printf("| 503 without Retry-After | %lld |\n", static_cast<long long>(s.busy_no_retry_after));
    std::printf("| any other answer or no answer | %lld |\n", static_cast<long long>(s.errors));
    std::printf("| GET /api/version/v1 meanwhile: p50 / p99 / max | %.1f / %.1f / %.1f ms (%zu) |\n",
                bench::Percentile(s.light_ms, 50), bench::Percentile(s.light_ms, 99),
                bench::Percentile(s.light_ms, 100), s.light_ms.size());
    PrintErrors("overload", s);
    ok = ok && s.errors == 0 && s.busy_no_retry_after == 0;
  }
  if (slow_s > 0) {
    Stats s;
    const int opened = SlowClients(b, server->port, slow_clients, slow_s, s);
    std::printf("\n| slow clients: %d held connections (half idle, half a byte a second), %d s | value |\n", opened,
                slow_s);
    std::printf("|---|---:|\n");
    std::printf("| normal GET /api/version/v1: p50 / p99 / max | %.1f / %.1f / %.1f ms (%zu) |\n",
                bench::Percentile(s.light_ms, 50), bench::Percentile(s.light_ms, 99),
                bench::Percentile(s.light_ms, 100), s.light_ms.size());
    std::printf("| normal face add: p50 / max | %.0f / %.0f ms (%zu) |\n", bench::Percentile(s.ok_ms, 50),
                bench::Percentile(s.ok_ms, 100), s.ok_ms.size());
    std::printf("| normal requests not served | %lld |\n", static_cast<long long>(s.errors + s.busy));
    PrintErrors("slow", s);
    ok = ok && s.errors == 0 && s.busy == 0;
  }
  if (soak_s > 0) {
    // Let the slow phase's closed connections go before the fd baseline.
    for (int i = 0, last = -1; i < 20; ++i) {
      const int now = bench::OpenFds(server->pid);
      if (now == last) break;
      last = now;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    Stats s;
    Samples smp;
    Soak(b, server->pid, workers, soak_s, sample_s, s, smp);
    const double rss_slope = bench::Slope(smp.t_min, smp.rss), fd_slope = bench::Slope(smp.t_min, smp.fds);
    const double fd_growth = smp.fds.back() - smp.fds.front();
    std::printf("\n| soak: %d clients of mixed traffic, %d s, sampled every %d s | value |\n", workers, soak_s, sample_s);
    std::printf("|---|---:|\n");
    std::printf("| requests served | %lld (p50 %.0f ms, p99 %.0f ms) |\n", static_cast<long long>(s.ok),
                bench::Percentile(s.ok_ms, 50), bench::Percentile(s.ok_ms, 99));
    std::printf("| 503 / errors | %lld / %lld |\n", static_cast<long long>(s.busy), static_cast<long long>(s.errors));
    std::printf("| RSS first / last / max | %.1f / %.1f / %.1f MiB |\n", smp.rss.front(), smp.rss.back(),
                bench::Percentile(smp.rss, 100));
    std::printf("| RSS slope (least squares) | %+.3f MiB/min |\n", rss_slope);
    std::printf("| open fds first / last / max | %.0f / %.0f / %.0f |\n", smp.fds.front(), smp.fds.back(),
                bench::Percentile(smp.fds, 100));
    std::printf("| fd slope | %+.3f /min |\n", fd_slope);
    PrintErrors("soak", s);
    ok = ok && s.errors == 0 && fd_growth <= fd_margin;
  }
  const int rc = bench::StopServer(*server);
  if (rc != 0) {
    std::printf("server exit status %d after SIGTERM\n", rc);
    ok = false;
  }
  std::printf("\n%s\n", ok ? "functional rules: all held" : "functional rules: BROKEN (see above)");
  if (ok) {
    std::error_code ec;
    fs::remove_all(work, ec);
  } else {
    std::printf("kept: %s\n", work.c_str());
  }
  return ok ? 0 : 1;
}
