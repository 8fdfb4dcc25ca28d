// The domain services as App wires them, minus HTTP and the models: a real
// SQLite store and file store in a fresh directory per test, the real 1:N
// index, and the FakeAnalyzer. Data is made through the services' and the
// store's own calls.
#pragma once

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
class Database;
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

  store::Database& db() { return catalog_->db(); }
  const index::FaceIndex& live_index() { return catalog_->index(); }

  // A face enrolled from FakeAnalyzer::PhotoOf(person); its id.
  int64_t Enrol(const std::string& person);
  // Creates the group (it must not exist) and binds `faces`.
  void MakeGroup(const std::string& name, const std::vector<int64_t>& faces = {});
  // The live group's id and version (the store's record).
  int64_t GroupId(const std::string& name);
  int64_t Version(const std::string& name);

  // The index a restart would build from the database now, for comparing
  // with the live one.
  std::unique_ptr<index::FaceIndex> ReloadedIndex();
  // The live index holds exactly the database's bindings: per live group the
  // same face count, and each bound face is its own best match.
  void ExpectIndexMatchesDatabase();

  std::filesystem::path dir_;
  FakeAnalyzer analyzer_;
  std::unique_ptr<store::FileStore> files_;
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
