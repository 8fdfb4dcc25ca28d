// The capture purge: captures older than the retention period go (file and
// row); enrol originals and recent captures stay.
#include <gtest/gtest.h>

#include <filesystem>

#include "service/app.h"
#include "service/context.h"
#include "store/database.h"
#include "store/file_store.h"
#include "support/server_process.h"

namespace facepass::service {
namespace {

bool HaveModels() { return std::filesystem::exists(std::filesystem::path(FACEPASS_MODELS_DIR) / "blazeface.onnx"); }

TEST(ServiceRetention, PurgesOnlyExpiredCaptures) {
  if (!HaveModels()) GTEST_SKIP() << "models/ is absent: run scripts/fetch-models.sh";
  const auto dir = facepass::testing::MakeTempDir("facepass-retention");
  const int64_t now = NowMs();
  const int64_t day = 86400000;
  std::string old_capture, new_capture, enrol;
  {
    auto db = store::Database::Open(dir / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto files = store::FileStore::Open(dir / "images");
    ASSERT_TRUE(files.ok());
    auto put = [&](store::ImageKind kind, int64_t created) {
      auto path = (*files)->Write("bytes", "jpg");
      EXPECT_TRUE(path.ok());
      EXPECT_TRUE((*db)->InsertImage(kind, "jpeg", *path, 5, 100, 100, created).ok());
      return *path;
    };
    old_capture = put(store::ImageKind::kCapture, now - 31 * day);
    new_capture = put(store::ImageKind::kCapture, now - 29 * day);
    enrol = put(store::ImageKind::kEnrol, now - 400 * day);
  }
  AppOptions options;
  options.data_dir = dir;
  options.engine.models_dir = FACEPASS_MODELS_DIR;
  options.engine.pool_size = 1;
  options.capture_retention_days = 30;
  options.purge_interval = std::chrono::hours(24);  // only the start-up pass
  auto app = App::Open(options);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  auto purged = (*app)->PurgeExpiredCaptures(now);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  // The start-up pass of the purge thread may have taken it already.
  EXPECT_LE(*purged, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "images" / old_capture));
  EXPECT_TRUE(std::filesystem::exists(dir / "images" / new_capture));
  EXPECT_TRUE(std::filesystem::exists(dir / "images" / enrol));
  auto again = (*app)->PurgeExpiredCaptures(now + 2 * day);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1);  // the 29-day-old one is now past 30 days
  EXPECT_FALSE(std::filesystem::exists(dir / "images" / new_capture));
  EXPECT_TRUE(std::filesystem::exists(dir / "images" / enrol));
}

}  // namespace
}  // namespace facepass::service
