// LoadFromSqlite against a small store with the server's schema.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "index/sqlite_loader.h"
#include "test_util.h"

namespace facepass::index {
namespace {

constexpr int kDim = 64;

class SqliteLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("fp_index_loader_test_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    db_ = std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->exec("PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;");
    db_->exec("CREATE TABLE faces(id INTEGER PRIMARY KEY, face_token TEXT, feature BLOB NOT NULL, "
              "deleted INTEGER NOT NULL DEFAULT 0)");
    db_->exec("CREATE TABLE bindings(group_id INTEGER NOT NULL, face_id INTEGER NOT NULL, "
              "PRIMARY KEY(group_id, face_id)) WITHOUT ROWID");
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove(path_);
  }
  void AddFace(int64_t id, const std::vector<float>& f, int deleted = 0) {
    SQLite::Statement st(*db_, "INSERT INTO faces(id, feature, deleted) VALUES(?, ?, ?)");
    st.bind(1, id);
    st.bind(2, f.data(), static_cast<int>(f.size() * sizeof(float)));
    st.bind(3, deleted);
    st.exec();
  }
  void Bind(int64_t g, int64_t f) {
    SQLite::Statement st(*db_, "INSERT INTO bindings VALUES(?, ?)");
    st.bind(1, g);
    st.bind(2, f);
    st.exec();
  }
  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> db_;
};

TEST_F(SqliteLoader, LoadsLiveBindingsPerGroup) {
  std::mt19937_64 rng(3);
  std::map<int64_t, std::vector<float>> feats;
  for (int64_t id = 1; id <= 300; ++id) {
    feats[id] = testing::RandomUnit(rng, kDim);
    AddFace(id, feats[id], id % 50 == 0 ? 1 : 0);  // every 50th face deleted
    Bind(1 + id % 3, id);
    if (id % 7 == 0) Bind(9, id);  // also bound to group 9
  }
  for (int threads : {1, 2, 3}) {
    FaceIndex idx({.dim = kDim});
    LoadStats st;
    ASSERT_TRUE(LoadFromSqlite(*db_, idx, &st, threads).ok());
    size_t want9 = 0, want_all = 0;
    for (int64_t id = 1; id <= 300; ++id) {
      if (id % 50 == 0) continue;
      ++want_all;
      if (id % 7 == 0) ++want9;
    }
    EXPECT_EQ(idx.GroupSize(1) + idx.GroupSize(2) + idx.GroupSize(3), want_all);
    EXPECT_EQ(idx.GroupSize(9), want9);
    EXPECT_EQ(st.bindings, want_all + want9);
    EXPECT_EQ(st.threads, threads);
    auto r = idx.Search(9, feats[49], 1);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].face_id, 49);
    r = idx.Search(1 + 100 % 3, feats[100], 1);  // deleted face is not found
    ASSERT_TRUE(r.ok());
    EXPECT_NE((*r)[0].face_id, 100);
  }
}

TEST_F(SqliteLoader, WrongBlobSizeIsCorruption) {
  AddFace(1, std::vector<float>(kDim, 0.1f));
  AddFace(2, std::vector<float>(kDim - 1, 0.1f));
  Bind(1, 1);
  Bind(1, 2);
  FaceIndex idx({.dim = kDim});
  EXPECT_EQ(LoadFromSqlite(*db_, idx).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace facepass::index

namespace facepass::index {
namespace {

// A fresh installation: no bindings at all, with any thread count.
TEST(SqliteLoaderEmpty, EmptyStoreLoadsNothing) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("fp_index_loader_empty_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE faces(id INTEGER PRIMARY KEY, feature BLOB NOT NULL, deleted INTEGER NOT NULL DEFAULT 0)");
    db.exec("CREATE TABLE bindings(group_id INTEGER NOT NULL, face_id INTEGER NOT NULL, "
            "PRIMARY KEY(group_id, face_id)) WITHOUT ROWID");
    for (int threads : {0, 1, 2}) {
      FaceIndex idx(IndexOptions{.dim = 64});
      LoadStats st;
      ASSERT_TRUE(LoadFromSqlite(db, idx, &st, threads).ok()) << threads;
      EXPECT_EQ(st.bindings, 0u);
      EXPECT_EQ(st.groups, 0u);
      EXPECT_TRUE(idx.GroupIds().empty());
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace facepass::index
