#include "enrol/image_files.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/server_process.h"

namespace facepass::enrol {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

TEST(ImageFiles, WalksFoldersByExtensionOrMagicSortedWithoutDuplicates) {
  const fs::path d = testing::MakeTempDir("enrol-walk");
  Write(d / "b.PNG", "not really");                      // extension, any case
  Write(d / "a.jpg", "text");                            // extension: the server judges it
  Write(d / "sub/deeper/c.jpeg", "x");                   // recursive
  Write(d / "sub/noext", std::string("\xFF\xD8\xFF\xE0", 4));           // JPEG magic
  Write(d / "sub/png.bin", std::string("\x89PNG\r\n\x1a\n....", 12));  // PNG magic
  Write(d / "notes.txt", "hello");
  Write(d / "faces.csv", "a,b");
  Write(d / "other/readme.md", "x");

  auto files = CollectImages({d.string(), (d / "sub").string(), (d / "a.jpg").string()});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const std::vector<std::string> want = {(d / "a.jpg").string(), (d / "b.PNG").string(),
                                         (d / "sub/deeper/c.jpeg").string(), (d / "sub/noext").string(),
                                         (d / "sub/png.bin").string()};
  EXPECT_EQ(*files, want);
  fs::remove_all(d);
}

TEST(ImageFiles, AFileNamedExplicitlyIsTakenAndAMissingPathIsAnError) {
  const fs::path d = testing::MakeTempDir("enrol-walk");
  Write(d / "notes.txt", "hello");
  auto files = CollectImages({(d / "notes.txt").string()});
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);
  EXPECT_EQ(CollectImages({(d / "absent").string()}).status().code(), StatusCode::kNotFound);
  fs::remove_all(d);
}

TEST(ImageFiles, PathsAreAbsoluteAndNormalised) {
  const fs::path d = testing::MakeTempDir("enrol-walk");
  Write(d / "x/1.jpg", "x");
  auto files = CollectImages({(d / "x" / ".." / "x").string()});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0], (d / "x/1.jpg").lexically_normal().string());
  fs::remove_all(d);
}

}  // namespace
}  // namespace facepass::enrol
