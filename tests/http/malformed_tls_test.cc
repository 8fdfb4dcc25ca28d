// Issue 13, findings 3 and 4 on the HTTPS port: the guard of the plain port
// (src/http/guarded_socket.h) runs on the decrypted bytes too, so a malformed
// request over TLS is answered with its status and envelope, then closed,
// and a good one is served. The TLS client is the openssl command.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "http/server.h"
#include "store/temp_dir.h"
#include "tls_test_util.h"

namespace facepass::http {
namespace {

using testing_util::RunShell;

class MalformedTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_util::MakeSelfSignedCert(dir_.path())) GTEST_SKIP() << "no openssl command to make a certificate";
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    o.tls_cert_file = (dir_.path() / "cert.pem").string();
    o.tls_key_file = (dir_.path() / "key.pem").string();
    server_ = std::make_unique<Server>(
        o, std::vector<Route>{{"GET", "/ping", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"pong", 1}}); }}});
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  // Sends `request` over TLS and returns what came back until the server
  // closed (s_client -quiet waits for that).
  std::string OverTls(const std::string& request) {
    const std::string file = (dir_.path() / "request").string();
    FILE* f = std::fopen(file.c_str(), "wb");
    std::fwrite(request.data(), 1, request.size(), f);
    std::fclose(f);
    int rc = -1;
    return RunShell("timeout 20 openssl s_client -quiet -connect 127.0.0.1:" + std::to_string(server_->port()) +
                        " -CAfile '" + (dir_.path() / "cert.pem").string() + "' < '" + file + "' 2>/dev/null",
                    &rc);
  }
  store::testing_util::TempDir dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(MalformedTlsTest, MalformedRequestsAreAnsweredAndGoodOnesServed) {
  const std::string host = "Host: 127.0.0.1\r\n";
  struct Case {
    const char* name;
    std::string request;
    int status, code;
  };
  const Case cases[] = {
      {"unknown method", "FOO /ping HTTP/1.1\r\n" + host + "\r\n", 501, 105001},
      {"40 KB header", "GET /ping HTTP/1.1\r\n" + host + "X-Big: " + std::string(40 << 10, 'a') + "\r\n\r\n", 431, 104431},
      {"two Content-Lengths", "POST /ping HTTP/1.1\r\n" + host + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc", 400, 104400},
      {"HTTX/1.1", "GET /ping HTTX/1.1\r\n" + host + "\r\n", 400, 104400},
  };
  for (const Case& c : cases) {
    const std::string answer = OverTls(c.request);
    EXPECT_EQ(answer.rfind("HTTP/1.1 " + std::to_string(c.status) + " ", 0), 0u) << c.name << ": " << answer.substr(0, 200);
    EXPECT_NE(answer.find("\"code\":" + std::to_string(c.code)), std::string::npos) << c.name << ": " << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << c.name;
  }
  const std::string good = OverTls("GET /ping HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n");
  EXPECT_EQ(good.rfind("HTTP/1.1 200 ", 0), 0u) << good.substr(0, 200);
  EXPECT_NE(good.find("\"pong\":1"), std::string::npos) << good;
}

}  // namespace
}  // namespace facepass::http
