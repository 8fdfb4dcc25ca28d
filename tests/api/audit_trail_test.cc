// The audit trail's wrapper (api/audit_trail.h): a change whose hook was used
// and that answered success already committed its row, so Audited() appends
// none; every other call (refused, failed, thrown, nothing changed) gets one
// row from Audited(), with the answer's code. Over a real SQLite store.
#include "api/audit_trail.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "auth/key_admin.h"
#include "common/error_code.h"
#include "store/database.h"
#include "store/token_cipher.h"
#include "support/server_process.h"

namespace facepass::api {
namespace {

class AuditTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = facepass::testing::MakeTempDir("facepass-audit-trail");
    auto db = store::Database::Open(dir_ / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    admin_ = std::make_unique<auth::KeyAdmin>(*db_, *db_);
    req_.method = "POST";
    req_.path = "/api/group/v1/bind";
    req_.json = {{"group_name", "staff_a"}, {"face_token", "tok"}};
    req_.remote_ip = "192.0.2.9";
    req_.arrival_ms = 5000;
    req_.auth_key_name = "ops";
    req_.auth_role = "operator";
  }
  void TearDown() override {
    admin_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::vector<domain::AuditRecord> Rows() {
    auto page = db_->QueryAudit(0, INT64_MAX, 100);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->rows : std::vector<domain::AuditRecord>{};
  }
  ApiReply Call(AuditedHandler inner) { return Audited(*admin_, "POST /api/group/v1/bind", std::move(inner))(req_); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<auth::KeyAdmin> admin_;
  http::Request req_;
};

TEST_F(AuditTrailTest, TheHookMakesTheSuccessRow) {
  domain::AuditRecord made;
  ApiReply reply = Call([&](const http::Request&, AuditNote& note) {
    made = note.Hook()();  // what a store would commit with the change
    return ApiReply::Ok();
  });
  EXPECT_EQ(reply.code, 0);
  EXPECT_EQ(made.key_name, "ops");
  EXPECT_EQ(made.role, "operator");
  EXPECT_EQ(made.source_ip, "192.0.2.9");
  EXPECT_EQ(made.at_ms, 5000);
  EXPECT_EQ(made.endpoint, "POST /api/group/v1/bind");
  EXPECT_EQ(made.targets, "group_name=staff_a,face_token=tok");
  EXPECT_EQ(made.result_code, 0);
  // Committed by the store with the change: nothing appended afterwards.
  EXPECT_TRUE(Rows().empty());
}

TEST_F(AuditTrailTest, ACallThatUsedNoHookGetsItsRowAfterwards) {
  Call([](const http::Request&, AuditNote&) { return ApiReply::Error(errors::GroupNameNotExist()); });
  Call([](const http::Request&, AuditNote&) { return ApiReply::Ok(); });  // e.g. a config update changing nothing
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].result_code, static_cast<int>(ErrorCode::kGroupNameNotExist));
  EXPECT_EQ(rows[0].targets, "group_name=staff_a,face_token=tok");
  EXPECT_EQ(rows[1].result_code, 0);
}

TEST_F(AuditTrailTest, AFailureAfterAUsedHookStillGetsARow) {
  Call([](const http::Request&, AuditNote& note) {
    (void)note.Hook()();
    return ApiReply::Error(errors::InternalError());
  });
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].result_code, static_cast<int>(ErrorCode::kInternalError));
}

TEST_F(AuditTrailTest, AThrowingHandlerGetsAnInternalErrorRow) {
  EXPECT_THROW(Call([](const http::Request&, AuditNote&) -> ApiReply { throw std::runtime_error("boom"); }),
               std::runtime_error);
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].result_code, static_cast<int>(ErrorCode::kInternalError));
}

TEST_F(AuditTrailTest, FaceAddsRowNamesTheFaceAndImageItMade) {
  auto cipher = store::TokenCipher::FromSecret(std::string(48, 's'));
  ASSERT_TRUE(cipher.ok());
  req_.json = nlohmann::json();
  domain::AuditRecord made;
  Call([&](const http::Request&, AuditNote& note) {
    made = note.FaceAddHook(*cipher)(7, 11);
    return ApiReply::Ok();
  });
  EXPECT_EQ(made.targets, "face_token=" + cipher->Encode(store::TokenKind::kFace, 11) +
                              ",image_id=" + cipher->Encode(store::TokenKind::kImage, 7));
}

}  // namespace
}  // namespace facepass::api
