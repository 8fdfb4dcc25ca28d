// Issue 13, finding 7: an optional allow-list of Host names (--allowed-hosts),
// so that a DNS-rebinding page cannot reach an --auth off server under its
// own name. Unit rules, then through a real Server over loopback.
#include "http/host_allow_list.h"

#include <gtest/gtest.h>

#include "http/server.h"
#include "http/test_http_client.h"

namespace facepass::http {
namespace {

TEST(HostAllowList, NameOfStripsThePortAndFoldsCase) {
  EXPECT_EQ(HostAllowList::NameOf("Gate.Example.COM"), "gate.example.com");
  EXPECT_EQ(HostAllowList::NameOf("gate.example.com:8080"), "gate.example.com");
  EXPECT_EQ(HostAllowList::NameOf("gate.example.com."), "gate.example.com");
  EXPECT_EQ(HostAllowList::NameOf("10.0.0.5:80"), "10.0.0.5");
  EXPECT_EQ(HostAllowList::NameOf("[::1]:8080"), "[::1]");
  EXPECT_EQ(HostAllowList::NameOf("[::1]"), "[::1]");
  EXPECT_EQ(HostAllowList::NameOf(""), "");
  EXPECT_EQ(HostAllowList::NameOf(":8080"), "");
  EXPECT_EQ(HostAllowList::NameOf("[::1"), "");
  EXPECT_EQ(HostAllowList::NameOf("[::1]x"), "");
  EXPECT_EQ(HostAllowList::NameOf("::1"), "");  // a bare v6 address is not a Host value
  EXPECT_EQ(HostAllowList::NameOf("a b"), "");
  EXPECT_EQ(HostAllowList::NameOf(std::string("a\0b", 3)), "");
}

TEST(HostAllowList, EmptyAllowsEverythingElseOnlyItsNames) {
  EXPECT_TRUE(HostAllowList().Allows("anything.example"));
  EXPECT_TRUE(HostAllowList().Allows(""));
  auto list = HostAllowList::Parse({"gate.example.com", "localhost", "127.0.0.1:8080"});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->Allows("gate.example.com"));
  EXPECT_TRUE(list->Allows("GATE.example.com:443"));
  EXPECT_TRUE(list->Allows("localhost:8080"));
  EXPECT_TRUE(list->Allows("127.0.0.1:9"));  // the port never matters
  EXPECT_FALSE(list->Allows("evil.example"));
  EXPECT_FALSE(list->Allows("gate.example.com.evil.example"));
  EXPECT_FALSE(list->Allows(""));  // no Host at all
  EXPECT_FALSE(list->Allows("[::1]"));
}

TEST(HostAllowList, ParseRefusesMalformedNames) {
  EXPECT_FALSE(HostAllowList::Parse({""}).ok());
  EXPECT_FALSE(HostAllowList::Parse({"ok.example", "bad name"}).ok());
  EXPECT_TRUE(HostAllowList::Parse({}).ok());
}

class HostCheckServer : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> hosts) {
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    auto list = HostAllowList::Parse(hosts);
    ASSERT_TRUE(list.ok());
    o.allowed_hosts = std::move(*list);
    server_ = std::make_unique<Server>(
        o, std::vector<Route>{{"GET", "/ping", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"pong", 1}}); }}});
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(HostCheckServer, AnotherHostIsAnswered421BeforeRouting) {
  Start({"gate.example.com", "127.0.0.1"});
  TestHttpClient http(base_);
  TestResponse ok = http.Get("/ping");  // curl sends Host: 127.0.0.1:<port>
  ASSERT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(ok.status, 200) << ok.body;
  TestResponse named = http.Get("/ping", {{"Host", "Gate.Example.com:8080"}});
  EXPECT_EQ(named.status, 200) << named.body;
  for (const char* evil : {"rebind.evil.example", "rebind.evil.example:8080", "gate.example.com.evil"}) {
    TestResponse r = http.Get("/ping", {{"Host", evil}});
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 421) << evil;
    EXPECT_EQ(r.Json()["code"], 104421) << r.body;
    EXPECT_EQ(r.Json()["message"], "MISDIRECTED_REQUEST: host") << r.body;
  }
  // Unknown paths too: nothing of the API is revealed to another Host.
  EXPECT_EQ(http.Get("/nope", {{"Host", "rebind.evil.example"}}).status, 421);
}

TEST_F(HostCheckServer, NoListAnswersAnyHost) {
  Start({});
  TestHttpClient http(base_);
  EXPECT_EQ(http.Get("/ping", {{"Host", "rebind.evil.example"}}).status, 200);
}

// The rest of finding 7: a cross-site page cannot attach the Authorization
// header without a CORS preflight, and the server grants none.
TEST_F(HostCheckServer, NoCorsIsGranted) {
  Start({});
  TestHttpClient http(base_);
  TestResponse r = http.Get("/ping", {{"Origin", "https://evil.example"}, {"Authorization", "Bearer x"}});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), nullptr);
  EXPECT_EQ(r.Header("Access-Control-Allow-Credentials"), nullptr);
}

}  // namespace
}  // namespace facepass::http
