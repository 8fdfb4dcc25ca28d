// Held event streams (ApiReply::stream, http/event_stream.h) through the real
// server on loopback: head and events, no worker held, the cap's 503, the
// heartbeat, a peer that leaves, Stop().
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http/event_stream.h"
#include "http/server.h"
#include "http/test_http_client.h"

namespace facepass::http {
namespace {

using namespace std::chrono;

// A plain socket that sends one GET and reads what comes back.
class RawReader {
 public:
  RawReader(uint16_t port, const std::string& path) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    connected_ = ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
  }
  ~RawReader() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }
  // Reads until `needle` has arrived (true) or the time is up / the peer closed (false).
  bool WaitFor(const std::string& needle, milliseconds timeout = milliseconds(5000)) {
    const auto deadline = steady_clock::now() + timeout;
    while (got_.find(needle, seen_) == std::string::npos) {
      const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      if (left <= 0 || fd_ < 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = true;
        return got_.find(needle, seen_) != std::string::npos;
      }
      got_.append(buf, static_cast<size_t>(n));
    }
    seen_ = got_.find(needle, seen_) + needle.size();
    return true;
  }
  // true when the server closed the connection within the time.
  bool WaitClosed(milliseconds timeout) {
    while (!eof_ && WaitFor(std::string(1, '\x01'), timeout)) {
    }
    return eof_;
  }
  const std::string& got() const { return got_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string got_;
  size_t seen_ = 0;
};

// What the stream route's opener saw: the open streams and the unsubscribes.
struct Streams {
  std::mutex mu;
  std::vector<std::shared_ptr<EventStream>> open;
  std::atomic<int> opened{0}, unsubscribed{0};

  StreamOpener Opener() {
    return [this](std::shared_ptr<EventStream> s) -> std::function<void()> {
      s->Send("event: hello\ndata: 1\n\n");
      {
        std::lock_guard<std::mutex> lock(mu);
        open.push_back(s);
      }
      ++opened;
      return [this] { ++unsubscribed; };
    };
  }
  bool WaitOpened(int n) {
    for (int i = 0; i < 500 && opened < n; ++i) std::this_thread::sleep_for(milliseconds(10));
    return opened >= n;
  }
  bool WaitUnsubscribed(int n, milliseconds timeout) {
    const auto deadline = steady_clock::now() + timeout;
    while (unsubscribed < n && steady_clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
    return unsubscribed >= n;
  }
  int SendAll(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu);
    int ok = 0;
    for (auto& s : open) ok += s->Send(text) ? 1 : 0;
    return ok;
  }
};

class EventStreamTest : public ::testing::Test {
 protected:
  void Start(ServerOptions o) {
    o.port = 0;
    o.access_log = false;
    o.metrics = nullptr;
    std::vector<Route> routes = {
        {"GET", "/stream", BodyKind::kNone,
         [this](const Request&) {
           ApiReply r;
           r.stream = streams_.Opener();
           r.headers.emplace_back("X-Extra", "yes");
           return r;
         }},
        {"GET", "/plain", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"plain", true}}); }},
    };
    server_ = std::make_unique<Server>(o, std::move(routes));
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  uint16_t port() const { return server_->port(); }

  Streams streams_;
  std::unique_ptr<Server> server_;
};

TEST_F(EventStreamTest, HeadThenEventsFromAnyThread) {
  Start({});
  RawReader r(port(), "/stream");
  ASSERT_TRUE(r.connected());
  ASSERT_TRUE(r.WaitFor("event: hello\ndata: 1\n\n")) << r.got();
  EXPECT_NE(r.got().find("HTTP/1.1 200"), std::string::npos) << r.got();
  EXPECT_NE(r.got().find("Content-Type: text/event-stream"), std::string::npos) << r.got();
  EXPECT_NE(r.got().find("Transfer-Encoding: chunked"), std::string::npos) << r.got();
  EXPECT_NE(r.got().find("X-Extra: yes"), std::string::npos) << r.got();
  ASSERT_TRUE(streams_.WaitOpened(1));
  std::thread other([&] { EXPECT_EQ(streams_.SendAll("event: version\ndata: 7\n\n"), 1); });
  other.join();
  EXPECT_TRUE(r.WaitFor("event: version\ndata: 7\n\n")) << r.got();
}

TEST_F(EventStreamTest, HeldStreamsTakeNoWorker) {
  ServerOptions o;
  o.workers = 1;
  o.queue_limit = 1;
  Start(o);
  std::vector<std::unique_ptr<RawReader>> held;
  for (int i = 0; i < 50; ++i) {  // one by one: opening takes the worker for a moment
    held.push_back(std::make_unique<RawReader>(port(), "/stream"));
    ASSERT_TRUE(held.back()->WaitFor("event: hello")) << i;
  }
  ASSERT_TRUE(streams_.WaitOpened(50));
  TestHttpClient c("http://127.0.0.1:" + std::to_string(port()), 3000);
  const auto t0 = steady_clock::now();
  TestResponse plain = c.Get("/plain");
  EXPECT_EQ(plain.status, 200) << plain.error;
  EXPECT_LT(steady_clock::now() - t0, milliseconds(1000));
  EXPECT_EQ(streams_.SendAll("event: x\ndata: y\n\n"), 50);
  for (auto& r : held) EXPECT_TRUE(r->WaitFor("event: x\ndata: y\n\n"));
}

TEST_F(EventStreamTest, BeyondTheCapAnswers503WithRetryAfter) {
  ServerOptions o;
  o.max_streams = 3;
  o.stream_heartbeat = seconds(1);
  Start(o);
  std::vector<std::unique_ptr<RawReader>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawReader>(port(), "/stream"));
  ASSERT_TRUE(streams_.WaitOpened(3));
  TestHttpClient c("http://127.0.0.1:" + std::to_string(port()), 3000);
  TestResponse busy = c.Get("/stream");
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(busy.Json()["code"], 105003);
  ASSERT_NE(busy.Header("Retry-After"), nullptr);
  EXPECT_EQ(*busy.Header("Retry-After"), "5");
  EXPECT_EQ(c.Get("/plain").status, 200);
  // A slot freed by a leaving peer is usable again.
  held[0]->Close();
  ASSERT_TRUE(streams_.WaitUnsubscribed(1, milliseconds(5000)));
  RawReader again(port(), "/stream");
  EXPECT_TRUE(again.WaitFor("event: hello"));
}

TEST_F(EventStreamTest, HeartbeatFindsAPeerThatLeft) {
  ServerOptions o;
  o.stream_heartbeat = seconds(1);
  Start(o);
  auto r = std::make_unique<RawReader>(port(), "/stream");
  ASSERT_TRUE(r->WaitFor("event: hello"));
  EXPECT_TRUE(r->WaitFor(":\n\n", milliseconds(3000))) << "no heartbeat: " << r->got();
  r->Close();
  // The first write after the close meets a reset, the next one fails.
  EXPECT_TRUE(streams_.WaitUnsubscribed(1, milliseconds(5000)));
  EXPECT_EQ(streams_.SendAll("event: late\ndata: 1\n\n"), 0);
}

TEST_F(EventStreamTest, StopEndsHeldStreamsAtOnce) {
  Start({});
  RawReader r(port(), "/stream");
  ASSERT_TRUE(r.WaitFor("event: hello"));
  ASSERT_TRUE(streams_.WaitOpened(1));
  const auto t0 = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - t0, milliseconds(2000));
  EXPECT_EQ(streams_.unsubscribed.load(), 1);
  EXPECT_TRUE(r.WaitClosed(milliseconds(2000)));
  EXPECT_EQ(streams_.SendAll("event: late\ndata: 1\n\n"), 0);
}

}  // namespace
}  // namespace facepass::http
