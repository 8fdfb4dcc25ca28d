// The recognition history repo: filters, newest-first keyset pages that
// neither skip nor repeat while rows arrive, and rows gone with their capture.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

#include "store/database.h"
#include "temp_dir.h"

// Queries are written with designated initializers; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace facepass::store {
namespace {

using testing_util::TempDir;

class RecognitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  // One capture and its history row; the row's image id.
  int64_t Add(int64_t at_ms, const std::string& group, bool passed, std::optional<int64_t> face_id = {},
              std::optional<double> live = {}) {
    auto image = db_->InsertImage(ImageKind::kCapture, "jpeg", "c/" + std::to_string(++n_), 5, 10, 10, at_ms);
    EXPECT_TRUE(image.ok());
    RecognitionRecord r;
    r.image_id = *image;
    r.at_ms = at_ms;
    r.group_name = group;
    r.track_id = n_;
    r.face_id = face_id;
    r.score = passed ? 90 : 40;
    r.passed = passed;
    r.rect = Rect{1, 2, 30, 40};
    r.liveness_score = live;
    EXPECT_TRUE(db_->InsertRecognitions({r}).ok());
    return *image;
  }
  std::vector<int64_t> Images(const RecognitionQuery& q) {
    auto page = db_->QueryRecognitions(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<int64_t> out;
    if (page.ok())
      for (const auto& r : page->rows) out.push_back(r.image_id);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
  int n_ = 0;
};

TEST_F(RecognitionsTest, StoresEveryFieldAndNulls) {
  const int64_t a = Add(1000, "gate", true, 7, 0.93);
  auto image = db_->InsertImage(ImageKind::kCapture, "png", "c/x", 5, 10, 10, 2000);
  ASSERT_TRUE(image.ok());
  RecognitionRecord bare;  // no face found: no match, no rect, no liveness
  bare.image_id = *image;
  bare.at_ms = 2000;
  bare.group_name = "gate";
  bare.track_id = -3;
  ASSERT_TRUE(db_->InsertRecognitions({bare}).ok());

  auto page = db_->QueryRecognitions({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_FALSE(page->next_cursor);
  const RecognitionRecord& b = page->rows[0];  // newest first
  EXPECT_EQ(b.image_id, *image);
  EXPECT_EQ(b.track_id, -3);
  EXPECT_FALSE(b.face_id);
  EXPECT_FALSE(b.rect);
  EXPECT_FALSE(b.liveness_score);
  EXPECT_FALSE(b.passed);
  const RecognitionRecord& r = page->rows[1];
  EXPECT_EQ(r.image_id, a);
  EXPECT_EQ(r.at_ms, 1000);
  EXPECT_EQ(r.group_name, "gate");
  EXPECT_EQ(r.face_id, 7);
  EXPECT_DOUBLE_EQ(r.score, 90);
  EXPECT_TRUE(r.passed);
  ASSERT_TRUE(r.rect);
  EXPECT_EQ(r.rect->left, 1);
  EXPECT_EQ(r.rect->bottom, 40);
  EXPECT_DOUBLE_EQ(r.liveness_score.value_or(-1), 0.93);

  RecognitionRecord orphan = bare;
  orphan.image_id = 999999;  // no such capture: the foreign key refuses it
  EXPECT_FALSE(db_->InsertRecognitions({orphan}).ok());
  EXPECT_EQ(db_->QueryRecognitions({.limit = 0}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RecognitionsTest, EachFilter) {
  const int64_t g1 = Add(100, "gate_a", true, 1);
  const int64_t g2 = Add(200, "gate_b", false, 2);
  const int64_t g3 = Add(300, "gate_a", false, 1);
  const int64_t g4 = Add(400, "gate_a", true);
  EXPECT_EQ(Images({}), (std::vector<int64_t>{g4, g3, g2, g1}));
  EXPECT_EQ(Images({.group_name = "gate_a"}), (std::vector<int64_t>{g4, g3, g1}));
  EXPECT_EQ(Images({.group_name = "nope"}), std::vector<int64_t>{});
  EXPECT_EQ(Images({.from_ms = 200, .to_ms = 400}), (std::vector<int64_t>{g3, g2}));  // [from, to)
  EXPECT_EQ(Images({.passed = true}), (std::vector<int64_t>{g4, g1}));
  EXPECT_EQ(Images({.passed = false}), (std::vector<int64_t>{g3, g2}));
  EXPECT_EQ(Images({.face_id = 1}), (std::vector<int64_t>{g3, g1}));
  EXPECT_EQ(Images({.group_name = "gate_a", .passed = false, .face_id = 1}), std::vector<int64_t>{g3});
}

TEST_F(RecognitionsTest, PagesNeitherSkipNorRepeatWhileRowsArrive) {
  std::set<int64_t> before;
  for (int i = 0; i < 25; ++i) before.insert(Add(1000 + i / 3, "gate", i % 2 == 0));  // ties in at_ms
  std::vector<int64_t> seen;
  std::optional<KeysetCursor> cursor;
  int pages = 0;
  for (;;) {
    auto page = db_->QueryRecognitions({.limit = 4, .before = cursor});
    ASSERT_TRUE(page.ok());
    for (const auto& r : page->rows) seen.push_back(r.image_id);
    ++pages;
    Add(5000 + pages, "gate", true);  // newer than every page: never shows up behind the cursor
    if (!page->next_cursor) break;
    cursor = page->next_cursor;
  }
  EXPECT_EQ(pages, 7);  // 25 rows, 4 a page
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()), before);
  EXPECT_EQ(seen.size(), before.size()) << "a row repeated";
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "newest first";
}

TEST_F(RecognitionsTest, RowGoesWithItsPurgedCapture) {
  const int64_t old_capture = Add(100, "gate", true);
  const int64_t kept = Add(200, "gate", true);
  ASSERT_TRUE(db_->DeleteImage(old_capture).ok());
  EXPECT_EQ(Images({}), std::vector<int64_t>{kept});
  EXPECT_TRUE(db_->CheckIntegrity(Database::Check::kFull).ok());
}

// A data directory from before issue 11 (schema 2) gains the table in place.
TEST(StoreSchemaUpgrade, Version2GainsRecognitions) {
  TempDir dir;
  const auto file = dir.path() / "facepass.db";
  int64_t image = 0;
  {
    auto db = Database::Open(file).value();
    image = db->InsertImage(ImageKind::kCapture, "jpeg", "c/1", 5, 10, 10, 100).value();
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DROP INDEX faces_label; ALTER TABLE faces DROP COLUMN label; DROP TABLE recognitions; PRAGMA user_version = 2;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);

  auto db = Database::Open(file);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  RecognitionRecord r;
  r.image_id = image;
  r.at_ms = 100;
  r.group_name = "gate";
  ASSERT_TRUE((*db)->InsertRecognitions({r}).ok());
  EXPECT_EQ((*db)->QueryRecognitions({}).value().rows.size(), 1u);
  EXPECT_TRUE((*db)->CheckIntegrity().ok());
}

}  // namespace
}  // namespace facepass::store
