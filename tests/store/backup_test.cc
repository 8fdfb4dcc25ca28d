// Backup and restore of a data directory built through the store's own API,
// with a writer running during the backup.
#include "store/backup.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "store/database.h"
#include "store/file_store.h"
#include "store/token_cipher.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

namespace fs = std::filesystem;
using testing_util::TempDir;

struct Enrolled {
  int64_t face_id;
  std::string image_path;
  std::string bytes;
};

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.path() / "data";
    auto db = Database::Open(data_ / "facepass.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto files = FileStore::Open(data_ / "images");
    ASSERT_TRUE(files.ok());
    files_ = std::move(*files);
    ASSERT_TRUE(TokenCipher::LoadOrCreate(data_).ok());
    std::ofstream(data_ / "search_model") << "model-x\n";
    auto g = db_->CreateGroup("staff", 1);
    ASSERT_TRUE(g.ok());
    group_ = g->id;
  }

  Enrolled Enrol(int i, ImageKind kind = ImageKind::kEnrol) {
    const std::string bytes = "image bytes " + std::to_string(i) + std::string(1000 + i, static_cast<char>(i));
    auto path = files_->Write(bytes, "jpg");
    EXPECT_TRUE(path.ok());
    auto image = db_->InsertImage(kind, "jpg", *path, static_cast<int64_t>(bytes.size()), 10, 10, 1000 + i);
    EXPECT_TRUE(image.ok());
    if (kind == ImageKind::kCapture) return {0, *path, bytes};
    auto face = db_->InsertFace(*image, {1, 1, 5, 5}, 1000 + i, std::vector<float>(8, 0.1f * i));
    EXPECT_TRUE(face.ok());
    EXPECT_TRUE(db_->Bind(group_, *face, 1000 + i).ok());
    return {*face, *path, bytes};
  }

  static std::string ReadFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  TempDir tmp_;
  fs::path data_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<FileStore> files_;
  int64_t group_ = 0;
};

TEST_F(BackupTest, RestoreHoldsEverythingAcknowledgedBeforeTheBackupWhileAWriterRuns) {
  std::vector<Enrolled> before;
  for (int i = 0; i < 50; ++i) before.push_back(Enrol(i));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 50; !stop && i < 5000; ++i) Enrol(i);
  });
  auto stats = Backup(data_, tmp_.path() / "b.tar");
  stop = true;
  writer.join();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GE(stats->images, 50);

  const fs::path restored = tmp_.path() / "restored";
  auto r = Restore(tmp_.path() / "b.tar", restored);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->images, stats->images);
  EXPECT_EQ(ReadFile(restored / "secret.key"), ReadFile(data_ / "secret.key"));
  EXPECT_EQ(ReadFile(restored / "search_model"), "model-x\n");
  EXPECT_EQ(fs::status(restored / "secret.key").permissions() & fs::perms::others_all, fs::perms::none);

  auto db = Database::Open(restored / "facepass.db");
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE((*db)->CheckIntegrity().ok());
  auto group = (*db)->GetGroupByName("staff");
  ASSERT_TRUE(group.ok());
  auto bound = (*db)->GroupFaceIds(group->id);
  ASSERT_TRUE(bound.ok());
  EXPECT_GE(bound->size(), before.size());
  for (const Enrolled& e : before) {
    auto face = (*db)->GetFace(e.face_id);
    ASSERT_TRUE(face.ok()) << e.face_id;
    EXPECT_EQ(ReadFile(restored / "images" / e.image_path), e.bytes);
  }
}

TEST_F(BackupTest, CapturePurgedBeforeItsFileIsCopiedIsLeftOut) {
  Enrol(1);
  Enrolled capture = Enrol(2, ImageKind::kCapture);
  ASSERT_TRUE(files_->Remove(capture.image_path).ok());  // the purge removes files first, then rows
  auto stats = Backup(data_, tmp_.path() / "b.tar");
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->captures_skipped, 1);
  EXPECT_EQ(stats->images, 1);
  ASSERT_TRUE(Restore(tmp_.path() / "b.tar", tmp_.path() / "r").ok());
}

TEST_F(BackupTest, RestoreRefusesANonEmptyTarget) {
  Enrol(1);
  ASSERT_TRUE(Backup(data_, tmp_.path() / "b.tar").ok());
  auto r = Restore(tmp_.path() / "b.tar", data_);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  fs::create_directories(tmp_.path() / "empty");
  EXPECT_TRUE(Restore(tmp_.path() / "b.tar", tmp_.path() / "empty").ok());
}

TEST_F(BackupTest, DamagedOrCutBackupIsRefusedAndLeavesNothing) {
  for (int i = 0; i < 5; ++i) Enrol(i);
  ASSERT_TRUE(Backup(data_, tmp_.path() / "b.tar").ok());
  const std::string good = ReadFile(tmp_.path() / "b.tar");

  std::string damaged = good;
  const size_t at = damaged.find("image bytes 3");  // inside one image file's data
  ASSERT_NE(at, std::string::npos);
  damaged[at] ^= 1;
  std::ofstream(tmp_.path() / "damaged.tar", std::ios::binary) << damaged;
  auto r = Restore(tmp_.path() / "damaged.tar", tmp_.path() / "r1");
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  EXPECT_FALSE(fs::exists(tmp_.path() / "r1"));

  std::ofstream(tmp_.path() / "cut.tar", std::ios::binary) << good.substr(0, good.size() / 2);
  r = Restore(tmp_.path() / "cut.tar", tmp_.path() / "r2");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(fs::exists(tmp_.path() / "r2"));

  for (const auto& e : fs::directory_iterator(tmp_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".restore"), std::string::npos) << e.path();
  }
}

TEST_F(BackupTest, EntryLeavingTheTargetIsRefused) {
  const fs::path evil = tmp_.path() / "evil.tar";
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, evil.c_str()), ARCHIVE_OK);
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "../escaped");
  archive_entry_set_size(e, 3);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0600);
  archive_write_header(a, e);
  archive_write_data(a, "abc", 3);
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  auto r = Restore(evil, tmp_.path() / "r");
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(fs::exists(tmp_.path() / "escaped"));
}

TEST(BackupMissing, NoDatabaseIsNotFound) {
  TempDir tmp;
  EXPECT_EQ(Backup(tmp.path() / "nothing", tmp.path() / "b.tar").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Restore(tmp.path() / "none.tar", tmp.path() / "r").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace facepass::store
