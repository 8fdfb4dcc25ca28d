// KeyAuthorizer against a real store: keys, revocation, device networks,
// the limiter, audit rows, bootstrap.
#include "auth/authorizer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "auth/api_key.h"
#include "auth/bootstrap.h"
#include "store/database.h"
#include "store/temp_dir.h"

namespace facepass::auth {
namespace {

using Outcome = Decision::Outcome;

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    for (const char* role : {"admin", "operator", "device", "viewer"}) {
      keys_[role] = GenerateKey().value();
      ASSERT_TRUE(db_->InsertKey(std::string(role) + "_key", role, HashKey(keys_[role]), 1).ok());
    }
    KeyAuthorizer::Options o;
    o.device_networks = NetworkList::Parse("127.0.0.0/8").value();
    auth_ = std::make_unique<KeyAuthorizer>(*db_, *db_, o, [this] { return now_; });
  }
  Decision Check(const std::string& method, const std::string& path, const std::string& bearer,
                 const std::string& ip = "192.168.0.9") {
    return auth_->Check({method, path, bearer.empty() ? "" : "Bearer " + bearer, "", ip});
  }
  std::vector<store::AuditRecord> Audit() { return db_->QueryAudit(0, INT64_MAX, 1000).value().rows; }

  store::testing_util::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<KeyAuthorizer> auth_;
  int64_t now_ = 1'000'000;
};

TEST_F(AuthorizerTest, RolesAndRefusals) {
  EXPECT_EQ(Check("POST", "/api/face/v1/delete", keys_["operator"]).outcome, Outcome::kAllow);
  Decision d = Check("POST", "/api/face/v1/delete", keys_["viewer"]);
  EXPECT_EQ(d.outcome, Outcome::kForbidden);
  EXPECT_EQ(d.role, Role::kViewer);
  EXPECT_EQ(d.key_name, "viewer_key");
  EXPECT_EQ(Check("POST", "/api/face/v1/delete", "").outcome, Outcome::kUnauthorized);
  EXPECT_EQ(Check("POST", "/api/face/v1/delete", "nope").outcome, Outcome::kUnauthorized);
  // X-API-Key works too.
  EXPECT_EQ(auth_->Check({"GET", "/api/version/v1", "", keys_["viewer"], "192.168.0.9"}).outcome, Outcome::kAllow);
  d = Check("GET", "/api/service/config/v1", keys_["admin"]);
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_EQ(d.key_name, "admin_key");

  auto rows = Audit();
  ASSERT_EQ(rows.size(), 3u);  // the forbidden one and the two unauthorized
  EXPECT_EQ(rows[0].result_code, kForbiddenCode);
  EXPECT_EQ(rows[0].key_name, "viewer_key");
  EXPECT_EQ(rows[0].role, "viewer");
  EXPECT_EQ(rows[0].endpoint, "POST /api/face/v1/delete");
  EXPECT_EQ(rows[0].source_ip, "192.168.0.9");
  EXPECT_EQ(rows[1].result_code, kUnauthorizedCode);
  EXPECT_EQ(rows[1].key_name, "");
}

TEST_F(AuthorizerTest, RevocationTakesEffectOnTheNextRequest) {
  EXPECT_EQ(Check("POST", "/api/face/v1/add", keys_["operator"]).outcome, Outcome::kAllow);
  ASSERT_TRUE(db_->RevokeKey("operator_key", now_).ok());
  EXPECT_EQ(Check("POST", "/api/face/v1/add", keys_["operator"]).outcome, Outcome::kUnauthorized);
  // The refusal's row names the revoked key, but grants it no role.
  auto rows = Audit();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].result_code, kUnauthorizedCode);
  EXPECT_EQ(rows[0].key_name, "operator_key");
  EXPECT_EQ(rows[0].role, "");
}

TEST_F(AuthorizerTest, DeviceNetworksGrantDeviceOnly) {
  Decision d = Check("POST", "/api/service/recognize/v1", "", "127.0.0.2");
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_EQ(d.role, Role::kDevice);
  EXPECT_EQ(d.key_name, "");
  EXPECT_EQ(Check("POST", "/api/service/sync/v1", "", "127.0.0.2").outcome, Outcome::kAllow);
  EXPECT_EQ(Check("POST", "/api/face/v1/delete", "", "127.0.0.2").outcome, Outcome::kForbidden);
  EXPECT_EQ(Check("POST", "/api/service/recognize/v1", "", "10.0.0.1").outcome, Outcome::kUnauthorized);
  // A key, even from inside the network, is what counts; a bad one is 401.
  EXPECT_EQ(Check("POST", "/api/face/v1/delete", keys_["operator"], "127.0.0.2").outcome, Outcome::kAllow);
  EXPECT_EQ(Check("POST", "/api/service/recognize/v1", "bad", "127.0.0.2").outcome, Outcome::kUnauthorized);
}

TEST_F(AuthorizerTest, FailuresAreLimitedPerAddress) {
  for (int i = 0; i < 21; ++i) EXPECT_EQ(Check("GET", "/api/version/v1", "bad").outcome, Outcome::kUnauthorized);
  Decision d = Check("GET", "/api/version/v1", keys_["viewer"]);  // even a good key
  EXPECT_EQ(d.outcome, Outcome::kTooManyRequests);
  EXPECT_EQ(d.retry_after_ms, 60'000);
  EXPECT_EQ(Check("GET", "/api/version/v1", keys_["viewer"], "192.168.0.10").outcome, Outcome::kAllow);
  auto rows = Audit();
  ASSERT_EQ(rows.size(), 22u);  // 21 refusals + the block
  EXPECT_EQ(rows.back().result_code, kTooManyRequestsCode);
  now_ += 60'000;
  EXPECT_EQ(Check("GET", "/api/version/v1", keys_["viewer"]).outcome, Outcome::kAllow);
}

TEST_F(AuthorizerTest, LastUsedIsThrottled) {
  EXPECT_EQ(Check("GET", "/api/version/v1", keys_["viewer"]).outcome, Outcome::kAllow);
  auto last = [&] {
    const std::vector<store::KeyRecord> keys = db_->ListKeys().value();
    for (const auto& k : keys)
      if (k.name == "viewer_key") return k.last_used_ms;
    return int64_t(-1);
  };
  EXPECT_EQ(last(), now_);
  const int64_t first = now_;
  now_ += 1000;
  EXPECT_EQ(Check("GET", "/api/version/v1", keys_["viewer"]).outcome, Outcome::kAllow);
  EXPECT_EQ(last(), first);
  now_ += 60'000;
  EXPECT_EQ(Check("GET", "/api/version/v1", keys_["viewer"]).outcome, Outcome::kAllow);
  EXPECT_EQ(last(), now_);
}

TEST_F(AuthorizerTest, AuthOffAllowsEverything) {
  KeyAuthorizer::Options o;
  o.enabled = false;
  KeyAuthorizer off(*db_, *db_, o, [this] { return now_; });
  EXPECT_EQ(off.Check({"POST", "/api/keys/v1/create", "", "", "1.2.3.4"}).outcome, Outcome::kAllow);
}

TEST(AuthBootstrap, WritesOneAdminKeyOnce) {
  store::testing_util::TempDir dir;
  auto db = store::Database::Open(dir.path() / "facepass.db").value();
  auto file = EnsureAdminKey(*db, dir.path(), 5);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(file->has_value());
  EXPECT_EQ(**file, dir.path() / "admin.key");
  struct stat st{};
  ASSERT_EQ(::stat((*file)->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string key;
  std::ifstream(**file) >> key;
  EXPECT_EQ(key.size(), 43u);
  auto rec = db->FindKeyByHash(HashKey(key));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->role, "admin");
  EXPECT_EQ(rec->name, "admin");
  // Nothing in the database files holds the key in clear.
  for (const char* f : {"facepass.db", "facepass.db-wal"}) {
    std::ifstream in(dir.path() / f, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(key), std::string::npos) << f;
  }
  // Second start: nothing new, even after every key is revoked.
  ASSERT_TRUE(db->RevokeKey("admin", 6).ok());
  auto again = EnsureAdminKey(*db, dir.path(), 7);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

}  // namespace
}  // namespace facepass::auth
