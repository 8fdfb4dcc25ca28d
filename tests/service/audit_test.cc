// Issue 27, point 2: each change the services make commits the caller's audit
// row in its own transaction (domain/audited.h); a refused change writes none.
// On both backends (service_unit_pg.*).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/service_fixture.h"

namespace facepass::service::testing {
namespace {

class AuditTest : public ServiceFixture {
 protected:
  // A hook whose rows are told apart by `what`; counts its calls.
  domain::AuditHook Hook(const std::string& what) {
    return [this, what] {
      ++calls_;
      return Row(what);
    };
  }
  static domain::AuditRecord Row(const std::string& what) {
    domain::AuditRecord r;
    r.at_ms = 1000;
    r.key_name = "operator";
    r.role = "admin";
    r.source_ip = "192.0.2.7";
    r.endpoint = "POST /test";
    r.targets = what;
    return r;
  }
  std::vector<std::string> Targets() {
    auto page = store().audit().QueryAudit(0, INT64_MAX, 1000);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    if (page.ok())
      for (const domain::AuditRecord& r : page->rows) out.push_back(r.targets);
    return out;
  }
  int calls_ = 0;
};

TEST_F(AuditTest, EachGroupChangeCommitsItsRow) {
  const int64_t alice = Enrol("alice");
  ASSERT_TRUE(groups_->Create("staff_a", Hook("create")).ok());
  ASSERT_TRUE(groups_->Bind("staff_a", alice, Hook("bind")).ok());
  ASSERT_TRUE(groups_->Bind("staff_a", alice, Hook("bind again")).ok());  // no change, still a call to record
  ASSERT_TRUE(groups_->Unbind("staff_a", alice, Hook("unbind")).ok());
  ASSERT_TRUE(groups_->Delete("staff_a", Hook("delete")).ok());
  EXPECT_EQ(Targets(), (std::vector<std::string>{"create", "bind", "bind again", "unbind", "delete"}));
  EXPECT_EQ(calls_, 5);
  // The row is as the hook made it.
  auto page = store().audit().QueryAudit(0, INT64_MAX, 1);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].key_name, "operator");
  EXPECT_EQ(page->rows[0].role, "admin");
  EXPECT_EQ(page->rows[0].source_ip, "192.0.2.7");
  EXPECT_EQ(page->rows[0].endpoint, "POST /test");
  EXPECT_EQ(page->rows[0].at_ms, 1000);
}

TEST_F(AuditTest, RefusedGroupChangesWriteNoRow) {
  const int64_t alice = Enrol("alice");
  ASSERT_TRUE(groups_->Create("staff_a").ok());
  EXPECT_EQ(CodeOf(groups_->Create("staff_a", Hook("conflict"))), ErrorCode::kGroupNameConflict);
  EXPECT_EQ(CodeOf(groups_->Bind("nobody_here", alice, Hook("no group"))), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(groups_->Bind("staff_a", alice + 1000, Hook("no face"))), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(CodeOf(groups_->Unbind("staff_a", alice, Hook("not bound"))), ErrorCode::kGroupBindingNotExist);
  EXPECT_EQ(CodeOf(groups_->Delete("nobody_here", Hook("no group"))), ErrorCode::kGroupNameNotExist);
  EXPECT_TRUE(Targets().empty());
  EXPECT_EQ(Version("staff_a"), 1);
}

TEST_F(AuditTest, FaceChangesCommitTheirRows) {
  int64_t seen_image = 0, seen_face = 0;
  auto added = faces_->Add(analyzer_.PhotoOf("bob"), "Bob", [&](int64_t image_id, int64_t face_id) {
    seen_image = image_id;
    seen_face = face_id;
    return Row("add " + std::to_string(face_id));
  });
  ASSERT_TRUE(added.ok()) << MessageOf(added);
  EXPECT_EQ(seen_image, added->image_id);
  EXPECT_EQ(seen_face, added->face_id);
  ASSERT_TRUE(faces_->Relabel(added->face_id, "Robert", Hook("relabel")).ok());
  ASSERT_TRUE(faces_->Delete(added->face_id, Hook("delete")).ok());
  EXPECT_EQ(Targets(), (std::vector<std::string>{"add " + std::to_string(added->face_id), "relabel", "delete"}));
}

TEST_F(AuditTest, RefusedFaceChangesWriteNoRow) {
  bool asked = false;
  auto no_face = faces_->Add(analyzer_.PhotoWithoutFace(), std::nullopt, [&](int64_t, int64_t) {
    asked = true;
    return Row("add");
  });
  ASSERT_TRUE(no_face.ok()) << MessageOf(no_face);
  ASSERT_TRUE(no_face->refusal.has_value()) << "a photo without a face is refused";
  EXPECT_FALSE(asked);
  EXPECT_EQ(CodeOf(faces_->Relabel(987654, "x", Hook("relabel"))), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(CodeOf(faces_->Delete(987654, Hook("delete"))), ErrorCode::kFaceTokenNotExist);
  EXPECT_TRUE(Targets().empty());
}

TEST_F(AuditTest, AThresholdChangeCommitsItsRowAndNoChangeWritesNone) {
  ASSERT_TRUE(config_->Update({{"recognize_threshold", "80"}}, Hook("config")).ok());
  ASSERT_TRUE(config_->Update({{"unknown_key", "5"}}, Hook("nothing to change")).ok());
  EXPECT_FALSE(config_->Update({{"compare_threshold", "200"}}, Hook("bad value")).ok());
  EXPECT_EQ(Targets(), std::vector<std::string>{"config"});
  EXPECT_EQ(config_->Get().recognize, 80);
}

}  // namespace
}  // namespace facepass::service::testing
