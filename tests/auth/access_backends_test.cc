// The access layer over domain::Storage on both backends (issue 27): the
// first admin key, KeyAdmin and the authorizer need nothing of SQLite, and a
// key revoked through one handle (a node) is refused through another from
// its next request on.
#include <gtest/gtest.h>

#include <filesystem>

#include "auth/authorizer.h"
#include "auth/bootstrap.h"
#include "auth/key_admin.h"
#include "store/contract_fixture.h"

namespace facepass::auth {
namespace {

using Outcome = Decision::Outcome;
using store::testing_util::ContractTest;

class AccessBackendsTest : public ContractTest {
 protected:
  static Decision Check(KeyAuthorizer& auth, const std::string& key) {
    return auth.Check({"GET", "/api/keys/v1/list", "Bearer " + key, "", "192.168.0.9"});
  }
  KeyAuthorizer Authorizer(domain::Storage& s) {
    return KeyAuthorizer(s.keys(), s.audit(), KeyAuthorizer::Options(), [] { return int64_t(5000); });
  }
};

TEST_P(AccessBackendsTest, FirstAdminKeyOnceThenNever) {
  store::testing_util::TempDir dir;
  auto file = EnsureAdminKey(s().keys(), dir.path(), 1000);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(file->has_value());
  EXPECT_TRUE(std::filesystem::exists(**file));
  // A second node on the same data finds the key and mints none.
  auto other = OpenAnother();
  auto again = EnsureAdminKey(other->keys(), dir.path(), 2000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(s().keys().ListKeys().value().size(), 1u);
}

TEST_P(AccessBackendsTest, RevokedOnOneHandleIsRefusedOnTheOther) {
  KeyAdmin admin(s().keys(), s().audit());
  auto key = admin.Create("ops", Role::kAdmin, 1000);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(admin.Create("ops", Role::kViewer, 1001).status().code(), StatusCode::kAlreadyExists);

  auto other = OpenAnother();
  KeyAuthorizer there = Authorizer(*other);
  Decision d = Check(there, *key);
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_EQ(d.key_name, "ops");

  ASSERT_TRUE(admin.Revoke("ops", 3000).ok());
  EXPECT_EQ(admin.Revoke("ops", 3001).code(), StatusCode::kNotFound);
  EXPECT_EQ(Check(there, *key).outcome, Outcome::kUnauthorized);

  auto keys = KeyAdmin(other->keys(), other->audit()).List();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_TRUE((*keys)[0].revoked);
  EXPECT_EQ((*keys)[0].revoked_ms, 3000);
}

TEST_P(AccessBackendsTest, AuditRowsFromEitherHandleInOnePage) {
  KeyAdmin here(s().keys(), s().audit());
  auto other = OpenAnother();
  KeyAdmin there(other->keys(), other->audit());
  domain::AuditRecord row{0, 100, "ops", "admin", "10.0.0.1", "POST /api/group/v1/bind", "group_name=g", 0};
  ASSERT_TRUE(here.Record(row).ok());
  row.at_ms = 200;
  row.source_ip = "10.0.0.2";
  ASSERT_TRUE(there.Record(row).ok());
  // A refused key is audited by the authorizer of the node that refused it.
  KeyAuthorizer auth = Authorizer(*other);
  EXPECT_EQ(Check(auth, "not-a-key").outcome, Outcome::kUnauthorized);

  auto page = here.QueryAudit(0, INT64_MAX, 10, {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->rows.size(), 3u);
  EXPECT_EQ(page->rows[0].source_ip, "10.0.0.1");
  EXPECT_EQ(page->rows[1].source_ip, "10.0.0.2");
  EXPECT_EQ(page->rows[2].at_ms, 5000);
  EXPECT_EQ(page->rows[2].endpoint, "GET /api/keys/v1/list");
  auto first = here.QueryAudit(0, INT64_MAX, 1, {});
  ASSERT_TRUE(first.ok() && first->next_cursor.has_value());
  auto rest = there.QueryAudit(0, INT64_MAX, 10, *first->next_cursor);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->rows.size(), 2u);
}

FP_INSTANTIATE_CONTRACT(AccessBackendsTest);

}  // namespace
}  // namespace facepass::auth
