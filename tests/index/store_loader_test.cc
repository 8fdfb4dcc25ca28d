// LoadFromStore (the store's binding scan into a FaceIndex) against a store
// built through the store's own API, so a schema change cannot leave it behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "index/store_loader.h"
#include "store/database.h"
#include "test_util.h"

namespace facepass::index {
namespace {

constexpr int kDim = 64;

class StoreLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("fp_index_store_loader_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto db = store::Database::Open(dir_ / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto image = db_->InsertImage(store::ImageKind::kEnrol, "jpg", "x.jpg", 1, 10, 10, 1);
    ASSERT_TRUE(image.ok());
    image_ = *image;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t AddFace(const std::vector<float>& f) {
    auto id = db_->InsertFace(image_, {0, 0, 5, 5}, 1, f);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -1;
  }
  int64_t Group(const std::string& name) {
    auto g = db_->CreateGroup(name, 1);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? g->id : -1;
  }
  void Bind(int64_t g, int64_t f) { ASSERT_TRUE(db_->Bind(g, f, 2).ok()); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  int64_t image_ = 0;
};

TEST_F(StoreLoader, LoadsLiveBindingsPerGroup) {
  std::mt19937_64 rng(3);
  const int64_t g[3] = {Group("a"), Group("b"), Group("c")};
  const int64_t g9 = Group("nine");
  std::map<int64_t, std::vector<float>> feats;
  std::vector<int64_t> ids;
  for (int i = 1; i <= 300; ++i) {
    auto f = testing::RandomUnit(rng, kDim);
    const int64_t id = AddFace(f);
    feats[id] = f;
    ids.push_back(id);
    Bind(g[i % 3], id);
    if (i % 7 == 0) Bind(g9, id);  // also bound to the fourth group
  }
  size_t want_all = 0, want9 = 0;
  for (int i = 1; i <= 300; ++i) {
    if (i % 50 == 0) {
      ASSERT_TRUE(db_->DeleteFace(ids[i - 1], 3).ok());  // every 50th face deleted
      continue;
    }
    ++want_all;
    if (i % 7 == 0) ++want9;
  }
  for (int threads : {1, 2, 3}) {
    FaceIndex idx({.dim = kDim});
    store::BindingScanStats st;
    ASSERT_TRUE(LoadFromStore(*db_, idx, &st, threads).ok());
    EXPECT_FALSE(st.sorted) << "the scan's plan sorts every feature (an index changed it)";
    EXPECT_EQ(idx.GroupSize(g[0]) + idx.GroupSize(g[1]) + idx.GroupSize(g[2]), want_all);
    EXPECT_EQ(idx.GroupSize(g9), want9);
    EXPECT_EQ(st.bindings, want_all + want9);
    EXPECT_EQ(st.threads, threads);
    const int64_t f49 = ids[48];  // i = 49: bound to g9
    auto r = idx.Search(g9, feats[f49], 1);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].face_id, f49);
    const int64_t f100 = ids[99];  // deleted: not found
    r = idx.Search(g[100 % 3], feats[f100], 1);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->empty());
    EXPECT_NE((*r)[0].face_id, f100);
  }
}

TEST_F(StoreLoader, FeatureOfAnotherDimensionIsCorruption) {
  const int64_t g = Group("g");
  Bind(g, AddFace(std::vector<float>(kDim, 0.1f)));
  Bind(g, AddFace(std::vector<float>(kDim - 1, 0.1f)));
  FaceIndex idx({.dim = kDim});
  EXPECT_EQ(LoadFromStore(*db_, idx).code(), StatusCode::kCorruption);
}

// A fresh installation: no bindings at all, with any thread count.
TEST_F(StoreLoader, EmptyStoreLoadsNothing) {
  Group("empty");
  for (int threads : {0, 1, 2}) {
    FaceIndex idx(IndexOptions{.dim = kDim});
    store::BindingScanStats st;
    ASSERT_TRUE(LoadFromStore(*db_, idx, &st, threads).ok()) << threads;
    EXPECT_EQ(st.bindings, 0u);
    EXPECT_EQ(st.groups, 0u);
    EXPECT_TRUE(idx.GroupIds().empty());
  }
}

// The scan reads its own connections: a writer through the Database is not
// blocked, and the scan sees what was committed before it began.
TEST_F(StoreLoader, SeesCommittedWritesOfAnOpenDatabase) {
  const int64_t g = Group("g");
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20; ++i) Bind(g, AddFace(testing::RandomUnit(rng, kDim)));
  FaceIndex idx({.dim = kDim});
  ASSERT_TRUE(LoadFromStore(*db_, idx).ok());
  EXPECT_EQ(idx.GroupSize(g), 20u);
  Bind(g, AddFace(testing::RandomUnit(rng, kDim)));  // the Database is still writable
}

}  // namespace
}  // namespace facepass::index
