// facepass-visibility-bench: how soon a change made through one node is seen
// through another node on the same PostgreSQL database (issue 27 point 9,
// docs/performance.md "PostgreSQL and several nodes").
//
//   facepass-visibility-bench --server-bin build/tools/facepass/facepass --models-dir models
//                             --database URI --photo ../shared/faces/obama/1.jpg [--binds 60]
//
// Two nodes (`facepass serve --auth off --database URI`, each its own
// --data-dir) on an empty database. Node A enrols the photo once; node B holds
// a notify stream on the group. Then `binds` times, after a random pause of
// 0-600 ms (so the changes fall anywhere in node B's 500 ms follow interval),
// a bind and an unbind through A, probed, then a bind and an unbind, quiet:
//  * probed: group query on B until its faces show the change
//    (read-your-writes: the first query should), then recognise the photo on
//    B until its best candidate shows it (the token after a bind, none after
//    an unbind);
//  * both: the notice on B's stream that announces the new version (when
//    quiet, only B's background follower can have seen the change).
// Times run from A's answer. Prints a Markdown table; exits 1 when a change
// was not seen within 5 s.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client/http_client.h"
#include "client/notify_client.h"
#include "server_child.h"

namespace {

namespace fs = std::filesystem;
using namespace facepass;
using facepass::client::HttpClient;
using facepass::client::MultipartPart;
using facepass::client::Notice;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr char kGroup[] = "visibility_group";
constexpr auto kGiveUp = std::chrono::seconds(5);

double MsSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

int Fail(const Status& s) {
  std::cerr << "facepass-visibility-bench: " << s.ToString() << "\n";
  return 1;
}

// The envelope's data of a 200 answer with code 0.
Result<json> Call(const Result<client::HttpResponse>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status::Internal(what + ": HTTP " + std::to_string(r->status) + " " + r->body);
  json body = json::parse(r->body, nullptr, false);
  if (body.is_discarded() || body.value("code", -1) != 0) return Status::Internal(what + ": " + r->body);
  return body.value("data", json::object());
}

// Node B's notify stream: the versions it announced for the group, and when.
class NoticeLog {
 public:
  void Add(const Notice& n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (n.group_name == kGroup) seen_.emplace_back(n.version, Clock::now());
    cv_.notify_all();
  }
  // When a notice of at least `version` arrived; nullopt after the give-up time.
  std::optional<Clock::time_point> WaitFor(int64_t version) {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<Clock::time_point> at;
    cv_.wait_for(lock, kGiveUp, [&] {
      for (const auto& [v, t] : seen_) {
        if (v >= version) {
          at = t;
          return true;
        }
      }
      return false;
    });
    return at;
  }
  int64_t Latest() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.empty() ? 0 : seen_.back().first;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<int64_t, Clock::time_point>> seen_;
};

// Asks `probe` until it returns true: the attempts taken and the time from
// t0 to the answer that showed the change; attempts = 0 when it never did.
struct Seen {
  int attempts = 0;
  double ms = 0;
};
Result<Seen> Until(Clock::time_point t0, const std::function<Result<bool>()>& probe) {
  for (int attempt = 1; Clock::now() - t0 < kGiveUp; ++attempt) {
    FP_ASSIGN_OR_RETURN(bool shown, probe());
    if (shown) return Seen{attempt, MsSince(t0)};
  }
  return Seen{};
}

struct Series {
  std::vector<double> ms;
  int first_answer = 0, missed = 0;
  void Add(const Seen& s) {
    if (s.attempts == 0) return void(++missed);
    ms.push_back(s.ms);
    if (s.attempts == 1) ++first_answer;
  }
};

void Row(const std::string& what, const Series& s, bool requests = true) {
  const std::string first =
      requests ? std::to_string(s.first_answer) + " of " + std::to_string(s.ms.size()) : std::string("-");
  std::printf("| %s | %zu | %.1f ms | %.1f ms | %.1f ms | %s | %d |\n", what.c_str(), s.ms.size(),
              bench::Percentile(s.ms, 50), bench::Percentile(s.ms, 99), bench::Percentile(s.ms, 100), first.c_str(),
              s.missed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Cross-node visibility of a bind: two nodes on one PostgreSQL database"};
  std::string server_bin, models, database, photo, work;
  int binds = 60;
  app.add_option("--server-bin", server_bin, "the facepass server binary")->required()->check(CLI::ExistingFile);
  app.add_option("--models-dir", models, "models for the server")->required();
  app.add_option("--database", database, "an empty PostgreSQL database (URI) both nodes use")->required();
  app.add_option("--photo", photo, "a photo with one face, enrolled and recognised")->required()->check(CLI::ExistingFile);
  app.add_option("--binds", binds, "binds (and as many unbinds) probed, and as many quiet");
  app.add_option("--work-dir", work, "scratch directory (default: a new one under $TMPDIR or /tmp)");
  CLI11_PARSE(app, argc, argv);
  if (work.empty()) work = bench::MakeScratchDir("fp-visibility-bench");
  if (work.empty()) return Fail(Status::IoError("mkdtemp"));
  std::string image;
  {
    std::ifstream in(photo, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    image = bytes.str();
  }

  const std::vector<std::string> flags = {"--auth", "off", "--database", database};
  auto a = bench::StartServer(server_bin, fs::path(work) / "node_a", models, flags);
  if (!a.ok()) return Fail(a.status());
  auto b = bench::StartServer(server_bin, fs::path(work) / "node_b", models, flags);
  if (!b.ok()) {
    bench::KillServer(*a);
    return Fail(b.status());
  }
  HttpClient http;
  NoticeLog notices;
  std::atomic<bool> stop{false}, open{false};
  std::thread listener([&] {
    client::NotifyClient notify({});
    while (!stop) {
      (void)notify.Listen(
          b->url, {kGroup}, [&] { open = true; }, [&](const Notice& n) { notices.Add(n); }, stop);
      open = false;
      if (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // reconnect
    }
  });
  auto run = [&]() -> Status {
    const json group = {{"group_name", kGroup}};
    FP_RETURN_IF_ERROR(Call(http.PostJson(a->url + "/api/group/v1/create", group.dump()), "create").status());
    FP_ASSIGN_OR_RETURN(json added, Call(http.PostMultipart(a->url + "/api/face/v1/add",
                                                            {{"image", image, "face.jpg", "image/jpeg"}}),
                                         "face add"));
    const std::string token = added.value("face_token", "");
    const std::string binding = json{{"group_name", kGroup}, {"face_token", token}}.dump();
    for (int i = 0; i < 100 && !open; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!open) return Status::Unavailable("node B's notify stream did not open");

    auto query_shows = [&](bool bound) -> Result<bool> {
      FP_ASSIGN_OR_RETURN(json g, Call(http.PostJson(b->url + "/api/group/v1/query", group.dump()), "query"));
      const json& faces = g["faces"];
      return (std::find(faces.begin(), faces.end(), token) != faces.end()) == bound;
    };
    auto recognise_shows = [&](bool bound) -> Result<bool> {
      FP_ASSIGN_OR_RETURN(
          json r, Call(http.PostMultipart(b->url + "/api/service/recognize/v1",
                                          {{"group_name", kGroup, "", ""},
                                           {"face_data", R"({"faces":[{"track_id":1}]})", "", ""},
                                           {"image_1", image, "capture.jpg", "image/jpeg"}}),
                       "recognise"));
      const json& results = r["results"];
      const bool has = !results.empty() && results[0]["face_token"].is_string() && results[0]["face_token"] == token;
      return has == bound;
    };

    // One change first, to learn the group's version from B's stream.
    FP_RETURN_IF_ERROR(Call(http.PostJson(a->url + "/api/group/v1/bind", binding), "bind").status());
    FP_RETURN_IF_ERROR(Call(http.PostJson(a->url + "/api/group/v1/unbind", binding), "unbind").status());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    int64_t version = notices.Latest();
    if (version == 0) return Status::Unavailable("node B announced nothing in 2 s");

    // [0] bind, [1] unbind. A quiet change asks nothing of B, so only B's
    // follower (every 500 ms) can announce it; after a probed one, B's own
    // catch-up on the query announces it at once.
    Series query[2], recognise[2], notice_quiet[2], notice_probed[2];
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pause_ms(0, 600);
    for (int i = 0; i < 4 * binds; ++i) {
      const bool bind = i % 2 == 0, quiet = (i / 2) % 2 == 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
      FP_RETURN_IF_ERROR(Call(http.PostJson(a->url + (bind ? "/api/group/v1/bind" : "/api/group/v1/unbind"), binding),
                              bind ? "bind" : "unbind")
                             .status());
      const auto ack = Clock::now();
      ++version;
      if (!quiet) {
        FP_ASSIGN_OR_RETURN(Seen q, Until(ack, [&] { return query_shows(bind); }));
        FP_ASSIGN_OR_RETURN(Seen r, Until(ack, [&] { return recognise_shows(bind); }));
        query[!bind].Add(q);
        recognise[!bind].Add(r);
      }
      auto at = notices.WaitFor(version);
      (quiet ? notice_quiet : notice_probed)[!bind].Add(
          at ? Seen{1, std::chrono::duration<double, std::milli>(*at - ack).count()} : Seen{});
    }
    std::printf("| seen on node B, after node A answered | changes | p50 | p99 | max | first request saw it | not seen in 5 s |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    Row("bind: group query on B", query[0]);
    Row("bind: recognise on B (asked after the query)", recognise[0]);
    Row("unbind: group query on B", query[1]);
    Row("unbind: recognise on B (asked after the query)", recognise[1]);
    Row("bind: notice on B's stream, nothing asked of B", notice_quiet[0], false);
    Row("unbind: notice on B's stream, nothing asked of B", notice_quiet[1], false);
    Row("bind: notice on B's stream, B asked as above", notice_probed[0], false);
    Row("unbind: notice on B's stream, B asked as above", notice_probed[1], false);
    int missed = 0;
    for (const Series* s : {&query[0], &query[1], &recognise[0], &recognise[1], &notice_quiet[0], &notice_quiet[1],
                            &notice_probed[0], &notice_probed[1]})
      missed += s->missed;
    return missed == 0 ? Status::OK() : Status::Internal(std::to_string(missed) + " changes not seen in 5 s");
  };
  const Status s = run();
  stop = true;
  listener.join();
  bench::StopServer(*b);
  bench::StopServer(*a);
  return s.ok() ? 0 : Fail(s);
}
