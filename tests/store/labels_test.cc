// Issue 29: the faces.label column: set and cleared, the prefix search over
// faces_label in (label, id) keyset pages, a delete that clears it, history
// rows that read it from the face, and a schema-3 file that gains it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/database.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

class LabelsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    image_ = db_->InsertImage(ImageKind::kEnrol, "jpeg", "e/1", 5, 10, 10, 1).value();
  }
  int64_t Face(std::optional<std::string> label) {
    const std::vector<float> f = {1, 0, 0};
    return db_->InsertFace(image_, {1, 2, 3, 4}, 10, f, label).value();
  }
  std::vector<std::string> Labels(const std::string& prefix, int limit = 100,
                                  std::optional<LabelCursor> after = std::nullopt,
                                  std::optional<LabelCursor>* next = nullptr) {
    auto page = db_->SearchLabels(prefix, limit, after);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> out;
    if (!page.ok()) return out;
    for (const LabelledFace& f : page->rows) out.push_back(f.label);
    if (next) *next = page->next_cursor;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
  int64_t image_ = 0;
};

TEST_F(LabelsStoreTest, SetClearAndRead) {
  const int64_t a = Face("Alice");
  const int64_t b = Face(std::nullopt);
  EXPECT_EQ(db_->GetFace(a)->label, "Alice");
  EXPECT_FALSE(db_->GetFace(b)->label);
  ASSERT_TRUE(db_->SetFaceLabel(b, "Bob").ok());
  EXPECT_EQ(db_->GetFace(b)->label, "Bob");
  ASSERT_TRUE(db_->SetFaceLabel(b, std::nullopt).ok());
  EXPECT_FALSE(db_->GetFace(b)->label);
  EXPECT_EQ(db_->SetFaceLabel(b + 10, "x").code(), StatusCode::kNotFound);
  auto labels = db_->LabelsOf({a, b, b + 10});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(*labels, (std::map<int64_t, std::string>{{a, "Alice"}}));
}

TEST_F(LabelsStoreTest, PrefixIsAsciiCaseInsensitiveAndPagesNeitherSkipNorRepeat) {
  for (const char* l : {"bob", "Alice", "alice", "ALICE", "alicia", "Al", "alZ", "ali\xC3\xA9", "Ali\xC3\x89"}) Face(l);
  // Order: ASCII folded, then face id; the UTF-8 é/É are compared exactly.
  EXPECT_EQ(Labels("ali"), (std::vector<std::string>{"Alice", "alice", "ALICE", "alicia", "Ali\xC3\x89",
                                                     "ali\xC3\xA9"}));
  EXPECT_EQ(Labels("ALI\xC3\xA9"), (std::vector<std::string>{"ali\xC3\xA9"}));
  EXPECT_EQ(Labels("al").size(), 8u);
  EXPECT_EQ(Labels("").size(), 9u);
  EXPECT_TRUE(Labels("carol").empty());

  std::vector<std::string> walked;
  std::optional<LabelCursor> cursor;
  for (int pages = 0; pages < 10; ++pages) {
    std::optional<LabelCursor> next;
    auto page = Labels("al", 3, cursor, &next);
    walked.insert(walked.end(), page.begin(), page.end());
    if (!next) break;
    cursor = next;
  }
  EXPECT_EQ(walked, Labels("al"));
  EXPECT_EQ(db_->SearchLabels("a", 0, std::nullopt).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LabelsStoreTest, TheSearchWalksTheLabelIndex) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() / "facepass.db").c_str(), &raw), SQLITE_OK);
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

TEST_F(LabelsStoreTest, ADeleteClearsTheLabelAndHistoryKeepsOnlyTheToken) {
  const int64_t a = Face("Alice");
  const int64_t capture = db_->InsertImage(ImageKind::kCapture, "jpeg", "c/1", 5, 10, 10, 50).value();
  RecognitionRecord r;
  r.image_id = capture;
  r.at_ms = 50;
  r.group_name = "gate";
  r.face_id = a;
  ASSERT_TRUE(db_->InsertRecognitions({r}).ok());
  EXPECT_EQ(db_->QueryRecognitions({}).value().rows[0].label, "Alice");

  ASSERT_TRUE(db_->DeleteFace(a, 60).ok());
  EXPECT_FALSE(db_->GetFace(a)->label);
  const RecognitionRecord row = db_->QueryRecognitions({}).value().rows[0];
  EXPECT_EQ(row.face_id, a);
  EXPECT_FALSE(row.label);
  EXPECT_TRUE(Labels("").empty());
  EXPECT_EQ(db_->SetFaceLabel(a, "again").code(), StatusCode::kNotFound);
  EXPECT_TRUE(db_->CheckIntegrity().ok());
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
