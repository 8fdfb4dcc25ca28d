// AuditPurge against a real store: the retention cut, batches beyond one
// delete, the background thread.
#include "auth/audit_purge.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "store/database.h"
#include "store/temp_dir.h"

namespace facepass::auth {
namespace {

constexpr int64_t kDay = 86'400'000;

class AuditPurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void Add(int64_t at_ms, int n = 1) {
    for (int i = 0; i < n; ++i) {
      store::AuditRecord r;
      r.at_ms = at_ms;
      r.endpoint = "POST /api/group/v1/create";
      ASSERT_TRUE(db_->AppendAudit(r).ok());
    }
  }
  size_t Count() { return db_->QueryAudit(0, INT64_MAX, 1'000'000).value().rows.size(); }

  store::testing_util::TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(AuditPurgeTest, RowsOlderThanTheRetentionGo) {
  const int64_t now = 1000 * kDay;
  Add(now - 366 * kDay, 12'000);  // more than one batch
  Add(now - 365 * kDay);          // exactly at the cut: kept
  Add(now - 10 * kDay, 3);
  AuditPurge purge(*db_, 365);
  auto n = purge.Run(now);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 12'000);
  EXPECT_EQ(Count(), 4u);
  EXPECT_EQ(purge.Run(now).value(), 0);
  EXPECT_EQ(AuditPurge(*db_, 1).Run(now).value(), 4);
}

TEST_F(AuditPurgeTest, BackgroundThreadPurgesAndStops) {
  Add(NowMs() - 400 * kDay, 5);
  Add(NowMs());
  AuditPurge purge(*db_, AuditPurge::kDefaultRetentionDays);
  purge.Start(std::chrono::hours(1));  // runs once at once
  for (int i = 0; i < 200 && Count() != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(Count(), 1u);
  purge.Stop();  // returns without waiting for the hour
  purge.Stop();  // idempotent
}

}  // namespace
}  // namespace facepass::auth
