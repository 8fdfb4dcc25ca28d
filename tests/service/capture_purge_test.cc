// The capture purge without models: captures older than the retention period
// go (file and row); enrol originals and recent captures stay; the background
// thread runs a pass at start and stops on Stop().
#include "service/capture_purge.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/clock.h"
#include "store/sqlite_storage.h"
#include "support/server_process.h"

namespace facepass::service {
namespace {

constexpr int64_t kDay = 86400000;

class CapturePurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = facepass::testing::MakeTempDir("facepass-purge");
    storage_ = std::move(store::SqliteStorage::Open(dir_).value());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Put(store::ImageKind kind, int64_t created) {
    auto id = storage_->images().AddImage(kind, "jpeg", "bytes", 100, 100, created);
    EXPECT_TRUE(id.ok());
    return storage_->images().GetImage(*id).value().path;
  }
  bool Exists(const std::string& path) const { return std::filesystem::exists(dir_ / "images" / path); }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStorage> storage_;
};

TEST_F(CapturePurgeTest, PurgesOnlyExpiredCaptures) {
  const int64_t now = NowMs();
  const std::string old_capture = Put(store::ImageKind::kCapture, now - 31 * kDay);
  const std::string new_capture = Put(store::ImageKind::kCapture, now - 29 * kDay);
  const std::string enrol = Put(store::ImageKind::kEnrol, now - 400 * kDay);
  CapturePurge purge(storage_->images(), 30);
  auto purged = purge.Run(now);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(Exists(old_capture));
  EXPECT_TRUE(Exists(new_capture));
  EXPECT_TRUE(Exists(enrol));
  auto again = purge.Run(now + 2 * kDay);  // the 29-day-old one is now past 30 days
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1);
  EXPECT_FALSE(Exists(new_capture));
  EXPECT_TRUE(Exists(enrol));
  EXPECT_EQ(*purge.Run(now + 2 * kDay), 0);
}

TEST_F(CapturePurgeTest, MoreThanOneBatch) {
  const int64_t now = NowMs();
  for (int i = 0; i < 1203; ++i) Put(store::ImageKind::kCapture, now - 40 * kDay + i);
  CapturePurge purge(storage_->images(), 30);
  EXPECT_EQ(*purge.Run(now), 1203);
}

TEST_F(CapturePurgeTest, BackgroundPassAtStartThenStops) {
  const std::string old_capture = Put(store::ImageKind::kCapture, NowMs() - 31 * kDay);
  CapturePurge purge(storage_->images(), 30);
  purge.Start(std::chrono::hours(24));
  for (int i = 0; i < 500 && Exists(old_capture); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(Exists(old_capture));
  const auto before = std::chrono::steady_clock::now();
  purge.Stop();  // wakes the thread from its 24 h wait
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
}

}  // namespace
}  // namespace facepass::service
