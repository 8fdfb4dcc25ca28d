// Issue 13, finding 4 (part): request lines of HTTP versions other than 1.x
// are answered 505 HTTP_VERSION_NOT_SUPPORTED with the envelope and closed;
// they used to reach the handler and be answered 200.
#include <gtest/gtest.h>

#include "http/server.h"
#include "raw_exchange.h"

namespace facepass::http {
namespace {

class HttpVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    server_ = std::make_unique<Server>(
        o, std::vector<Route>{{"GET", "/ping", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"pong", 1}}); }}});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }
  std::string Get(const std::string& version) {
    return RawExchange(server_->port(), "GET /ping " + version + "\r\nHost: 127.0.0.1\r\n\r\n");
  }
  std::unique_ptr<Server> server_;
};

TEST_F(HttpVersionTest, OtherMajorVersionsAre505AndClosed) {
  for (const char* v : {"HTTP/9.9", "HTTP/2.0", "HTTP/0.9", "HTTP/3.1"}) {
    const std::string answer = Get(v);  // returns only once the server closed the connection
    EXPECT_EQ(answer.rfind("HTTP/1.1 505 HTTP Version Not Supported\r\n", 0), 0u) << v << ": " << answer.substr(0, 120);
    EXPECT_NE(answer.find("\"code\":105005"), std::string::npos) << v << ": " << answer;
    EXPECT_NE(answer.find("HTTP_VERSION_NOT_SUPPORTED"), std::string::npos) << v;
    EXPECT_EQ(answer.find("pong"), std::string::npos) << v << " reached the handler";
  }
}

TEST_F(HttpVersionTest, Http10And11AreServed) {
  EXPECT_EQ(Get("HTTP/1.1\r\nConnection: close").rfind("HTTP/1.1 200", 0), 0u);
  const std::string old = Get("HTTP/1.0");
  EXPECT_NE(old.find(" 200 "), std::string::npos) << old.substr(0, 120);
}

}  // namespace
}  // namespace facepass::http
