#include "enrol/results_csv.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/server_process.h"

namespace facepass::enrol {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ResultsCsv, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvLine({"f", "t", "i", "refused", "BAD_QUALITY: yaw=27.4>20"}), "f,t,i,refused,BAD_QUALITY: yaw=27.4>20,\n");
  EXPECT_EQ(CsvLine({"f", "t", "i", "enrolled", "", "Smith, Alice"}), "f,t,i,enrolled,,\"Smith, Alice\"\n");
}

TEST(ResultsCsv, ParseReadsBackWhatWasWritten) {
  const Row odd{"/p/a, \"b\"\nc.jpg", "", "img", "failed", "HTTP 500 x,y", "Zo\xC3\xAB \"Z\""};
  const std::string text = "file,face_token,image_id,outcome,reason,label\r\n" + CsvLine(odd) + CsvLine({"2", "", "", "", ""});
  const auto recs = ParseCsv(text);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1], (std::vector<std::string>{odd.file, odd.face_token, odd.image_id, odd.outcome, odd.reason,
                                               odd.label}));
  EXPECT_EQ(recs[2], (std::vector<std::string>{"2", "", "", "", "", ""}));
  EXPECT_EQ(ParseCsv("a,b\nc,\"torn").size(), 1u) << "a last record without its newline is dropped";
}

TEST(ResultsCsv, AppendsFlushedRowsAndAReopenSeesTheLastRowPerFile) {
  const fs::path d = testing::MakeTempDir("enrol-csv");
  const fs::path p = d / "r.csv";
  {
    auto csv = ResultsCsv::Open(p.string());
    ASSERT_TRUE(csv.ok());
    EXPECT_TRUE((*csv)->previous().empty());
    ASSERT_TRUE((*csv)->Append({"/a,1.jpg", "", "", "failed", "HTTP 500"}).ok());
    ASSERT_TRUE((*csv)->Append({"/b.jpg", "", "im", "refused", "FACE_NOT_FOUND"}).ok());
    // Flushed: visible before the file is closed.
    EXPECT_EQ(Slurp(p), "file,face_token,image_id,outcome,reason,label\n\"/a,1.jpg\",,,failed,HTTP 500,\n"
                        "/b.jpg,,im,refused,FACE_NOT_FOUND,\n");
    ASSERT_TRUE((*csv)->Append({"/a,1.jpg", "tok", "im2", "enrolled", "", "Alice"}).ok());
  }
  auto csv = ResultsCsv::Open(p.string());
  ASSERT_TRUE(csv.ok());
  const auto& prev = (*csv)->previous();
  ASSERT_EQ(prev.size(), 2u);
  EXPECT_EQ(prev.at("/a,1.jpg").face_token, "tok");
  EXPECT_EQ(prev.at("/a,1.jpg").label, "Alice");
  EXPECT_TRUE(prev.at("/a,1.jpg").done());
  EXPECT_TRUE(prev.at("/b.jpg").done()) << "refused counts as done";
  EXPECT_FALSE((Row{"x", "", "", "failed", ""}).done());
  EXPECT_EQ(Slurp(p).find("file,face_token"), Slurp(p).rfind("file,face_token")) << "one header only";
  fs::remove_all(d);
}

TEST(ResultsCsv, ATornLastRowIsCutSoTheNextRowParses) {
  const fs::path d = testing::MakeTempDir("enrol-csv");
  const fs::path p = d / "r.csv";
  std::ofstream(p, std::ios::binary) << "file,face_token,image_id,outcome,reason\n/a.jpg,t,i,enrolled,\n\"/b.jp";
  {
    auto csv = ResultsCsv::Open(p.string());
    ASSERT_TRUE(csv.ok());
    EXPECT_EQ((*csv)->previous().size(), 1u);
    ASSERT_TRUE((*csv)->Append({"/c.jpg", "t2", "i2", "enrolled", ""}).ok());
  }
  auto csv = ResultsCsv::Open(p.string());
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ((*csv)->previous().size(), 2u);
  EXPECT_EQ((*csv)->previous().count("/c.jpg"), 1u);
  fs::remove_all(d);
}

}  // namespace
}  // namespace facepass::enrol
