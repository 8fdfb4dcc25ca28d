// `facepass migrate`'s copy (store/pg/sqlite_import.h): an SQLite
// installation built through the SQLite repositories, imported into a private
// PostgreSQL schema, read back through PgStore. Skips without the test
// cluster (fails under CI=true).
#include <gtest/gtest.h>

#include <fstream>

#include <pqxx/pqxx>

#include "store/dir_lock.h"
#include "store/pg/pg_store.h"
#include "store/pg/sqlite_import.h"
#include "store/pg_schema.h"
#include "store/sqlite_storage.h"
#include "store/temp_dir.h"
#include "support/skip_or_fail.h"

namespace facepass::store::pg {
namespace {

using domain::ImageKind;
using testing_util::PgSchema;
using testing_util::TempDir;

std::vector<float> Feature(float seed) { return {seed, seed / 3.0f, -seed, 0.1f}; }

// What the source holds, to compare with the copy.
struct Source {
  std::vector<int64_t> faces;  // faces[2] deleted
  int64_t capture = 0, purged_capture = 0;
  domain::GroupRecord staff, gone;
  int64_t staff_version_seen = 0;  // a device synced here
  std::string secret;
  std::map<int64_t, std::string> image_bytes;
};

void Ok(const Status& s) { ASSERT_TRUE(s.ok()) << s.ToString(); }

// Images, faces, groups with binds/unbinds and a deleted group, history,
// keys, audit, config and devices, all through the SQLite repositories.
void BuildSqlite(const std::filesystem::path& dir, Source* src) {
  auto st = SqliteStorage::Open(dir);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  domain::Storage& s = **st;
  auto secret = s.secret().LoadOrCreateSecret();
  ASSERT_TRUE(secret.ok());
  src->secret = *secret;
  for (int i = 0; i < 4; ++i) {
    const std::string bytes = "jpeg-bytes-" + std::to_string(i) + std::string(1000 + i, static_cast<char>(i));
    auto image = s.images().AddImage(ImageKind::kEnrol, "jpeg", bytes, 640, 480, 1000 + i);
    ASSERT_TRUE(image.ok());
    src->image_bytes[*image] = bytes;
    // Every other face named (issue 29's label travels too).
    auto face = s.faces().InsertFace(*image, domain::Rect{i, 2, 30 + i, 40}, 1000 + i, Feature(0.37f * (i + 1)),
                                     i % 2 == 0 ? std::optional<std::string>("Person " + std::to_string(i))
                                                : std::nullopt);
    ASSERT_TRUE(face.ok());
    src->faces.push_back(*face);
  }
  auto purged = s.images().AddImage(ImageKind::kCapture, "png", "old capture", 10, 10, 1500);
  ASSERT_TRUE(purged.ok());
  src->purged_capture = *purged;
  Ok(s.images().DeleteCapture(*purged));  // its id must never come back
  auto capture = s.images().AddImage(ImageKind::kCapture, "png", std::string("cap\0ture", 8), 20, 10, 2000);
  ASSERT_TRUE(capture.ok());
  src->capture = *capture;
  src->image_bytes[*capture] = std::string("cap\0ture", 8);

  auto staff = s.groups().CreateGroup("staff", 3000);
  ASSERT_TRUE(staff.ok());
  for (int64_t f : src->faces) ASSERT_TRUE(s.groups().Bind(staff->id, f, 3001).ok());
  src->staff_version_seen = s.groups().GetGroupById(staff->id)->version;
  ASSERT_TRUE(s.groups().Unbind(staff->id, src->faces[0], 3002).ok());
  ASSERT_TRUE(s.faces().DeleteFace(src->faces[2], 3003).ok());  // unbinds it too
  auto gone = s.groups().CreateGroup("gone", 3004);
  ASSERT_TRUE(gone.ok());
  ASSERT_TRUE(s.groups().Bind(gone->id, src->faces[1], 3005).ok());
  auto gone_final = s.groups().DeleteGroup("gone", 3006);
  ASSERT_TRUE(gone_final.ok());
  src->gone = *gone_final;
  src->staff = *s.groups().GetGroupById(staff->id);

  domain::RecognitionRecord r;
  r.image_id = *capture;
  r.at_ms = 4000;
  r.group_name = "staff";
  r.track_id = 7;
  r.face_id = src->faces[1];
  r.score = 0.123456789012345678;
  r.passed = true;
  r.rect = domain::Rect{1, 2, 3, 4};
  r.liveness_score = 0.987654321;
  domain::RecognitionRecord miss = r;
  miss.face_id.reset();
  miss.rect.reset();
  miss.liveness_score.reset();
  miss.passed = false;
  ASSERT_TRUE(s.recognitions().InsertRecognitions({r, miss}).ok());
  ASSERT_TRUE(s.keys().InsertKey("admin", "admin", std::string(64, 'a'), 5000).ok());
  ASSERT_TRUE(s.keys().InsertKey("gate", "device", std::string(64, 'b'), 5001).ok());
  Ok(s.keys().RevokeKey("gate", 5002));
  ASSERT_TRUE(s.audit().AppendAudit({0, 5003, "admin", "admin", "10.0.0.1", "POST /api/group/v1/create", "staff", 0}).ok());
  Ok(s.config().SaveConfig({{"recognize_threshold", 71.5}, {"liveness_threshold", 0.3}}));
  domain::DeviceRecord d{"10.0.0.9", "1.2.3", "arcface", 6000, {{"staff", staff->id, 2, 3, 0, 3, 1, 0}}};
  Ok(s.devices().UpsertDevice(d));
}

class SqliteImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = PgSchema::Create();
    if (!schema_) FP_SKIP_OR_FAIL_IN_CI(testing_util::kNoPgCluster);
    ASSERT_NO_FATAL_FAILURE(BuildSqlite(dir_.path(), &src_));
  }

  TempDir dir_;
  std::unique_ptr<PgSchema> schema_;
  Source src_;
};

TEST_F(SqliteImportTest, CopiesEveryRecordAndTheSecret) {
  {
    std::ofstream model(dir_.path() / "search_model");
    model << "arcface+mobilefacenet\n";
  }
  auto report = ImportSqlite(dir_.path(), schema_->uri());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->images_hashed, 5);
  for (const ImportedTable& t : report->tables) EXPECT_EQ(t.source, t.target) << t.name;
  EXPECT_EQ(report->target.find("password"), std::string::npos);
  EXPECT_TRUE(report->vacuum.ok()) << report->vacuum.ToString();
  {
    pqxx::connection admin(schema_->uri());
    pqxx::nontransaction w(admin);
    EXPECT_EQ(w.exec1("SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                      "AND relname IN ('faces', 'bindings') AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL")[0]
                  .as<int>(),
              2)
        << "the copied tables vacuumed and analysed";
  }

  auto pg = PgStore::Open(schema_->uri());
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  PgStore& p = **pg;
  Ok(p.CheckIntegrity(domain::IntegrityCheck::kFull));
  EXPECT_EQ(*p.LoadOrCreateSecret(), src_.secret);
  EXPECT_EQ(p.ClaimSearchModel("faceres").value(), "arcface+mobilefacenet");  // the data directory's model

  auto sqlite = SqliteStorage::Open(dir_.path());
  ASSERT_TRUE(sqlite.ok());
  domain::Storage& s = **sqlite;
  for (int64_t id : src_.faces) {
    auto a = s.faces().GetFace(id);
    auto b = p.GetFace(id);
    ASSERT_TRUE(b.ok()) << id;
    EXPECT_EQ(a->image_id, b->image_id);
    EXPECT_EQ(a->rect.left, b->rect.left);
    EXPECT_EQ(a->rect.right, b->rect.right);
    EXPECT_EQ(a->created_ms, b->created_ms);
    EXPECT_EQ(a->deleted, b->deleted);
    EXPECT_EQ(a->feature, b->feature);
    EXPECT_EQ(a->label, b->label);
  }
  for (const auto& [id, bytes] : src_.image_bytes) {
    auto a = s.images().GetImage(id);
    auto b = p.GetImage(id);
    ASSERT_TRUE(b.ok()) << id;
    EXPECT_EQ(a->kind, b->kind);
    EXPECT_EQ(a->format, b->format);
    EXPECT_EQ(a->size, b->size);
    EXPECT_EQ(a->width, b->width);
    EXPECT_EQ(a->created_ms, b->created_ms);
    EXPECT_EQ(*p.ReadImage(*b), bytes);
  }
  auto staff = p.GetGroupByName("staff");
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(staff->id, src_.staff.id);
  EXPECT_EQ(staff->version, src_.staff.version);
  EXPECT_EQ(*p.GroupFaceIds(staff->id), *s.groups().GroupFaceIds(staff->id));
  auto gone = p.GetGroupById(src_.gone.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->deleted);
  EXPECT_EQ(gone->version, src_.gone.version);
  EXPECT_EQ(p.GetGroupByName("gone").status().code(), StatusCode::kNotFound);

  // A device at the version it had synced goes on INCREMENTALLY.
  auto delta = p.SyncDelta(staff->id, src_.staff_version_seen);
  auto expected = s.groups().SyncDelta(staff->id, src_.staff_version_seen);
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_FALSE(delta->full);
  EXPECT_EQ(delta->deleted, expected->deleted);
  auto changes = p.ChangesSince(staff->id, src_.staff_version_seen);
  ASSERT_TRUE(changes.ok() && changes->has_value());
  EXPECT_EQ((*changes)->size(), 2u);  // the unbind and the delete's unbind

  // Every group is after a node's start position (catch-up loads them all).
  auto changed = p.GroupsChangedSince(0);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->size(), 2u);
  EXPECT_EQ(*p.CatalogSequence(), report->catalog_seq);

  domain::RecognitionQuery q;
  auto page = p.QueryRecognitions(q);
  auto want = s.recognitions().QueryRecognitions(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->rows.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(page->rows[i].id, want->rows[i].id);
    EXPECT_EQ(page->rows[i].face_id, want->rows[i].face_id);
    EXPECT_EQ(page->rows[i].score, want->rows[i].score);  // all 17 digits
    EXPECT_EQ(page->rows[i].passed, want->rows[i].passed);
    EXPECT_EQ(page->rows[i].rect.has_value(), want->rows[i].rect.has_value());
    EXPECT_EQ(page->rows[i].liveness_score, want->rows[i].liveness_score);
  }
  auto keys = p.ListKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(p.FindKeyByHash(std::string(64, 'a'))->name, "admin");
  EXPECT_EQ(*p.CountActiveKeys(), 1);
  auto audit = p.QueryAudit(0, INT64_MAX, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->rows.size(), 1u);
  EXPECT_EQ(audit->rows[0].endpoint, "POST /api/group/v1/create");
  EXPECT_EQ(*p.LoadConfig(), *s.config().LoadConfig());
  auto devices = p.ListDevices();
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  ASSERT_EQ((*devices)[0].groups.size(), 1u);
  EXPECT_EQ((*devices)[0].groups[0].group_id, src_.staff.id);

  // New ids continue above the copied ones (and above a purged capture's).
  auto image = p.AddImage(ImageKind::kEnrol, "jpeg", "new", 1, 1, 7000);
  ASSERT_TRUE(image.ok());
  EXPECT_GT(*image, src_.capture);
  EXPECT_GT(*image, src_.purged_capture);
  auto face = p.InsertFace(*image, domain::Rect{}, 7000, Feature(2));
  ASSERT_TRUE(face.ok());
  EXPECT_GT(*face, src_.faces.back());
  auto group = p.CreateGroup("later", 7000);
  ASSERT_TRUE(group.ok());
  EXPECT_GT(group->id, src_.gone.id);
  ASSERT_TRUE(p.Bind(staff->id, *face, 7001).ok());
  EXPECT_EQ(p.GetGroupById(staff->id)->version, src_.staff.version + 1);
  Ok(p.CheckIntegrity(domain::IntegrityCheck::kFull));
}

TEST_F(SqliteImportTest, RefusesATargetThatIsNotEmptyAndLeavesItAlone) {
  ASSERT_TRUE(ImportSqlite(dir_.path(), schema_->uri()).ok());
  pqxx::connection c(schema_->uri());
  auto faces = [&] { return pqxx::work(c).exec1("SELECT COUNT(*), MAX(id) FROM faces")[0].as<int64_t>(); };
  const int64_t before = faces();
  auto again = ImportSqlite(dir_.path(), schema_->uri());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("not empty"), std::string::npos) << again.status().message();
  EXPECT_EQ(faces(), before);
}

TEST_F(SqliteImportTest, RefusesASchemaOfAnotherVersionWritingNothing) {
  {
    pqxx::connection c(schema_->uri());
    pqxx::work w(c);
    w.exec("CREATE TABLE schema_version(version integer NOT NULL)");
    w.exec("INSERT INTO schema_version VALUES(99)");
    w.commit();
  }
  auto r = ImportSqlite(dir_.path(), schema_->uri());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("schema version 99"), std::string::npos) << r.status().message();
  pqxx::connection c(schema_->uri());
  EXPECT_TRUE(pqxx::work(c).exec1("SELECT to_regclass('faces')")[0].is_null());
}

TEST_F(SqliteImportTest, RefusesASourceAServerHolds) {
  auto lock = DirLock::Acquire(dir_.path());
  ASSERT_TRUE(lock.ok());
  auto r = ImportSqlite(dir_.path(), schema_->uri());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  pqxx::connection c(schema_->uri());
  EXPECT_TRUE(pqxx::work(c).exec1("SELECT to_regclass('faces')")[0].is_null());
}

TEST_F(SqliteImportTest, RefusesASourceThatFailsItsCheckAndRollsBack) {
  // An enrol image's file gone: the integrity check stops it before PostgreSQL is touched.
  auto st = SqliteStorage::Open(dir_.path());
  ASSERT_TRUE(st.ok());
  auto image = (*st)->images().GetImage(src_.image_bytes.begin()->first);
  ASSERT_TRUE(image.ok());
  st->reset();
  std::filesystem::remove(dir_.path() / "images" / image->path);
  auto r = ImportSqlite(dir_.path(), schema_->uri());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_NE(r.status().message().find("integrity"), std::string::npos);
}

TEST_F(SqliteImportTest, AMissingCaptureFileRollsTheWholeCopyBack) {
  // Captures are not in the integrity check; the copy finds it mid-way.
  auto st = SqliteStorage::Open(dir_.path());
  ASSERT_TRUE(st.ok());
  auto image = (*st)->images().GetImage(src_.capture);
  ASSERT_TRUE(image.ok());
  st->reset();
  std::filesystem::remove(dir_.path() / "images" / image->path);
  auto r = ImportSqlite(dir_.path(), schema_->uri());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("image " + std::to_string(src_.capture)), std::string::npos)
      << r.status().ToString();
  pqxx::connection c(schema_->uri());
  EXPECT_TRUE(pqxx::work(c).exec1("SELECT to_regclass('images')")[0].is_null());  // even the schema rolled back
}

}  // namespace
}  // namespace facepass::store::pg
