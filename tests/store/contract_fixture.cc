#include "store/contract_fixture.h"

#include "store/pg/pg_store.h"
#include "store/sqlite_storage.h"
#include "support/skip_or_fail.h"

namespace facepass::store::testing_util {

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

std::unique_ptr<domain::Storage> ContractTest::OpenAnother(int64_t change_log_keep) {
  if (GetParam() == Backend::kSqlite) {
    Database::Options o;
    o.change_log_keep = change_log_keep;
    auto st = SqliteStorage::Open(dir_->path(), o);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    return st.ok() ? std::move(st).value() : nullptr;
  }
  pg::PgStore::Options o;
  o.change_log_keep = change_log_keep;
  auto st = pg::PgStore::Open(schema_->uri(), o);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  return st.ok() ? std::move(st).value() : nullptr;
}

void ContractTest::Reopen(int64_t change_log_keep) {
  storage_.reset();
  storage_ = OpenAnother(change_log_keep);
  ASSERT_NE(storage_, nullptr);
}

void ContractTest::SetUp() {
  if (GetParam() == Backend::kSqlite) {
    dir_.emplace();
  } else {
    schema_ = PgSchema::Create();
    if (!schema_) FP_SKIP_OR_FAIL_IN_CI(kNoPgCluster);
  }
  storage_ = OpenAnother();
  ASSERT_NE(storage_, nullptr);
}

int64_t ContractTest::AddFace(float seed, int64_t now_ms) {
  auto image = s().images().AddImage(domain::ImageKind::kEnrol, "jpeg", "face-" + std::to_string(seed), 64, 48, now_ms);
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  if (!image.ok()) return 0;
  const std::vector<float> f = Feature(seed);
  auto face = s().faces().InsertFace(*image, domain::Rect{1, 2, 30, 40}, now_ms, f);
  EXPECT_TRUE(face.ok()) << face.status().ToString();
  return face.ok() ? *face : 0;
}

}  // namespace facepass::store::testing_util
