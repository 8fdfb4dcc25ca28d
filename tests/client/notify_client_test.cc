// The device's notify reader: the SSE parser, notices, and NotifyClient
// against an in-process http::Server (stream route, 404, 503, silence, stop).
#include "client/notify_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "http/event_stream.h"
#include "http/server.h"

namespace facepass::client {
namespace {

using namespace std::chrono;

std::vector<SseParser::Event> ParseAll(const std::vector<std::string>& pieces) {
  SseParser p;
  std::vector<SseParser::Event> out;
  for (const std::string& s : pieces) p.Feed(s, [&](const SseParser::Event& e) { out.push_back(e); });
  return out;
}

TEST(SseParser, EventsCommentsAndCutsAnywhere) {
  const std::string stream =
      ": open\n\nevent: version\ndata: {\"a\":1}\n\n:\n\nevent: version\r\ndata: x\r\ndata: y\r\n\r\n"
      "data: plain\n\nevent: nodata\n\n";
  auto whole = ParseAll({stream});
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0].type, "version");
  EXPECT_EQ(whole[0].data, "{\"a\":1}");
  EXPECT_EQ(whole[1].data, "x\ny");
  EXPECT_EQ(whole[2].type, "message");
  EXPECT_EQ(whole[2].data, "plain");
  // Byte by byte: the same events.
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  auto cut = ParseAll(bytes);
  ASSERT_EQ(cut.size(), whole.size());
  for (size_t i = 0; i < cut.size(); ++i) {
    EXPECT_EQ(cut[i].type, whole[i].type);
    EXPECT_EQ(cut[i].data, whole[i].data);
  }
  EXPECT_TRUE(ParseAll({"event: version\ndata: unfinished"}).empty());
}

TEST(Notice, ParseAndNeedsSync) {
  auto n = ParseNotice(R"({"group_name":"gate_a","group_id":5,"version":12})");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->group_name, "gate_a");
  EXPECT_EQ(n->group_id, 5);
  EXPECT_EQ(n->version, 12);
  EXPECT_FALSE(ParseNotice("{").has_value());
  EXPECT_FALSE(ParseNotice(R"({"group_name":"g","group_id":"5","version":1})").has_value());
  EXPECT_FALSE(ParseNotice(R"({"group_id":5,"version":1})").has_value());

  EXPECT_TRUE(NeedsSync(*n, 0, 0));    // never synced
  EXPECT_TRUE(NeedsSync(*n, 5, 11));   // behind
  EXPECT_TRUE(NeedsSync(*n, 5, 13));   // ahead: the cloud wins
  EXPECT_TRUE(NeedsSync(*n, 4, 12));   // another incarnation of the name
  EXPECT_FALSE(NeedsSync(*n, 5, 12));  // up to date
  EXPECT_FALSE(NeedsSync({"gate_a", 0, 0}, 5, 12));  // no live group: a sync would keep local anyway
}

// A server with a notify route that this test drives.
class NotifyClientTest : public ::testing::Test {
 protected:
  void Start(http::ServerOptions o = {}) {
    o.port = 0;
    o.access_log = false;
    o.metrics = nullptr;
    std::vector<http::Route> routes = {
        {"GET", kNotifyPath, http::BodyKind::kNone, [this](const http::Request& r) {
           {
             std::lock_guard<std::mutex> lock(mu_);
             const std::string* g = r.Query("groups");
             query_ = g ? *g : "";
           }
           ApiReply reply;
           reply.stream = [this](std::shared_ptr<http::EventStream> s) -> std::function<void()> {
             s->Send("event: version\ndata: {\"group_name\":\"gate_a\",\"group_id\":1,\"version\":3}\n\n");
             std::lock_guard<std::mutex> lock(mu_);
             streams_.push_back(s);
             return [] {};
           };
           return reply;
         }},
    };
    server_ = std::make_unique<http::Server>(o, std::move(routes));
    ASSERT_TRUE(server_->Start().ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    stop_ = true;
    if (listener_.joinable()) listener_.join();
    if (server_) server_->Stop();
  }
  void SendAll(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : streams_) s->Send(text);
  }
  // Listens on a thread; notices go to got_.
  void ListenInBackground(NotifyOptions o = {}) {
    listener_ = std::thread([this, o] {
      NotifyClient c(HttpOptions{}, o);
      status_ = c.Listen(
          url_, {"gate_a", "gate_b"}, [this] { opened_ = true; },
          [this](const Notice& n) {
            std::lock_guard<std::mutex> lock(mu_);
            got_.push_back(n);
          },
          stop_, &end_);
      done_ = true;
    });
  }
  bool WaitFor(const std::function<bool()>& pred, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = steady_clock::now() + timeout;
    while (!pred()) {
      if (steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }
  size_t Got() {
    std::lock_guard<std::mutex> lock(mu_);
    return got_.size();
  }

  std::unique_ptr<http::Server> server_;
  std::string url_;
  std::mutex mu_;
  std::vector<std::shared_ptr<http::EventStream>> streams_;
  std::string query_;
  std::vector<Notice> got_;
  std::atomic<bool> stop_{false}, opened_{false}, done_{false};
  std::thread listener_;
  Status status_;
  NotifyEnd end_;
};

TEST_F(NotifyClientTest, HearsNoticesUntilStopped) {
  Start();
  ListenInBackground();
  ASSERT_TRUE(WaitFor([&] { return Got() >= 1; }));
  EXPECT_TRUE(opened_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(query_, "gate_a,gate_b");
    EXPECT_EQ(got_[0].group_name, "gate_a");
    EXPECT_EQ(got_[0].version, 3);
  }
  SendAll(":\n\nevent: version\ndata: {\"group_name\":\"gate_b\",\"group_id\":2,\"version\":9}\n\nevent: other\ndata: 1\n\n");
  ASSERT_TRUE(WaitFor([&] { return Got() >= 2; }));
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(got_[1].group_name, "gate_b");
    EXPECT_EQ(got_[1].version, 9);
  }
  const auto t0 = steady_clock::now();
  stop_ = true;
  ASSERT_TRUE(WaitFor([&] { return done_.load(); }, milliseconds(3000)));
  EXPECT_LT(steady_clock::now() - t0, milliseconds(2500));
  listener_.join();
  EXPECT_TRUE(status_.ok()) << status_.ToString();
  EXPECT_TRUE(end_.opened);
  EXPECT_EQ(end_.notices, 2u);
}

TEST_F(NotifyClientTest, TheServerEndingTheStreamIsOk) {
  Start();
  ListenInBackground();
  ASSERT_TRUE(WaitFor([&] { return Got() >= 1; }));
  server_->Stop();
  ASSERT_TRUE(WaitFor([&] { return done_.load(); }));
  listener_.join();
  EXPECT_TRUE(status_.ok()) << status_.ToString();
  EXPECT_TRUE(end_.opened);
}

TEST_F(NotifyClientTest, SilencePastTheLimitIsUnavailable) {
  http::ServerOptions o;
  o.stream_heartbeat = seconds(30);
  Start(o);
  NotifyOptions n;
  n.silence_limit = milliseconds(1500);
  ListenInBackground(n);
  ASSERT_TRUE(WaitFor([&] { return done_.load(); }, milliseconds(6000)));
  listener_.join();
  EXPECT_EQ(status_.code(), StatusCode::kUnavailable) << status_.ToString();
  EXPECT_TRUE(end_.opened);
}

TEST_F(NotifyClientTest, NoEndpointIsNotFoundAndTheCapIsUnavailableWithRetryAfter) {
  http::ServerOptions o;
  o.max_streams = 1;
  Start(o);
  NotifyClient c{HttpOptions{}};
  std::atomic<bool> stop{false};
  auto none = [](const Notice&) {};
  // An older server: no such path.
  std::vector<http::Route> other = {{"GET", "/x", http::BodyKind::kNone, [](const http::Request&) { return ApiReply::Ok(); }}};
  http::ServerOptions oo;
  oo.port = 0;
  oo.access_log = false;
  oo.metrics = nullptr;
  http::Server old(oo, other);
  ASSERT_TRUE(old.Start().ok());
  Status s = c.Listen("http://127.0.0.1:" + std::to_string(old.port()), {"gate_a"}, [] {}, none, stop);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  old.Stop();

  ListenInBackground();  // takes the one slot
  ASSERT_TRUE(WaitFor([&] { return Got() >= 1; }));
  NotifyEnd end;
  s = c.Listen(url_, {"gate_a"}, [] {}, none, stop, &end);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_FALSE(end.opened);
  EXPECT_EQ(end.retry_after_s, 5);

  s = c.Listen("http://127.0.0.1:1", {"gate_a"}, [] {}, none, stop);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

}  // namespace
}  // namespace facepass::client
