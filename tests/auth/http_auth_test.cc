// Through a real http::Server: the Authorizer hook with KeyAuthorizer over
// every endpoint of the permission table x no key / each role / a revoked
// key, device networks by source address, and HTTPS with a certificate the
// test generates (the SDK's client and the curl CLI; plain HTTP refused).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "auth/api_key.h"
#include "auth/http_authorizer.h"
#include "auth/permissions.h"
#include "client/http_client.h"
#include "http/server.h"
#include "http/test_http_client.h"
#include "http/tls_test_util.h"
#include "store/database.h"
#include "store/temp_dir.h"

namespace facepass::auth {
namespace {

using http::BodyKind;
using http::TestHttpClient;
using http::TestResponse;

constexpr const char* kRoles[] = {"admin", "operator", "device", "viewer"};

// Every endpoint of the table as a stub route that echoes who called it.
std::vector<http::Route> StubRoutes() {
  std::vector<http::Route> routes;
  for (const EndpointPermission& p : PermissionTable()) {
    routes.push_back({std::string(p.method), std::string(p.path), BodyKind::kNone, [](const http::Request& r) {
                        return ApiReply::Ok({{"role", r.auth_role}, {"key", r.auth_key_name}});
                      }});
  }
  return routes;
}

class HttpAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::err);
    auto db = store::Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    for (const char* role : kRoles) {
      keys_[role] = GenerateKey().value();
      ASSERT_TRUE(db_->InsertKey(std::string(role) + "_key", role, HashKey(keys_[role]), 1).ok());
    }
    keys_["revoked"] = GenerateKey().value();
    ASSERT_TRUE(db_->InsertKey("revoked_key", "admin", HashKey(keys_["revoked"]), 1).ok());
    ASSERT_TRUE(db_->RevokeKey("revoked_key", 2).ok());
  }
  void Start(http::ServerOptions o = {}) {
    KeyAuthorizer::Options ao;
    ao.device_networks = NetworkList::Parse("127.0.0.2/32").value();
    ao.limiter.max_failures = 1000;  // the matrix fails on purpose, often
    o.port = 0;
    o.host = "127.0.0.1";
    o.access_log = false;
    o.authorizer = HttpAuthorizer(std::make_shared<KeyAuthorizer>(*db_, *db_, ao, [] { return int64_t(1000); }));
    server_ = std::make_unique<http::Server>(o, StubRoutes());
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string Base(const char* scheme = "http") {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server_->port());
  }

  store::testing_util::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(HttpAuthTest, MatrixEveryEndpointEveryCredential) {
  // Everything logged meanwhile (refusals are logged at warn) is kept, to
  // check that no key appears in it.
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  spdlog::set_level(spdlog::level::trace);
  Start();
  TestHttpClient c(Base());
  for (const EndpointPermission& p : PermissionTable()) {
    const std::string method(p.method), path(p.path);
    SCOPED_TRACE(method + " " + path);
    if (p.public_prefix) {  // the console's files (issue 11): any credential or none
      EXPECT_EQ(c.Send(method, path, "", "").status, 200);
      EXPECT_EQ(c.Send(method, path, "", "", {{"Authorization", "Bearer " + keys_["revoked"]}}).status, 200);
      EXPECT_EQ(c.Send(method, path, "", "", {{"X-API-Key", keys_["viewer"]}}).status, 200);
      EXPECT_EQ(c.Send("POST", path, "", "").status, 405);
      continue;
    }
    TestResponse r = c.Send(method, path, "", "");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Json()["code"], 104401);
    EXPECT_EQ(r.Json()["message"], "UNAUTHORIZED");
    r = c.Send(method, path, "", "", {{"Authorization", "Bearer " + keys_["revoked"]}});
    EXPECT_EQ(r.status, 401);
    for (const char* role : kRoles) {
      SCOPED_TRACE(role);
      // Alternate the two headers: both must work everywhere.
      http::TestHeaders h = (path.size() % 2) ? http::TestHeaders{{"Authorization", "Bearer " + keys_[role]}}
                                              : http::TestHeaders{{"X-API-Key", keys_[role]}};
      r = c.Send(method, path, "", "", h);
      if (Allowed(*ParseRole(role), method, path)) {
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.Json()["data"]["role"], role);
        EXPECT_EQ(r.Json()["data"]["key"], std::string(role) + "_key");
      } else {
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(r.Json()["code"], 104403);
        EXPECT_EQ(r.Json()["message"], std::string("FORBIDDEN: ") + role);
      }
    }
  }
  // Unknown paths and wrong methods answer before auth.
  EXPECT_EQ(c.Get("/api/nothing/v1").status, 404);
  EXPECT_EQ(c.Send("DELETE", "/api/face/v1/add", "", "").status, 405);

  server_->Stop();
  spdlog::set_default_logger(previous);
  spdlog::set_level(spdlog::level::err);
  EXPECT_NE(log.str().find("forbidden for role viewer"), std::string::npos);
  for (const auto& [name, key] : keys_) EXPECT_EQ(log.str().find(key), std::string::npos) << name;
  // Nor in the database: only hashes and names (the WAL holds the recent writes).
  for (const char* f : {"facepass.db", "facepass.db-wal"}) {
    std::ifstream in(dir_.path() / f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& [name, key] : keys_) EXPECT_EQ(bytes.find(key), std::string::npos) << f << " " << name;
  }
}

TEST_F(HttpAuthTest, DeviceNetworkBySourceAddress) {
  Start();
  client::HttpOptions from_device;
  from_device.source_ip = "127.0.0.2";
  client::HttpClient device(from_device);
  auto r = device.Get(Base() + "/api/version/v1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  r = device.PostJson(Base() + "/api/service/sync/v1", "{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  r = device.PostJson(Base() + "/api/face/v1/delete", "{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(r->body.find("FORBIDDEN: device"), std::string::npos);

  client::HttpOptions from_other;
  from_other.source_ip = "127.0.0.1";
  auto o = client::HttpClient(from_other).PostJson(Base() + "/api/service/recognize/v1", "{}");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->status, 401);
  // The SDK's api_key option authenticates it.
  from_other.api_key = keys_["device"];
  o = client::HttpClient(from_other).PostJson(Base() + "/api/service/recognize/v1", "{}");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->status, 200);
}

using http::testing_util::RunShell;

TEST_F(HttpAuthTest, HttpsRoundTripWithSdkAndCurl) {
  ASSERT_TRUE(http::testing_util::MakeSelfSignedCert(dir_.path()));
  const std::string cert = (dir_.path() / "cert.pem").string();
  http::ServerOptions o;
  o.tls_cert_file = cert;
  o.tls_key_file = (dir_.path() / "key.pem").string();
  Start(o);

  client::HttpOptions ho;
  ho.ca_file = cert;
  ho.api_key = keys_["viewer"];
  auto r = client::HttpClient(ho).Get(Base("https") + "/api/version/v1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"viewer_key\""), std::string::npos);

  // Without the CA the certificate is not trusted: an error, not a response.
  ho.ca_file.clear();
  auto untrusted = client::HttpClient(ho).Get(Base("https") + "/api/version/v1");
  EXPECT_FALSE(untrusted.ok());

  int rc = -1;
  std::string out = RunShell("curl -sS --max-time 10 --cacert '" + cert + "' -H 'X-API-Key: " + keys_["viewer"] + "' " +
                            Base("https") + "/api/version/v1",
                        &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"code\":0"), std::string::npos) << out;

  // Plain HTTP to the TLS port: the handshake fails and the connection is
  // closed, promptly, with no HTTP response.
  client::HttpOptions plain;
  plain.timeout_ms = 5000;
  auto p = client::HttpClient(plain).Get(Base("http") + "/api/version/v1");
  EXPECT_FALSE(p.ok() && p->status != 0) << (p.ok() ? p->body : "");
  out = RunShell("curl -sS --max-time 5 -o /dev/null -w '%{http_code}' " + Base("http") + "/api/version/v1 2>/dev/null",
            &rc);
  EXPECT_NE(rc, 0);
  EXPECT_EQ(out, "000");
  // The server is still fine afterwards.
  ho.ca_file = cert;
  r = client::HttpClient(ho).Get(Base("https") + "/api/version/v1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpAuthTest, BadTlsFilesFailStart) {
  http::ServerOptions o;
  o.port = 0;
  o.tls_cert_file = (dir_.path() / "missing.pem").string();
  o.tls_key_file = (dir_.path() / "missing.key").string();
  http::Server s(o, StubRoutes());
  EXPECT_FALSE(s.Start().ok());
  http::ServerOptions half;
  half.port = 0;
  half.tls_cert_file = "x.pem";
  http::Server s2(half, StubRoutes());
  EXPECT_EQ(s2.Start().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace facepass::auth
