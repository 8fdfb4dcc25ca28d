// `facepass enrol --label-from` (issue 29): the label of each photo from its
// file name, its folder, or a CSV of file,label.
#include "enrol/label_source.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/server_process.h"

namespace facepass::enrol {
namespace {

namespace fs = std::filesystem;

TEST(LabelSource, FileNameAndFolder) {
  auto name = LabelSource::Parse("filename");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->LabelFor("/photos/Alice Smith.jpg"), "Alice Smith");
  EXPECT_EQ(name->LabelFor("/photos/bob.v2.PNG"), "bob.v2");
  auto folder = LabelSource::Parse("folder");
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(folder->LabelFor("/data/people/Alice Smith/1.jpg"), "Alice Smith");
  EXPECT_FALSE(LabelSource().LabelFor("/data/people/Alice Smith/1.jpg"));
}

TEST(LabelSource, BadSpecsAreRefused) {
  EXPECT_EQ(LabelSource::Parse("name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LabelSource::Parse("csv:").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(LabelSource::Parse("csv:/no/such/file.csv").ok());
}

TEST(LabelSource, CsvMatchesByPathThenByName) {
  const fs::path d = testing::MakeTempDir("enrol-labels");
  std::ofstream(d / "labels.csv", std::ios::binary)
      << "file,label\n"
         "a/1.jpg,Alice\n"
         "/elsewhere/2.jpg,\"Smith, Bob\"\n"
         "x/3.jpg,Carol\n"
         "y/3.jpg,Dave";  // no final newline: still read
  auto csv = LabelSource::Parse("csv:" + (d / "labels.csv").string());
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(csv->LabelFor((d / "a/1.jpg").string()), "Alice");          // relative to the CSV's folder
  EXPECT_EQ(csv->LabelFor("/elsewhere/2.jpg"), "Smith, Bob");            // absolute
  EXPECT_EQ(csv->LabelFor("/moved/2.jpg"), "Smith, Bob");                // by name alone
  EXPECT_EQ(csv->LabelFor((d / "y/3.jpg").string()), "Dave");
  EXPECT_FALSE(csv->LabelFor("/moved/3.jpg")) << "two rows share the name: no guess";
  EXPECT_FALSE(csv->LabelFor("/other/9.jpg"));

  std::ofstream(d / "bad.csv", std::ios::binary) << "a.jpg,Alice,extra\n";
  EXPECT_EQ(LabelSource::Parse("csv:" + (d / "bad.csv").string()).status().code(), StatusCode::kInvalidArgument);
  fs::remove_all(d);
}

}  // namespace
}  // namespace facepass::enrol
