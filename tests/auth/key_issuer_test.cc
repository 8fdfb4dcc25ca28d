// IssueKey against a real store: what the API, the CLI and the bootstrap share.
#include "auth/key_issuer.h"

#include <gtest/gtest.h>

#include "auth/api_key.h"
#include "store/database.h"
#include "store/temp_dir.h"

namespace facepass::auth {
namespace {

class KeyIssuerTest : public ::testing::Test {
 protected:
  size_t KeyCount() { return db_->ListKeys().value().size(); }

  store::testing_util::TempDir dir_;
  std::unique_ptr<store::Database> db_ = store::Database::Open(dir_.path() / "facepass.db").value();
};

TEST_F(KeyIssuerTest, StoresOnlyTheHashUnderTheNameAndRole) {
  auto key = IssueKey(*db_, "gate_1", Role::kDevice, 42);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->size(), 43u);
  auto rec = db_->FindKeyByHash(HashKey(*key));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->name, "gate_1");
  EXPECT_EQ(rec->role, "device");
  EXPECT_EQ(rec->created_ms, 42);
}

TEST_F(KeyIssuerTest, NamesAreNeverReusedRevokedOnesIncluded) {
  ASSERT_TRUE(IssueKey(*db_, "alice", Role::kOperator, 1).ok());
  EXPECT_EQ(IssueKey(*db_, "alice", Role::kViewer, 2).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(db_->RevokeKey("alice", 3).ok());
  EXPECT_EQ(IssueKey(*db_, "alice", Role::kViewer, 4).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(KeyCount(), 1u);
}

TEST_F(KeyIssuerTest, ABadNameStoresNothing) {
  for (const char* bad : {"", "has space", "semi;colon"}) {
    EXPECT_EQ(IssueKey(*db_, bad, Role::kAdmin, 1).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(IssueKey(*db_, std::string(65, 'a'), Role::kAdmin, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyCount(), 0u);
}

TEST_F(KeyIssuerTest, BeforeStoreSeesTheKeyAndItsErrorStoresNothing) {
  std::string seen;
  auto key = IssueKey(*db_, "first", Role::kAdmin, 1, [&](const std::string& k) {
    seen = k;
    return Status::OK();
  });
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(seen, *key);
  auto failed = IssueKey(*db_, "second", Role::kAdmin, 2,
                         [](const std::string&) { return Status::IoError("disk full"); });
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_EQ(KeyCount(), 1u);
}

}  // namespace
}  // namespace facepass::auth
