#include "store/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

std::vector<float> Feature(float seed, int dim = 8) {
  std::vector<float> f(dim);
  for (int i = 0; i < dim; ++i) f[i] = seed + 0.25f * i;
  return f;
}

class StoreDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(dir_.path() / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db.value());
  }
  int64_t AddImage(ImageKind kind = ImageKind::kEnrol, int64_t created_ms = 1000) {
    auto id = db_->InsertImage(kind, "jpeg", "ab/abcdef.jpg", 1234, 640, 480, created_ms);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  int64_t AddFace(float seed = 1.0f) {
    int64_t image = AddImage();
    auto f = Feature(seed);
    auto id = db_->InsertFace(image, Rect{1, 2, 3, 4}, 2000, f);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(StoreDatabaseTest, ImagesRoundTrip) {
  int64_t id = db_->InsertImage(ImageKind::kCapture, "png", "cd/cdef.png", 99, 320, 200, 5000).value();
  auto img = db_->GetImage(id);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->id, id);
  EXPECT_EQ(img->kind, ImageKind::kCapture);
  EXPECT_EQ(img->format, "png");
  EXPECT_EQ(img->path, "cd/cdef.png");
  EXPECT_EQ(img->size, 99);
  EXPECT_EQ(img->width, 320);
  EXPECT_EQ(img->height, 200);
  EXPECT_EQ(img->created_ms, 5000);
  EXPECT_EQ(db_->GetImage(id + 100).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreDatabaseTest, CaptureRetention) {
  int64_t enrol = AddImage(ImageKind::kEnrol, 10);
  int64_t c1 = AddImage(ImageKind::kCapture, 30);
  int64_t c2 = AddImage(ImageKind::kCapture, 20);
  AddImage(ImageKind::kCapture, 100);
  auto old = db_->CapturesOlderThan(50, 10);
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->size(), 2u);
  EXPECT_EQ((*old)[0].id, c2);  // oldest first
  EXPECT_EQ((*old)[1].id, c1);
  EXPECT_EQ(db_->CapturesOlderThan(50, 1)->size(), 1u);

  EXPECT_EQ(db_->DeleteImage(enrol).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(db_->DeleteImage(c1).ok());
  EXPECT_EQ(db_->DeleteImage(c1).code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->GetImage(c1).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(db_->GetImage(enrol).ok());

  // A capture a face was enrolled from is not purged under it.
  int64_t c3 = AddImage(ImageKind::kCapture, 1);
  ASSERT_TRUE(db_->InsertFace(c3, Rect{}, 1, Feature(1)).ok());
  EXPECT_EQ(db_->DeleteImage(c3).code(), StatusCode::kFailedPrecondition);
  auto left = db_->CapturesOlderThan(50, 10);  // and a purge loop does not spin on it
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, c2);
}

TEST_F(StoreDatabaseTest, FacesRoundTripAndHistory) {
  int64_t image = AddImage();
  auto feature = Feature(0.5f, 512);
  int64_t id = db_->InsertFace(image, Rect{10, 20, 110, 140}, 777, feature).value();
  auto face = db_->GetFace(id);
  ASSERT_TRUE(face.ok());
  EXPECT_EQ(face->image_id, image);
  EXPECT_EQ(face->rect.left, 10);
  EXPECT_EQ(face->rect.top, 20);
  EXPECT_EQ(face->rect.right, 110);
  EXPECT_EQ(face->rect.bottom, 140);
  EXPECT_EQ(face->created_ms, 777);
  EXPECT_FALSE(face->deleted);
  EXPECT_EQ(face->feature, feature);

  EXPECT_EQ(db_->InsertFace(image + 100, Rect{}, 1, feature).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->InsertFace(image, Rect{}, 1, std::vector<float>{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->GetFace(id + 100).status().code(), StatusCode::kNotFound);

  auto groups = db_->DeleteFace(id, 9000);
  ASSERT_TRUE(groups.ok());
  EXPECT_TRUE(groups->empty());
  face = db_->GetFace(id);  // history stays readable
  ASSERT_TRUE(face.ok());
  EXPECT_TRUE(face->deleted);
  EXPECT_EQ(face->feature, feature);
  EXPECT_EQ(db_->DeleteFace(id, 9001).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->DeleteFace(id + 100, 9001).status().code(), StatusCode::kNotFound);
}

TEST_F(StoreDatabaseTest, ConfigAllOrNothing) {
  EXPECT_TRUE(db_->LoadConfig()->empty());
  ASSERT_TRUE(db_->SaveConfig({{"recognize_threshold", 78}, {"compare_threshold", 70.5}}).ok());
  ASSERT_TRUE(db_->SaveConfig({{"recognize_threshold", 80}}).ok());
  auto cfg = db_->LoadConfig();
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->size(), 2u);
  EXPECT_DOUBLE_EQ(cfg->at("recognize_threshold"), 80);
  EXPECT_DOUBLE_EQ(cfg->at("compare_threshold"), 70.5);
  EXPECT_FALSE(db_->SaveConfig({{"liveness_threshold", 1}, {"recognize_threshold", NAN}}).ok());
  EXPECT_EQ(db_->LoadConfig()->size(), 2u);
  EXPECT_DOUBLE_EQ(db_->LoadConfig()->at("recognize_threshold"), 80);
}

TEST_F(StoreDatabaseTest, DevicesUpsert) {
  DeviceRecord d{"192.168.0.9", "v1.0.1", "1017", 12345, {}};
  d.groups.push_back(DeviceGroupStatus{"group_b", 7, 3, 5, 0, 5, 2, 1});
  d.groups.push_back(DeviceGroupStatus{"group_a", 0, 0, 0, 1, 0, 0, 0});
  ASSERT_TRUE(db_->UpsertDevice(d).ok());
  ASSERT_TRUE(db_->UpsertDevice(DeviceRecord{"10.0.0.1", "v1.0.0", "1016", 1, {}}).ok());
  auto list = db_->ListDevices();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].ip, "10.0.0.1");
  const DeviceRecord& got = (*list)[1];
  EXPECT_EQ(got.client_version, "v1.0.1");
  EXPECT_EQ(got.search_model, "1017");
  EXPECT_EQ(got.sync_time_ms, 12345);
  ASSERT_EQ(got.groups.size(), 2u);
  EXPECT_EQ(got.groups[0].group_name, "group_b");  // kept in the order given
  EXPECT_EQ(got.groups[0].group_id, 7);
  EXPECT_EQ(got.groups[0].local_version, 3);
  EXPECT_EQ(got.groups[0].cloud_version, 5);
  EXPECT_EQ(got.groups[0].result_code, 0);
  EXPECT_EQ(got.groups[0].result_version, 5);
  EXPECT_EQ(got.groups[0].added, 2);
  EXPECT_EQ(got.groups[0].deleted, 1);
  EXPECT_EQ(got.groups[1].result_code, 1);

  d.sync_time_ms = 99999;
  d.groups.pop_back();
  ASSERT_TRUE(db_->UpsertDevice(d).ok());
  list = db_->ListDevices();
  EXPECT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].sync_time_ms, 99999);
  EXPECT_EQ((*list)[1].groups.size(), 1u);
}

TEST_F(StoreDatabaseTest, ReopenPersistsEverything) {
  int64_t f1 = AddFace(1), f2 = AddFace(2);
  int64_t capture = AddImage(ImageKind::kCapture, 42);
  GroupRecord g = db_->CreateGroup("group_a", 1).value();
  ASSERT_TRUE(db_->Bind(g.id, f1, 2).ok());
  ASSERT_TRUE(db_->Bind(g.id, f2, 3).ok());
  ASSERT_TRUE(db_->DeleteFace(f2, 4).ok());
  ASSERT_TRUE(db_->SaveConfig({{"k", 1.5}}).ok());
  ASSERT_TRUE(db_->UpsertDevice(DeviceRecord{"1.2.3.4", "v1", "m", 5, {}}).ok());
  Reopen();
  EXPECT_TRUE(db_->CheckIntegrity().ok());
  auto got = db_->GetGroupByName("group_a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id, g.id);
  EXPECT_EQ(got->version, 4);
  EXPECT_EQ(db_->GroupFaceIds(g.id).value(), std::vector<int64_t>{f1});
  EXPECT_TRUE(db_->GetFace(f2)->deleted);
  EXPECT_FALSE(db_->GetFace(f1)->deleted);
  EXPECT_EQ(db_->GetFace(f1)->feature, Feature(1));
  EXPECT_EQ(db_->GetImage(capture)->created_ms, 42);
  EXPECT_DOUBLE_EQ(db_->LoadConfig()->at("k"), 1.5);
  EXPECT_EQ(db_->ListDevices()->size(), 1u);
  // ids keep growing after reopen (AUTOINCREMENT), never reused
  EXPECT_GT(AddFace(3), f2);
}

TEST_F(StoreDatabaseTest, MigratesEmptyFileAndSetsPragmas) {
  const auto file = dir_.path() / "empty.db";
  { std::FILE* f = std::fopen(file.c_str(), "wb"); ASSERT_NE(f, nullptr); std::fclose(f); }
  {
    auto db = Database::Open(file);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_TRUE((*db)->CheckIntegrity().ok());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  auto get = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql, -1, &st, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    std::string v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
  };
  EXPECT_EQ(get("PRAGMA user_version"), std::to_string(Database::kSchemaVersion));
  EXPECT_EQ(get("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(get("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('images','faces','groups','bindings','group_changes','config','devices')"), "7");
  // A file from a newer schema is refused, not clobbered.
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_EQ(Database::Open(file).status().code(), StatusCode::kFailedPrecondition);
}

// Each broken invariant is caught; the damage is done behind the store's back.
TEST_F(StoreDatabaseTest, CheckIntegrityCatchesBrokenInvariants) {
  int64_t f1 = AddFace(1), f2 = AddFace(2);
  GroupRecord g = db_->CreateGroup("group_a", 1).value();
  ASSERT_TRUE(db_->Bind(g.id, f1, 2).ok());
  ASSERT_TRUE(db_->DeleteFace(f2, 3).ok());
  ASSERT_TRUE(db_->CheckIntegrity().ok());
  db_.reset();
  const auto file = dir_.path() / "facepass.db";
  const std::string g_id = std::to_string(g.id), f2_id = std::to_string(f2);
  const std::vector<std::string> damage = {
      "INSERT INTO bindings(group_id, face_id) VALUES(" + g_id + ", " + f2_id + ")",  // deleted face
      "DELETE FROM group_changes WHERE version = 2",                                  // hole in the log
      "UPDATE groups SET version = version + 1",                                      // unlogged bump
      "DELETE FROM bindings",                                                         // log says bound
      "INSERT INTO bindings(group_id, face_id) VALUES(" + g_id + ", 999)",             // missing face
      "UPDATE faces SET feature = x'010203' WHERE id = " + f2_id,                      // torn feature
  };
  for (const std::string& sql : damage) {
    const auto copy = dir_.path() / "damaged.db";
    std::filesystem::copy_file(file, copy, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(dir_.path() / "damaged.db-wal");
    std::filesystem::remove(dir_.path() / "damaged.db-shm");
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(copy.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(raw);
    auto db = Database::Open(copy);
    ASSERT_TRUE(db.ok());
    Status st = (*db)->CheckIntegrity();
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << sql;
    // The start-up check sees the first three (bindings and logs), not the rest (rows it does not scan).
    const bool quick_sees = &sql - damage.data() < 3;
    EXPECT_EQ((*db)->CheckIntegrity(Database::Check::kQuick).ok(), !quick_sees) << sql;
  }
}

TEST_F(StoreDatabaseTest, GarbageFileIsAnErrorNotAnException) {
  const auto file = dir_.path() / "garbage.db";
  std::FILE* f = std::fopen(file.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string junk(8192, 'x');
  std::fwrite(junk.data(), 1, junk.size(), f);
  std::fclose(f);
  auto db = Database::Open(file);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().ToString();
}

TEST_F(StoreDatabaseTest, ConcurrentThreads) {
  constexpr int kThreads = 6, kPerThread = 40;
  GroupRecord g = db_->CreateGroup("shared_group", 1).value();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto own = db_->CreateGroup("group_t" + std::to_string(t), 1);
      if (!own.ok()) ++failures;
      for (int i = 0; i < kPerThread; ++i) {
        auto img = db_->InsertImage(ImageKind::kEnrol, "jpeg", "x", 1, 1, 1, i);
        if (!img.ok()) { ++failures; continue; }
        auto face = db_->InsertFace(*img, Rect{}, i, Feature(t * 1000 + i));
        if (!face.ok()) { ++failures; continue; }
        if (!db_->Bind(g.id, *face, i).ok()) ++failures;
        if (own.ok() && !db_->Bind(own->id, *face, i).ok()) ++failures;
        if (i % 4 == 0 && !db_->DeleteFace(*face, i).ok()) ++failures;
        if (!db_->GetGroupById(g.id).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  const int deleted_per_thread = kPerThread / 4;
  auto ids = db_->GroupFaceIds(g.id).value();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * (kPerThread - deleted_per_thread)));
  // create + every bind + every delete's unbind
  EXPECT_EQ(db_->GetGroupById(g.id)->version, 1 + kThreads * kPerThread + kThreads * deleted_per_thread);
  EXPECT_TRUE(db_->CheckIntegrity().ok()) << db_->CheckIntegrity().ToString();
}

}  // namespace
}  // namespace facepass::store
