#include "store/file_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "temp_dir.h"

namespace facepass::store {
namespace {

namespace fs = std::filesystem;
using testing_util::TempDir;

std::vector<fs::path> AllFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  return out;
}

TEST(StoreFileTest, WriteReadRemove) {
  TempDir tmp;
  auto store = FileStore::Open(tmp.path() / "images");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  using namespace std::string_literals;
  const std::string bytes = "\xff\xd8\xff\xe0 jpeg bytes \0 with a nul"s;
  auto rel = (*store)->Write(bytes, "jpg");
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_EQ(rel->size(), 2 + 1 + 32 + 4);  // "ab/" + 32 hex + ".jpg"
  EXPECT_EQ(rel->substr(0, 2), rel->substr(3, 2));
  EXPECT_EQ(rel->substr(rel->size() - 4), ".jpg");
  EXPECT_TRUE(fs::is_regular_file(tmp.path() / "images" / *rel));

  auto back = (*store)->Read(*rel);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);

  // Names are random: the same bytes give a new file.
  auto rel2 = (*store)->Write(bytes, "jpg");
  ASSERT_TRUE(rel2.ok());
  EXPECT_NE(*rel, *rel2);
  auto empty = (*store)->Write("", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*store)->Read(*empty).value(), "");

  // Durable path leaves no temp files behind.
  EXPECT_EQ(AllFiles(tmp.path() / "images").size(), 3u);
  EXPECT_TRUE(fs::is_empty(tmp.path() / "images" / "tmp"));

  EXPECT_TRUE((*store)->Remove(*rel).ok());
  EXPECT_EQ((*store)->Read(*rel).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE((*store)->Remove(*rel).ok());  // idempotent
  EXPECT_EQ((*store)->Read(*rel2).value(), bytes);
}

TEST(StoreFileTest, RejectsPathsOutsideTheStore) {
  TempDir tmp;
  auto store = FileStore::Open(tmp.path() / "images").value();
  std::ofstream(tmp.path() / "secret.key") << "x";
  for (const char* bad : {"", "/etc/passwd", "../secret.key", "ab/../../secret.key", "./x", "tmp/x"}) {
    EXPECT_EQ(store->Read(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(store->Remove(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(fs::exists(tmp.path() / "secret.key"));
  EXPECT_EQ(store->Read("ab/missing.jpg").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Write("x", "../jpg").status().code(), StatusCode::kInvalidArgument);
}

TEST(StoreFileTest, OpenClearsLeftoverTempFiles) {
  TempDir tmp;
  std::string rel;
  {
    auto store = FileStore::Open(tmp.path()).value();
    rel = store->Write("kept", "png").value();
  }
  std::ofstream(tmp.path() / "tmp" / "deadbeef.tmp") << "half a write";
  auto store = FileStore::Open(tmp.path()).value();
  EXPECT_TRUE(fs::is_empty(tmp.path() / "tmp"));
  EXPECT_EQ(store->Read(rel).value(), "kept");
}

TEST(StoreFileTest, ManyWritesSpreadOverSubdirectories) {
  TempDir tmp;
  auto store = FileStore::Open(tmp.path()).value();
  std::set<std::string> paths, dirs;
  for (int i = 0; i < 64; ++i) {
    auto rel = store->Write(std::to_string(i), "bmp");
    ASSERT_TRUE(rel.ok());
    paths.insert(*rel);
    dirs.insert(rel->substr(0, 2));
  }
  EXPECT_EQ(paths.size(), 64u);
  EXPECT_GT(dirs.size(), 16u);
}

}  // namespace
}  // namespace facepass::store
