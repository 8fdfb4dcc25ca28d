// The console's static routes (issue 11) through a real http::Server over
// loopback: content types and security headers, index and redirect, unknown
// files 404, traversal attempts never reach a file; and the embedded web/
// files themselves (fp_console_assets) all have a known type.
#include "http/static_files.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "api/console_assets.h"
#include "http/test_http_client.h"

namespace facepass::http {
namespace {

const std::vector<StaticFile>& Files() {
  static const std::vector<StaticFile> kFiles = {
      {"index.html", "<!doctype html><title>t</title>"},
      {"app.js", "export const x = 1;"},
      {"css/console.css", "body{}"},
      {"logo.svg", "<svg/>"},
      {"data.bin", std::string_view("\0\1", 2)},
  };
  return kFiles;
}

// The request line exactly as written (curl would resolve "../" itself);
// returns the status line.
std::string RawStatusLine(uint16_t port, const std::string& target) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out.substr(0, out.find("\r\n"));
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::err);
    std::vector<Route> routes = StaticRoutes("/console", Files());
    routes.push_back({"GET", "/api/secret", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"secret", 1}}); }});
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    server_ = std::make_unique<Server>(o, std::move(routes));
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  std::unique_ptr<Server> server_;
  std::string base_;
};

void ExpectSecurityHeaders(const TestResponse& r) {
  ASSERT_NE(r.Header("Cache-Control"), nullptr);
  EXPECT_EQ(*r.Header("Cache-Control"), "no-cache");
  ASSERT_NE(r.Header("Content-Security-Policy"), nullptr);
  const std::string& csp = *r.Header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("img-src 'self' blob: data:"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
  ASSERT_NE(r.Header("X-Content-Type-Options"), nullptr);
  EXPECT_EQ(*r.Header("X-Content-Type-Options"), "nosniff");
  ASSERT_NE(r.Header("X-Frame-Options"), nullptr);
  EXPECT_EQ(*r.Header("X-Frame-Options"), "DENY");
}

TEST_F(StaticFilesTest, FilesWithTheirTypesAndHeaders) {
  TestHttpClient c(base_);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/console/", "text/html; charset=utf-8"},
      {"/console/index.html", "text/html; charset=utf-8"},
      {"/console/app.js", "text/javascript; charset=utf-8"},
      {"/console/css/console.css", "text/css; charset=utf-8"},
      {"/console/logo.svg", "image/svg+xml"},
      {"/console/data.bin", "application/octet-stream"},
  };
  for (const auto& [path, type] : cases) {
    SCOPED_TRACE(path);
    TestResponse r = c.Get(path);
    EXPECT_EQ(r.status, 200);
    ASSERT_NE(r.Header("Content-Type"), nullptr);
    EXPECT_EQ(*r.Header("Content-Type"), type);
    ExpectSecurityHeaders(r);
  }
  EXPECT_EQ(c.Get("/console/").body, "<!doctype html><title>t</title>");
  EXPECT_EQ(c.Get("/console/app.js").body, "export const x = 1;");
  EXPECT_EQ(c.Get("/console/data.bin").body, std::string("\0\1", 2));
}

TEST_F(StaticFilesTest, ETagRevalidationAnswers304) {
  TestHttpClient c(base_);
  TestResponse first = c.Get("/console/app.js");
  ASSERT_NE(first.Header("ETag"), nullptr);
  const std::string etag = *first.Header("ETag");
  EXPECT_EQ(etag.size(), 18u) << etag;  // "16 hex digits"
  TestResponse again = c.Get("/console/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  ExpectSecurityHeaders(again);
  EXPECT_EQ(c.Get("/console/app.js", {{"If-None-Match", "\"0000000000000000\""}}).status, 200);
  // Another file's tag does not match; the index has its own.
  EXPECT_EQ(c.Get("/console/css/console.css", {{"If-None-Match", etag}}).status, 200);
  TestResponse index = c.Get("/console/");
  ASSERT_NE(index.Header("ETag"), nullptr);
  EXPECT_NE(*index.Header("ETag"), etag);
  EXPECT_EQ(c.Get("/console/", {{"If-None-Match", *index.Header("ETag")}}).status, 304);
}

TEST_F(StaticFilesTest, BareConsoleRedirectsToTheSlash) {
  TestHttpClient c(base_);  // does not follow redirects
  TestResponse r = c.Get("/console");
  EXPECT_EQ(r.status, 301);
  ASSERT_NE(r.Header("Location"), nullptr);
  EXPECT_EQ(*r.Header("Location"), "/console/");
  ExpectSecurityHeaders(r);
  EXPECT_EQ(c.Get("/console?x=1").status, 301);
}

TEST_F(StaticFilesTest, UnknownFilesAre404) {
  TestHttpClient c(base_);
  for (const char* path : {"/console/nothing.js", "/console/css", "/console/css/", "/console/INDEX.HTML",
                           "/console/index.html.bak", "/consoleapp.js", "/console//app.js"}) {
    SCOPED_TRACE(path);
    TestResponse r = c.Get(path);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.Json()["code"], 104404);
  }
  EXPECT_EQ(c.Send("POST", "/console/app.js", "", "").status, 405);
}

TEST_F(StaticFilesTest, TraversalNeverReachesAFileOrARoute) {
  const uint16_t port = server_->port();
  EXPECT_EQ(RawStatusLine(port, "/console/app.js"), "HTTP/1.1 200 OK");  // the helper works
  for (const char* target : {"/console/../api/secret", "/console/%2e%2e/api/secret", "/console/..%2fapi/secret",
                             "/console/css/../app.js", "/console/./app.js", "/console/../../etc/passwd",
                             "/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(RawStatusLine(port, target), "HTTP/1.1 404 Not Found");
  }
}

TEST(ConsoleAssets, EmbeddedWebFilesHaveAnIndexAndKnownTypes) {
  const std::vector<StaticFile>& files = api::ConsoleAssets();
  bool index = false;
  for (const StaticFile& f : files) {
    SCOPED_TRACE(std::string(f.name));
    index |= f.name == "index.html";
    EXPECT_FALSE(f.bytes.empty());
    EXPECT_NE(ContentTypeFor(f.name), "application/octet-stream");
    EXPECT_EQ(f.name.find(".."), std::string_view::npos);
  }
  EXPECT_TRUE(index);
}

}  // namespace
}  // namespace facepass::http
