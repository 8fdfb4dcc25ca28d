// store::CheckDataDir (`facepass check`): passes on a consistent directory and
// names what is wrong when a face's original is missing or truncated, or the
// database breaks an invariant.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>

#include "store/data_check.h"
#include "store/database.h"
#include "store/file_store.h"
#include "store/temp_dir.h"

namespace facepass::store {
namespace {

namespace fs = std::filesystem;

// One face whose original is `bytes`, stored as the server stores it; the file's path.
std::string Seed(const fs::path& dir, const std::string& bytes) {
  auto files = FileStore::Open(dir / "images");
  EXPECT_TRUE(files.ok());
  auto rel = (*files)->Write(bytes, "jpg");
  EXPECT_TRUE(rel.ok());
  auto db = Database::Open(dir / "facepass.db");
  EXPECT_TRUE(db.ok());
  auto image = (*db)->InsertImage(ImageKind::kEnrol, "jpeg", *rel, static_cast<int64_t>(bytes.size()), 640, 480, 1);
  EXPECT_TRUE(image.ok());
  const std::vector<float> feature(128, 0.1f);
  auto face = (*db)->InsertFace(*image, {1, 1, 50, 50}, 1, feature);
  EXPECT_TRUE(face.ok());
  auto group = (*db)->CreateGroup("check_g", 1);
  EXPECT_TRUE(group.ok());
  EXPECT_TRUE((*db)->Bind(group->id, *face, 2).ok());
  return *rel;
}

TEST(DataCheck, PassesOnAConsistentDirectory) {
  testing_util::TempDir t;
  Seed(t.path(), std::string(1000, 'j'));
  auto stats = CheckDataDir(t.path());
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->faces, 1);
  EXPECT_EQ(stats->images, 1);
}

TEST(DataCheck, NoDatabaseIsNotFound) {
  testing_util::TempDir t;
  EXPECT_EQ(CheckDataDir(t.path()).status().code(), StatusCode::kNotFound);
}

TEST(DataCheck, AFaceWithoutItsOriginalFails) {
  testing_util::TempDir t;
  const std::string rel = Seed(t.path(), std::string(1000, 'j'));
  fs::remove(t.path() / "images" / rel);
  auto stats = CheckDataDir(t.path());
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kCorruption);
}

TEST(DataCheck, ATruncatedOriginalFails) {
  testing_util::TempDir t;
  const std::string rel = Seed(t.path(), std::string(1000, 'j'));
  fs::resize_file(t.path() / "images" / rel, 10);
  auto stats = CheckDataDir(t.path());
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("10 bytes"), std::string::npos) << stats.status().ToString();
}

TEST(DataCheck, ABindingToADeletedFaceFails) {
  testing_util::TempDir t;
  Seed(t.path(), std::string(1000, 'j'));
  {
    SQLite::Database raw((t.path() / "facepass.db").string(), SQLite::OPEN_READWRITE);
    raw.exec("UPDATE faces SET deleted = 1, deleted_ms = 5");  // behind the store's back: binding kept
  }
  auto stats = CheckDataDir(t.path());
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("deleted face"), std::string::npos) << stats.status().ToString();
}

}  // namespace
}  // namespace facepass::store
