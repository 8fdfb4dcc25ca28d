// The domain services as App wires them, minus HTTP and the models: a real
// store, fresh per test, the real 1:N index, and the FakeAnalyzer. Data is
// made through the services' and the store's own calls.
//
// The store is SQLite in a temporary directory, or PostgreSQL when
// FACEPASS_TEST_BACKEND=postgresql (a private schema in FACEPASS_TEST_PG_URI's
// cluster): ctest runs the same tests on both (tests/service/CMakeLists.txt).
#pragma once

#include "domain/storage.h"
#include "index/face_index.h"
#include "store/pg_schema.h"
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "service/catalog.h"
#include "service/config.h"
#include "service/device_sync.h"
#include "service/fake_analyzer.h"
#include "service/faces.h"
#include "service/groups.h"
#include "service/image_archive.h"
#include "service/recognition.h"
#include "service/thresholds.h"
#include "store/file_store.h"

namespace facepass::store {
class FileStore;
}  // namespace facepass::store
namespace facepass::index {
class FaceIndex;
}

namespace facepass::service::testing {

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  domain::Storage& store() { return *storage_; }
  // The backend is SQLite (the tests of its files call this first and skip otherwise).
  bool OnSqlite() const { return sqlite_files_ != nullptr; }
  const index::FaceIndex& live_index() { return catalog_->index(); }

  // A face enrolled from FakeAnalyzer::PhotoOf(person); its id.
  int64_t Enrol(const std::string& person);
  // Creates the group (it must not exist) and binds `faces`.
  void MakeGroup(const std::string& name, const std::vector<int64_t>& faces = {});
  // The live group's id and version (the store's record).
  int64_t GroupId(const std::string& name);
  int64_t Version(const std::string& name);

  // The index a restart would build from the store now, for comparing with
  // the live one (SQLite: the binding scan; PostgreSQL: a second node's
  // catch-up from nothing). Valid until the next call.
  const index::FaceIndex& ReloadedIndex();
  // The live index holds exactly the database's bindings: per live group the
  // same face count, and each bound face is its own best match.
  void ExpectIndexMatchesDatabase();

  std::filesystem::path dir_;
  FakeAnalyzer analyzer_;
  std::unique_ptr<index::FaceIndex> reloaded_index_;
  std::unique_ptr<Catalog> reloaded_catalog_;
  std::unique_ptr<store::testing_util::PgSchema> pg_schema_;  // PostgreSQL: dropped after the store closes
  std::unique_ptr<domain::Storage> storage_;
  store::FileStore* sqlite_files_ = nullptr;  // SQLite's image files; null on PostgreSQL
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Thresholds> thresholds_;
  std::unique_ptr<ImageArchive> images_;
  std::unique_ptr<Faces> faces_;
  std::unique_ptr<Groups> groups_;
  std::unique_ptr<Recognition> recognition_;
  std::unique_ptr<DeviceSync> sync_;
  std::unique_ptr<Config> config_;
};

// The error code of a refused call, or kOk; for EXPECT_EQ with a readable diff.
template <typename T>
ErrorCode CodeOf(const DomainResult<T>& r) {
  return r.ok() ? ErrorCode::kOk : r.error().code;
}
template <typename T>
std::string MessageOf(const DomainResult<T>& r) {
  return r.ok() ? std::string("ok") : r.error().message;
}

}  // namespace facepass::service::testing
