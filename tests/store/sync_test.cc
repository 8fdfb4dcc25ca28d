// Change log for incremental sync: ChangesSince, pruning, SyncDelta.
#include <gtest/gtest.h>

#include "store/database.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

class StoreSyncTest : public ::testing::Test {
 protected:
  void Open(int64_t keep) {
    Database::Options options;
    options.change_log_keep = keep;
    auto db = Database::Open(dir_.path() / "facepass.db", options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db.value());
  }
  void TearDown() override {
    if (db_) {
      EXPECT_TRUE(db_->CheckIntegrity().ok()) << db_->CheckIntegrity().ToString();
    }
  }
  int64_t AddFace(float v) {
    int64_t image = db_->InsertImage(ImageKind::kEnrol, "jpeg", "p", 1, 100, 100, 1).value();
    std::vector<float> f{v, v + 1};
    return db_->InsertFace(image, Rect{}, 1, f).value();
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreSyncTest, ChangesSince) {
  Open(10000);
  int64_t g = db_->CreateGroup("group_a", 1)->id;  // v1
  int64_t f1 = AddFace(1), f2 = AddFace(2);
  ASSERT_TRUE(db_->Bind(g, f1, 2).ok());           // v2
  ASSERT_TRUE(db_->Bind(g, f2, 3).ok());           // v3
  ASSERT_TRUE(db_->Unbind(g, f1, 4).ok());         // v4

  auto all = db_->ChangesSince(g, 1);
  ASSERT_TRUE(all.ok() && all->has_value());
  ASSERT_EQ((*all)->size(), 3u);
  EXPECT_EQ((**all)[0].version, 2);
  EXPECT_EQ((**all)[0].face_id, f1);
  EXPECT_TRUE((**all)[0].bound);
  EXPECT_EQ((**all)[2].version, 4);
  EXPECT_FALSE((**all)[2].bound);

  auto tail = db_->ChangesSince(g, 3);
  ASSERT_TRUE(tail->has_value());
  ASSERT_EQ((*tail)->size(), 1u);
  EXPECT_EQ((**tail)[0].face_id, f1);
  EXPECT_TRUE(db_->ChangesSince(g, 4).value()->empty());  // up to date
  EXPECT_TRUE(db_->ChangesSince(g, 0).value().has_value());  // log reaches back to creation
  EXPECT_FALSE(db_->ChangesSince(g, 5).value().has_value());  // client ahead of us: FULL
  EXPECT_FALSE(db_->ChangesSince(g, -1).value().has_value());
  EXPECT_EQ(db_->ChangesSince(g + 100, 1).status().code(), StatusCode::kNotFound);

  // A re-created name's new group_id does not reach into the old incarnation.
  ASSERT_TRUE(db_->DeleteGroup("group_a", 5).ok());  // v5
  int64_t g2 = db_->CreateGroup("group_a", 6)->id;   // v6
  EXPECT_FALSE(db_->ChangesSince(g2, 3).value().has_value());
  EXPECT_TRUE(db_->ChangesSince(g2, 6).value()->empty());
}

TEST_F(StoreSyncTest, PrunedLogMeansFull) {
  Open(5);
  int64_t g = db_->CreateGroup("group_a", 1)->id;  // v1
  std::vector<int64_t> faces;
  for (int i = 0; i < 8; ++i) {
    faces.push_back(AddFace(i));
    ASSERT_TRUE(db_->Bind(g, faces.back(), 2 + i).ok());  // v2..v9
  }
  // Keeps versions 5..9: a client at 4 can still be served, one at 3 cannot.
  EXPECT_FALSE(db_->ChangesSince(g, 3).value().has_value());
  EXPECT_FALSE(db_->ChangesSince(g, 0).value().has_value());
  auto from4 = db_->ChangesSince(g, 4);
  ASSERT_TRUE(from4.ok() && from4->has_value());
  EXPECT_EQ((*from4)->size(), 5u);
  EXPECT_EQ((**from4)[0].version, 5);

  auto delta = db_->SyncDelta(g, 3);
  ASSERT_TRUE(delta.ok());
  EXPECT_TRUE(delta->full);
  EXPECT_EQ(delta->added.size(), 8u);
  EXPECT_EQ(delta->group.version, 9);

  // Reopening with the default keeps the floor: still FULL for 3.
  db_.reset();
  Open(10000);
  EXPECT_FALSE(db_->ChangesSince(g, 3).value().has_value());
  EXPECT_TRUE(db_->ChangesSince(g, 4).value().has_value());
}

TEST_F(StoreSyncTest, SyncDeltaNetsChanges) {
  Open(10000);
  int64_t g = db_->CreateGroup("group_a", 1)->id;  // v1
  int64_t a = AddFace(1), b = AddFace(2), c = AddFace(3), d = AddFace(4);
  ASSERT_TRUE(db_->Bind(g, a, 2).ok());    // v2
  ASSERT_TRUE(db_->Bind(g, b, 2).ok());    // v3
  // client at v3 has {a, b}
  ASSERT_TRUE(db_->Unbind(g, a, 3).ok());  // v4  a: deleted
  ASSERT_TRUE(db_->Bind(g, c, 3).ok());    // v5  c: added
  ASSERT_TRUE(db_->Bind(g, d, 3).ok());    // v6  d: added then
  ASSERT_TRUE(db_->DeleteFace(d, 3).ok()); // v7  gone again: nothing
  ASSERT_TRUE(db_->Unbind(g, b, 3).ok());  // v8  b: unbound and
  ASSERT_TRUE(db_->Bind(g, b, 3).ok());    // v9  bound again: nothing

  auto delta = db_->SyncDelta(g, 3);
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_FALSE(delta->full);
  EXPECT_EQ(delta->group.version, 9);
  ASSERT_EQ(delta->added.size(), 1u);
  EXPECT_EQ(delta->added[0].first, c);
  EXPECT_EQ(delta->added[0].second, (std::vector<float>{3, 4}));
  EXPECT_EQ(delta->deleted, std::vector<int64_t>{a});

  auto same = db_->SyncDelta(g, 9);
  EXPECT_FALSE(same->full);
  EXPECT_TRUE(same->added.empty() && same->deleted.empty());

  auto full = db_->SyncDelta(g, 0);
  EXPECT_TRUE(full->full);
  ASSERT_EQ(full->added.size(), 2u);
  EXPECT_EQ(full->added[0].first, b);
  EXPECT_EQ(full->added[1].first, c);

  auto feats = db_->FeaturesOf({c, d, a, 999});
  ASSERT_TRUE(feats.ok());
  ASSERT_EQ(feats->size(), 2u);  // d deleted, 999 absent
  EXPECT_EQ((*feats)[0].first, c);
  EXPECT_EQ((*feats)[1].first, a);
  EXPECT_EQ((*feats)[1].second, (std::vector<float>{1, 2}));

  ASSERT_TRUE(db_->DeleteGroup("group_a", 4).ok());
  auto gone = db_->SyncDelta(g, 3);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->group.deleted);
  EXPECT_EQ(db_->SyncDelta(g + 100, 0).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace facepass::store
