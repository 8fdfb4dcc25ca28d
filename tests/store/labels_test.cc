// Issue 29, SQLite only: the label search walks faces_label without a sort,
// and a schema-3 file gains the column. What both backends do with labels is
// the storage contract's (contract_labels_test.cc).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/database.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

TEST(LabelsStore, TheSearchWalksTheLabelIndex) {
  TempDir dir;
  ASSERT_TRUE(Database::Open(dir.path() / "facepass.db").ok());  // creates the schema
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "facepass.db").c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "EXPLAIN QUERY PLAN SELECT id, label, image_id, created_ms FROM faces "
                               "WHERE deleted = 0 AND label IS NOT NULL AND label >= 'a' AND label < 'b' "
                               "AND (label, id) > ('a', 0) ORDER BY label, id LIMIT 5",
                               -1, &st, nullptr),
            SQLITE_OK);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW) plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string("\n");
  sqlite3_finalize(st);
  sqlite3_close(raw);
  EXPECT_NE(plan.find("faces_label"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << "no sort: " << plan;
}

// A data directory from before issue 29 (schema 3) gains the column in place.
TEST(StoreSchemaUpgrade, Version3GainsLabels) {
  TempDir dir;
  const auto file = dir.path() / "facepass.db";
  int64_t face = 0;
  {
    auto db = Database::Open(file).value();
    const int64_t image = db->InsertImage(ImageKind::kEnrol, "jpeg", "e/1", 5, 10, 10, 1).value();
    const std::vector<float> f = {1, 0};
    face = db->InsertFace(image, {1, 2, 3, 4}, 10, f).value();
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DROP INDEX faces_label; ALTER TABLE faces DROP COLUMN label; PRAGMA user_version = 3;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);

  auto db = Database::Open(file);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_FALSE((*db)->GetFace(face)->label);
  ASSERT_TRUE((*db)->SetFaceLabel(face, "Alice").ok());
  EXPECT_EQ((*db)->SearchLabels("a", 10, std::nullopt).value().rows.size(), 1u);
  EXPECT_TRUE((*db)->CheckIntegrity().ok());
}

}  // namespace
}  // namespace facepass::store
