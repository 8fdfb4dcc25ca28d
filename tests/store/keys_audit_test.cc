// The keys and audit repos, and the v1 -> v2 schema upgrade.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "store/database.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

class KeysAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(KeysAuditTest, KeysLifecycle) {
  EXPECT_EQ(db_->CountActiveKeys().value(), 0);
  auto id = db_->InsertKey("gate1", "device", std::string(64, 'a'), 100);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(db_->InsertKey("gate1", "viewer", std::string(64, 'b'), 101).status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(db_->InsertKey("gate2", "viewer", std::string(64, 'a'), 101).ok());  // hash unique
  EXPECT_EQ(db_->InsertKey("", "viewer", "h", 1).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(db_->InsertKey("alice", "operator", std::string(64, 'c'), 102).ok());

  auto k = db_->FindKeyByHash(std::string(64, 'a'));
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->id, *id);
  EXPECT_EQ(k->name, "gate1");
  EXPECT_EQ(k->role, "device");
  EXPECT_EQ(k->created_ms, 100);
  EXPECT_EQ(k->last_used_ms, 0);
  EXPECT_FALSE(k->revoked);
  EXPECT_EQ(db_->FindKeyByHash("zz").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(db_->TouchKey(*id, 500).ok());
  ASSERT_TRUE(db_->TouchKey(*id, 400).ok());  // never backwards
  EXPECT_EQ(db_->FindKeyByHash(std::string(64, 'a'))->last_used_ms, 500);

  ASSERT_TRUE(db_->RevokeKey("gate1", 600).ok());
  EXPECT_EQ(db_->RevokeKey("gate1", 601).code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->RevokeKey("nobody", 601).code(), StatusCode::kNotFound);
  k = db_->FindKeyByHash(std::string(64, 'a'));
  EXPECT_TRUE(k->revoked);
  EXPECT_EQ(k->revoked_ms, 600);
  EXPECT_EQ(db_->CountActiveKeys().value(), 1);
  // The name stays taken: audit rows keep naming one key.
  EXPECT_EQ(db_->InsertKey("gate1", "device", std::string(64, 'd'), 700).status().code(),
            StatusCode::kAlreadyExists);

  auto all = db_->ListKeys().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "alice");
  EXPECT_EQ(all[1].name, "gate1");
}

TEST_F(KeysAuditTest, AuditPagesAndPurge) {
  for (int i = 0; i < 10; ++i) {
    AuditRecord r;
    r.at_ms = 1000 + i * 100;
    r.key_name = "alice";
    r.role = "operator";
    r.source_ip = "10.0.0.5";
    r.endpoint = "POST /api/face/v1/add";
    r.targets = "face_token=t" + std::to_string(i);
    r.result_code = i % 2 ? 0 : 104202;
    ASSERT_TRUE(db_->AppendAudit(r).ok());
  }
  auto page = db_->QueryAudit(0, INT64_MAX, 4);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->rows.size(), 4u);
  EXPECT_EQ(page->rows[0].at_ms, 1000);
  EXPECT_EQ(page->rows[0].targets, "face_token=t0");
  EXPECT_EQ(page->rows[0].result_code, 104202);
  EXPECT_EQ(page->rows[1].key_name, "alice");
  EXPECT_EQ(page->rows[1].role, "operator");
  EXPECT_EQ(page->rows[1].source_ip, "10.0.0.5");
  EXPECT_EQ(page->rows[1].endpoint, "POST /api/face/v1/add");
  ASSERT_TRUE(page->next_cursor.has_value());
  EXPECT_EQ(page->next_cursor->at_ms, 1300);
  EXPECT_EQ(page->next_cursor->id, page->rows[3].id);
  std::vector<int64_t> seen;
  AuditCursor cursor;
  for (;;) {
    auto p = db_->QueryAudit(0, INT64_MAX, 4, cursor).value();
    for (const auto& r : p.rows) seen.push_back(r.at_ms);
    if (!p.next_cursor) break;
    cursor = *p.next_cursor;
  }
  EXPECT_EQ(seen.size(), 10u);
  // [from, to)
  auto range = db_->QueryAudit(1200, 1500, 100).value();
  ASSERT_EQ(range.rows.size(), 3u);
  EXPECT_EQ(range.rows.front().at_ms, 1200);
  EXPECT_EQ(range.rows.back().at_ms, 1400);
  EXPECT_FALSE(range.next_cursor.has_value());
  // Exactly a page's worth: no empty extra page announced.
  EXPECT_FALSE(db_->QueryAudit(1200, 1500, 3)->next_cursor.has_value());
  EXPECT_EQ(db_->QueryAudit(0, 1, 0).status().code(), StatusCode::kInvalidArgument);

  // Purge in batches: the oldest first, never a row at or after the cut.
  EXPECT_EQ(db_->PurgeAuditBefore(1500, 2).value(), 2);
  EXPECT_EQ(db_->QueryAudit(0, INT64_MAX, 100)->rows.front().at_ms, 1200);
  EXPECT_EQ(db_->PurgeAuditBefore(1500).value(), 3);
  EXPECT_EQ(db_->PurgeAuditBefore(1500).value(), 0);
  EXPECT_EQ(db_->QueryAudit(0, INT64_MAX, 100)->rows.size(), 5u);
  EXPECT_EQ(db_->QueryAudit(0, INT64_MAX, 100)->rows.front().at_ms, 1500);
  EXPECT_EQ(db_->PurgeAuditBefore(1500, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(db_->CheckIntegrity().ok());
}

// Many rows share a millisecond and arrive out of time order (clock steps,
// concurrent writers): every page size walks all of them exactly once, in
// (at_ms, id) order, and rows appended meanwhile at later times still come.
TEST_F(KeysAuditTest, AuditPaginationWithoutGapsOrRepeats) {
  std::vector<int64_t> times;
  for (int i = 0; i < 57; ++i) times.push_back(5000 + (i * 7919) % 13);  // 13 distinct values, shuffled
  std::vector<int64_t> ids;
  for (int64_t t : times) {
    AuditRecord r;
    r.at_ms = t;
    r.endpoint = "POST /api/group/v1/create";
    ids.push_back(db_->AppendAudit(r).value());
  }
  for (int limit : {1, 2, 5, 13, 56, 57, 58, 1000}) {
    SCOPED_TRACE(limit);
    std::vector<std::pair<int64_t, int64_t>> walked;
    AuditCursor cursor;
    int pages = 0;
    for (;;) {
      auto p = db_->QueryAudit(0, INT64_MAX, limit, cursor);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      ASSERT_LE(static_cast<int>(p->rows.size()), limit);
      for (const auto& r : p->rows) walked.emplace_back(r.at_ms, r.id);
      ++pages;
      if (!p->next_cursor) break;
      cursor = *p->next_cursor;
    }
    ASSERT_EQ(walked.size(), times.size());
    EXPECT_TRUE(std::is_sorted(walked.begin(), walked.end()));
    EXPECT_EQ(std::adjacent_find(walked.begin(), walked.end()), walked.end());
    EXPECT_EQ(pages, (57 + limit - 1) / limit);
  }
  // Paging while rows are appended: the new (later) rows are on later pages.
  auto first = db_->QueryAudit(0, INT64_MAX, 50).value();
  ASSERT_TRUE(first.next_cursor);
  for (int i = 0; i < 3; ++i) {
    AuditRecord r;
    r.at_ms = 9000 + i;
    ASSERT_TRUE(db_->AppendAudit(r).ok());
  }
  auto rest = db_->QueryAudit(0, INT64_MAX, 1000, *first.next_cursor).value();
  EXPECT_EQ(first.rows.size() + rest.rows.size(), 60u);
  EXPECT_EQ(rest.rows.back().at_ms, 9002);
}

// A data directory from before issue 10 (schema 1) upgrades in place and
// keeps its data.
TEST(StoreSchemaUpgrade, Version1GainsKeysAndAudit) {
  TempDir dir;
  const auto file = dir.path() / "facepass.db";
  {
    auto db = Database::Open(file).value();
    ASSERT_TRUE(db->CreateGroup("group_a", 1).ok());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DROP INDEX faces_label; ALTER TABLE faces DROP COLUMN label; DROP TABLE recognitions; DROP TABLE api_keys; DROP TABLE audit_log; PRAGMA user_version = 1;", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(raw);

  auto db = Database::Open(file);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->ListGroupNames().value(), std::vector<std::string>{"group_a"});
  EXPECT_TRUE((*db)->InsertKey("k", "admin", "h", 1).ok());
  EXPECT_TRUE((*db)->AppendAudit(AuditRecord{}).ok());
  EXPECT_TRUE((*db)->CheckIntegrity().ok());
}

}  // namespace
}  // namespace facepass::store
