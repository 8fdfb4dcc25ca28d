#include "enrol/bulk_run.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "enrol/progress.h"
#include "support/server_process.h"

namespace facepass::enrol {
namespace {

namespace fs = std::filesystem;

TEST(BulkRun, SkipsDoneFilesRetriesFailedOnesAndCounts) {
  const fs::path d = testing::MakeTempDir("enrol-bulk");
  const std::string path = (d / "r.csv").string();
  {
    auto csv = ResultsCsv::Open(path);
    ASSERT_TRUE(csv.ok());
    ASSERT_TRUE((*csv)->Append({"/1", "t1", "i1", "enrolled", ""}).ok());
    ASSERT_TRUE((*csv)->Append({"/2", "", "i2", "refused", "FACE_NOT_FOUND"}).ok());
    ASSERT_TRUE((*csv)->Append({"/3", "t3", "i3", "failed", "bind: HTTP 500"}).ok());
  }
  auto csv = ResultsCsv::Open(path);
  ASSERT_TRUE(csv.ok());
  std::mutex mu;
  std::set<std::string> seen;
  const Row* prev3 = nullptr;
  auto enrol = [&](const std::string& f, const Row* prev) {
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(f);
    if (f == "/3") prev3 = prev;
    if (f == "/4") return Row{f, "", "i4", "refused", "BAD_QUALITY: blur=0.3>0.2"};
    if (f == "/5") return Row{f, "", "i5", "refused", "BAD_QUALITY: blur=0.5>0.2"};
    if (f == "/6") return Row{f, "", "", "failed", "HTTP 401 UNAUTHORIZED"};
    return Row{f, "t", "i", "enrolled", ""};
  };
  int calls = 0;
  std::atomic<bool> stop{false};
  auto s = RunBulk({"/1", "/2", "/3", "/4", "/5", "/6"}, 3, **csv, enrol, stop,
                   [&](const Summary&, const Row&) { ++calls; });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(seen, (std::set<std::string>{"/3", "/4", "/5", "/6"}));
  ASSERT_NE(prev3, nullptr) << "a failed file gets its earlier row";
  EXPECT_EQ(prev3->face_token, "t3");
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(s->total, 6);
  EXPECT_EQ(s->skipped, 2);
  EXPECT_EQ(s->enrolled, 1);
  EXPECT_EQ(s->refused, 2);
  EXPECT_EQ(s->failed, 1);
  EXPECT_EQ(s->refused_by_reason, (std::map<std::string, int64_t>{{"BAD_QUALITY: blur", 2}}));
  EXPECT_FALSE(s->interrupted);
  const std::string text = FormatSummary(*s);
  EXPECT_NE(text.find("enrolled 1, refused 2, failed 1, skipped 2"), std::string::npos) << text;
  EXPECT_NE(text.find("refused 2  BAD_QUALITY: blur"), std::string::npos) << text;
  EXPECT_NE(text.find("HTTP 401 UNAUTHORIZED"), std::string::npos) << text;
  fs::remove_all(d);
}

TEST(BulkRun, StopLetsTheInFlightFileFinishAndTakesNoMore) {
  const fs::path d = testing::MakeTempDir("enrol-bulk");
  auto csv = ResultsCsv::Open((d / "r.csv").string());
  ASSERT_TRUE(csv.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> n{0};
  auto enrol = [&](const std::string& f, const Row*) {
    if (++n == 3) stop = true;  // Ctrl-C while the third is in flight
    return Row{f, "t", "i", "enrolled", ""};
  };
  std::vector<std::string> files;
  for (int i = 0; i < 50; ++i) files.push_back("/" + std::to_string(i));
  auto s = RunBulk(files, 1, **csv, enrol, stop, nullptr);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->enrolled, 3) << "the third finishes and is recorded";
  EXPECT_TRUE(s->interrupted);
  csv->reset();
  auto again = ResultsCsv::Open((d / "r.csv").string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->previous().size(), 3u);
  fs::remove_all(d);
}

TEST(BulkRun, ReasonKeyDropsTheMeasuredValueOfAQualityGate) {
  EXPECT_EQ(ReasonKey("BAD_QUALITY: yaw=27.4>20"), "BAD_QUALITY: yaw");
  EXPECT_EQ(ReasonKey("BAD_QUALITY: face_min=59<100"), "BAD_QUALITY: face_min");
  EXPECT_EQ(ReasonKey("FACE_NOT_FOUND"), "FACE_NOT_FOUND");
  EXPECT_EQ(ReasonKey("INVALID_IMAGE_FILE_SIZE"), "INVALID_IMAGE_FILE_SIZE");
}

TEST(Progress, BarShowsDoneTotalRateEtaAndRefusals) {
  Summary s;
  s.total = 40;
  s.skipped = 10;
  s.enrolled = 8;
  s.refused = 2;
  s.seconds = 5;  // 10 files this run: 2/s, 20 left: 10 s
  EXPECT_EQ(ProgressBar(s, 8), "[####----] 20/40  2.0/s  ETA 0:10  refused 2  failed 0");
  EXPECT_EQ(ProgressLine(s, {"/a.jpg", "", "i", "refused", "FACE_NOT_FOUND"}), "20/40 refused /a.jpg: FACE_NOT_FOUND");
  Summary start;
  start.total = 3;
  EXPECT_EQ(ProgressBar(start, 4), "[----] 0/3  0.0/s  ETA --:--  refused 0  failed 0");
}

}  // namespace
}  // namespace facepass::enrol
