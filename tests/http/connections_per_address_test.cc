// Issue 13, finding 3: held-open connections from one address locked every
// other client out. With --max-connections-per-address they cannot.
#include "http/connections_per_address.h"
#include "http/idle_connections.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http/server.h"

namespace facepass::http {
namespace {

using namespace std::chrono_literals;

TEST(ConnectionsPerAddress, CountsPerAddressUpToTheLimit) {
  ConnectionsPerAddress c(2);
  EXPECT_TRUE(c.Admits("10.0.0.1"));
  c.Opened("10.0.0.1");
  c.Opened("10.0.0.1");
  EXPECT_FALSE(c.Admits("10.0.0.1"));
  EXPECT_TRUE(c.Admits("10.0.0.2"));  // another address is not affected
  c.Closed("10.0.0.1");
  EXPECT_TRUE(c.Admits("10.0.0.1"));
  EXPECT_EQ(c.open("10.0.0.1"), 1u);
  c.Closed("10.0.0.1");
  c.Closed("10.0.0.1");  // an unpaired close does not go below zero
  EXPECT_EQ(c.open("10.0.0.1"), 0u);
  ConnectionsPerAddress unlimited(0);
  for (int i = 0; i < 100; ++i) unlimited.Opened("a");
  EXPECT_TRUE(unlimited.Admits("a"));
}

// A TCP connection from `source` (a loopback address) to the server; -1 on failure.
int Connect(const char* source, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One GET /ping on a new connection from `source`: the status line, or "" when
// the connection was closed without an answer.
std::string Ping(const char* source, uint16_t port) {
  int fd = Connect(source, port);
  if (fd < 0) return "";
  const std::string req = "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  char buf[256];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n <= 0) return "";
  std::string head(buf, static_cast<size_t>(n));
  return head.substr(0, head.find("\r\n"));
}

class PerAddressServer : public ::testing::Test {
 protected:
  void Start(size_t per_address) {
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    o.max_connections = 40;
    o.max_connections_per_address = per_address;
    server_ = std::make_unique<Server>(
        o, std::vector<Route>{{"GET", "/ping", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"pong", 1}}); }}});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    for (int fd : idle_) ::close(fd);
    if (server_) server_->Stop();
  }
  // n idle connections from `source`, given time to be accepted.
  void HoldIdle(const char* source, int n) {
    for (int i = 0; i < n; ++i) {
      int fd = Connect(source, server_->port());
      if (fd >= 0) idle_.push_back(fd);
    }
    std::this_thread::sleep_for(300ms);
  }
  std::unique_ptr<Server> server_;
  std::vector<int> idle_;
};

TEST_F(PerAddressServer, OneAddressCannotTakeEveryConnection) {
  Start(10);
  HoldIdle("127.0.0.1", 60);  // more than the whole cap of 40
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Ping("127.0.0.2", server_->port()), "HTTP/1.1 200 OK");  // another address: served at once
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(Ping("127.0.0.1", server_->port()), "");  // the address itself holds its 10: no eleventh
  for (int fd : idle_) ::close(fd);
  idle_.clear();
  bool served = false;  // once they are gone, it is served again
  for (int i = 0; i < 50 && !served; ++i) {
    served = Ping("127.0.0.1", server_->port()) == "HTTP/1.1 200 OK";
    if (!served) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(served);
  // Refusals gave their slots back: the cap still takes 40 from other addresses.
  HoldIdle("127.0.0.3", 10);
  HoldIdle("127.0.0.4", 10);
  HoldIdle("127.0.0.5", 10);
  EXPECT_EQ(Ping("127.0.0.6", server_->port()), "HTTP/1.1 200 OK");
}

// What finding 3 measured: without a per-address limit one address filled the
// cap with idle connections and another waited past the 5 s receive timeout.
// Now, from 7/8 of the cap on, each new connection closes the one idle
// longest: the newcomer is served at once and the oldest idle ones see EOF.
TEST_F(PerAddressServer, IdleConnectionsAreEvictedOldestFirstNearTheCap) {
  Start(0);
  HoldIdle("127.0.0.1", 45);  // more than the cap of 40
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(Ping("127.0.0.2", server_->port()), "HTTP/1.1 200 OK");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  // The first ones opened were closed by the server (EOF), the last are still open.
  char c;
  ASSERT_GE(idle_.size(), 40u);
  EXPECT_EQ(::recv(idle_.front(), &c, 1, 0), 0);
  timeval quick{0, 200000};
  ::setsockopt(idle_[36], SOL_SOCKET, SO_RCVTIMEO, &quick, sizeof quick);
  EXPECT_EQ(::recv(idle_[36], &c, 1, 0), -1);  // no EOF: still held (timed out waiting)
}

TEST(IdleConnections, EvictsOldestFirstAndSkipsThoseThatLeft) {
  IdleConnections idle;
  std::vector<int> evicted;
  const uint64_t a = idle.Enter([&] { evicted.push_back(1); });
  const uint64_t b = idle.Enter([&] { evicted.push_back(2); });
  idle.Enter([&] { evicted.push_back(3); });
  idle.Leave(a);  // busy with a request: not evictable
  EXPECT_EQ(idle.size(), 2u);
  EXPECT_TRUE(idle.EvictOldest());
  EXPECT_EQ(evicted, std::vector<int>{2});
  idle.Leave(b);  // already gone: no effect
  EXPECT_TRUE(idle.EvictOldest());
  EXPECT_FALSE(idle.EvictOldest());
  EXPECT_EQ(evicted, (std::vector<int>{2, 3}));
}

}  // namespace
}  // namespace facepass::http
