// Group version rules (docs/decisions.md "Groups and versions").
#include <gtest/gtest.h>

#include <algorithm>

#include "store/database.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

class StoreGroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db.value());
  }
  void TearDown() override {
    if (db_) {
      EXPECT_TRUE(db_->CheckIntegrity().ok()) << db_->CheckIntegrity().ToString();
    }
  }
  int64_t AddFace() {
    int64_t image = db_->InsertImage(ImageKind::kEnrol, "jpeg", "p", 1, 100, 100, 1).value();
    std::vector<float> f{1, 2, 3, 4};
    return db_->InsertFace(image, Rect{}, 1, f).value();
  }
  int64_t Version(const std::string& name) { return db_->GetGroupByName(name)->version; }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreGroupsTest, VersionRules) {
  auto g = db_->CreateGroup("group_a", 100);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->version, 1);
  EXPECT_EQ(g->name, "group_a");
  EXPECT_FALSE(g->deleted);
  EXPECT_EQ(db_->CreateGroup("group_a", 101).status().code(), StatusCode::kAlreadyExists);

  int64_t f1 = AddFace(), f2 = AddFace();
  EXPECT_TRUE(db_->Bind(g->id, f1, 102).value());
  EXPECT_EQ(Version("group_a"), 2);
  EXPECT_FALSE(db_->Bind(g->id, f1, 103).value());  // rebind: no-op
  EXPECT_EQ(Version("group_a"), 2);
  EXPECT_TRUE(db_->Bind(g->id, f2, 104).value());
  EXPECT_EQ(Version("group_a"), 3);
  EXPECT_EQ(db_->Unbind(g->id, f1, 105).value(), 4);
  EXPECT_EQ(db_->Unbind(g->id, f1, 106).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Version("group_a"), 4);
  EXPECT_EQ(db_->GroupFaceIds(g->id).value(), std::vector<int64_t>{f2});

  auto del = db_->DeleteGroup("group_a", 107);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->version, 5);
  EXPECT_TRUE(del->deleted);
  EXPECT_EQ(del->id, g->id);
  EXPECT_EQ(db_->GetGroupByName("group_a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->DeleteGroup("group_a", 108).status().code(), StatusCode::kNotFound);
  auto old = db_->GetGroupById(g->id);  // deleted ones stay readable by id
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->deleted);
  EXPECT_EQ(old->version, 5);
  EXPECT_TRUE(db_->GroupFaceIds(g->id)->empty());
  EXPECT_EQ(db_->Bind(g->id, f1, 109).status().code(), StatusCode::kNotFound);

  // Re-create continues from the last version (delete then create = last+2)
  // with a new group_id.
  auto again = db_->CreateGroup("group_a", 110);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 6);
  EXPECT_NE(again->id, g->id);
  EXPECT_GT(again->id, g->id);
  EXPECT_TRUE(db_->GroupFaceIds(again->id)->empty());
  EXPECT_TRUE(db_->Bind(again->id, f1, 111).value());
  EXPECT_EQ(Version("group_a"), 7);
}

TEST_F(StoreGroupsTest, GroupIdsNeverReused) {
  // Deleting the newest group must not let SQLite hand its id out again.
  int64_t a = db_->CreateGroup("group_a", 1)->id;
  ASSERT_TRUE(db_->DeleteGroup("group_a", 2).ok());
  int64_t b = db_->CreateGroup("group_b", 3)->id;
  EXPECT_GT(b, a);
}

TEST_F(StoreGroupsTest, BindNeedsLiveFaceAndGroup) {
  int64_t g = db_->CreateGroup("group_a", 1)->id;
  int64_t f = AddFace();
  EXPECT_EQ(db_->Bind(g, f + 100, 2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Bind(g + 100, f, 2).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(db_->DeleteFace(f, 3).ok());
  EXPECT_EQ(db_->Bind(g, f, 4).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Version("group_a"), 1);
  EXPECT_EQ(db_->Unbind(g, f, 5).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreGroupsTest, DeleteFaceUnbindsFromEveryGroup) {
  int64_t a = db_->CreateGroup("group_a", 1)->id;
  int64_t b = db_->CreateGroup("group_b", 1)->id;
  int64_t c = db_->CreateGroup("group_c", 1)->id;
  int64_t f = AddFace(), other = AddFace();
  ASSERT_TRUE(db_->Bind(a, f, 2).ok());
  ASSERT_TRUE(db_->Bind(c, f, 2).ok());
  ASSERT_TRUE(db_->Bind(c, other, 2).ok());
  auto groups = db_->DeleteFace(f, 3);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(*groups, (std::vector<int64_t>{a, c}));
  EXPECT_EQ(Version("group_a"), 3);
  EXPECT_EQ(Version("group_b"), 1);
  EXPECT_EQ(Version("group_c"), 4);
  EXPECT_TRUE(db_->GroupFaceIds(a)->empty());
  EXPECT_EQ(db_->GroupFaceIds(c).value(), std::vector<int64_t>{other});
  auto changes = db_->ChangesSince(c, 3);
  ASSERT_TRUE(changes.ok() && changes->has_value());
  ASSERT_EQ((*changes)->size(), 1u);
  EXPECT_EQ((**changes)[0].version, 4);
  EXPECT_EQ((**changes)[0].face_id, f);
  EXPECT_FALSE((**changes)[0].bound);
  (void)b;
}

TEST_F(StoreGroupsTest, ListsAndForEachBinding) {
  int64_t b = db_->CreateGroup("group_b", 1)->id;
  int64_t a = db_->CreateGroup("group_a", 1)->id;
  ASSERT_TRUE(db_->CreateGroup("group_c", 1).ok());
  ASSERT_TRUE(db_->DeleteGroup("group_c", 2).ok());
  EXPECT_EQ(db_->ListGroupNames().value(), (std::vector<std::string>{"group_a", "group_b"}));
  auto groups = db_->ListGroups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].id, a);
  EXPECT_EQ((*groups)[1].id, b);

  int64_t f1 = AddFace(), f2 = AddFace(), f3 = AddFace();
  ASSERT_TRUE(db_->Bind(b, f2, 3).ok());
  ASSERT_TRUE(db_->Bind(b, f1, 3).ok());
  ASSERT_TRUE(db_->Bind(a, f3, 3).ok());
  ASSERT_TRUE(db_->Bind(a, f1, 3).ok());
  EXPECT_EQ(db_->GroupFaceIds(b).value(), (std::vector<int64_t>{f1, f2}));
  std::vector<std::pair<int64_t, int64_t>> seen;
  ASSERT_TRUE(db_->ForEachBinding([&](int64_t g, int64_t f, std::span<const float> feature) {
                   EXPECT_EQ(feature.size(), 4u);
                   EXPECT_EQ(feature[3], 4.0f);
                   seen.emplace_back(g, f);
                 }).ok());
  std::vector<std::pair<int64_t, int64_t>> want{{b, f1}, {b, f2}, {a, f1}, {a, f3}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
}

}  // namespace
}  // namespace facepass::store
