// What `facepass reindex` needs from the store: the live faces with their
// originals, one all-or-nothing feature swap, the data-directory lock and the
// atomic file replace.
#include <gtest/gtest.h>

#include <fstream>

#include "store/database.h"
#include "store/dir_lock.h"
#include "store/posix_file.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

std::vector<float> Filled(float v, int dim) { return std::vector<float>(dim, v); }

class StoreReindexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  int64_t AddFace(const std::string& path, const Rect& rect) {
    int64_t image = db_->InsertImage(ImageKind::kEnrol, "png", path, 10, 640, 480, 100).value();
    return db_->InsertFace(image, rect, 200, Filled(1, 4)).value();
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreReindexTest, ListLiveFacesGivesRectAndOriginal) {
  int64_t a = AddFace("aa/a.png", Rect{1, 2, 30, 40});
  int64_t b = AddFace("bb/b.png", Rect{5, 6, 70, 80});
  int64_t gone = AddFace("cc/c.png", Rect{});
  ASSERT_TRUE(db_->DeleteFace(gone, 300).ok());
  // A capture without a face is not listed.
  ASSERT_TRUE(db_->InsertImage(ImageKind::kCapture, "jpeg", "dd/d.jpg", 1, 1, 1, 1).ok());

  auto faces = db_->ListLiveFaces();
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 2u);
  EXPECT_EQ((*faces)[0].face_id, a);
  EXPECT_EQ((*faces)[0].rect.left, 1);
  EXPECT_EQ((*faces)[0].rect.bottom, 40);
  EXPECT_EQ((*faces)[0].image.path, "aa/a.png");
  EXPECT_EQ((*faces)[0].image.format, "png");
  EXPECT_EQ((*faces)[0].image.kind, ImageKind::kEnrol);
  EXPECT_EQ((*faces)[1].face_id, b);
  EXPECT_EQ((*faces)[1].rect.right, 70);
  EXPECT_EQ((*faces)[1].image.path, "bb/b.png");
}

TEST_F(StoreReindexTest, ReplaceFeaturesSwapsDimensionAndDropsInOneTransaction) {
  int64_t a = AddFace("aa/a.png", Rect{});
  int64_t b = AddFace("bb/b.png", Rect{});
  int64_t bad = AddFace("cc/c.png", Rect{});
  auto g = db_->CreateGroup("g", 1).value();
  ASSERT_TRUE(db_->Bind(g.id, a, 2).ok());
  ASSERT_TRUE(db_->Bind(g.id, bad, 3).ok());
  const int64_t version = db_->GetGroupById(g.id)->version;

  ASSERT_TRUE(db_->ReplaceFeatures({{a, Filled(0.5f, 8)}, {b, Filled(0.25f, 8)}}, {bad}, 1000).ok());
  EXPECT_EQ(db_->GetFace(a)->feature, Filled(0.5f, 8));  // new dimension
  EXPECT_EQ(db_->GetFace(b)->feature, Filled(0.25f, 8));
  EXPECT_TRUE(db_->GetFace(bad)->deleted);
  // The drop unbinds and logs it, as a face delete does, for device sync.
  EXPECT_EQ(db_->GroupFaceIds(g.id).value(), std::vector<int64_t>{a});
  EXPECT_EQ(db_->GetGroupById(g.id)->version, version + 1);
  auto changes = db_->ChangesSince(g.id, version);
  ASSERT_TRUE(changes.ok() && changes->has_value());
  ASSERT_EQ((*changes)->size(), 1u);
  EXPECT_EQ((**changes)[0].face_id, bad);
  EXPECT_FALSE((**changes)[0].bound);
  EXPECT_TRUE(db_->CheckIntegrity().ok());
}

TEST_F(StoreReindexTest, ReplaceFeaturesIsAllOrNothing) {
  int64_t a = AddFace("aa/a.png", Rect{});
  int64_t gone = AddFace("bb/b.png", Rect{});
  ASSERT_TRUE(db_->DeleteFace(gone, 5).ok());

  // A deleted face anywhere in the batch: nothing changes.
  EXPECT_EQ(db_->ReplaceFeatures({{a, Filled(2, 8)}, {gone, Filled(2, 8)}}, {}, 10).code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->GetFace(a)->feature, Filled(1, 4));
  EXPECT_EQ(db_->ReplaceFeatures({{a, Filled(2, 8)}}, {gone}, 10).code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->GetFace(a)->feature, Filled(1, 4));
  // Mixed or empty dimensions are refused before any write.
  int64_t b = AddFace("cc/c.png", Rect{});
  EXPECT_EQ(db_->ReplaceFeatures({{a, Filled(2, 8)}, {b, Filled(2, 6)}}, {}, 10).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->ReplaceFeatures({{a, {}}}, {}, 10).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->GetFace(a)->feature, Filled(1, 4));
  EXPECT_TRUE(db_->ReplaceFeatures({}, {}, 10).ok());
}

TEST(StoreDirLock, SecondHolderIsRefusedUntilTheFirstGoes) {
  TempDir dir;
  auto first = DirLock::Acquire(dir.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = DirLock::Acquire(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  first->reset();
  EXPECT_TRUE(DirLock::Acquire(dir.path()).ok());
}

TEST(StorePosixFile, ReplaceFileAtomically) {
  TempDir dir;
  const auto file = dir.path() / "search_model";
  std::ofstream(file) << "old\n";
  ASSERT_TRUE(ReplaceFileAtomically(file, "new-model\n").ok());
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "new-model");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "search_model.tmp"));
  EXPECT_EQ(ReplaceFileAtomically(dir.path() / "missing" / "x", "y").code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace facepass::store
