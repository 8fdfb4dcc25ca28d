// The storage contract (issue 27): the same cases run against every backend
// through domain::Storage, so SQLite and PostgreSQL keep one semantics.
// PostgreSQL cases skip without a test cluster (fail under CI=true).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/storage.h"
#include "store/pg_schema.h"
#include "store/temp_dir.h"

namespace facepass::store::testing_util {

enum class Backend { kSqlite, kPostgres };

class ContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;

  domain::Storage& s() { return *storage_; }
  // Another handle on the same data: its own connection(s), as a second
  // node (PostgreSQL) or a second process (SQLite) would have.
  std::unique_ptr<domain::Storage> OpenAnother(int64_t change_log_keep = 10000);
  // Reopens the main handle with another change-log length.
  void Reopen(int64_t change_log_keep);

  // An enrol image and a live face on it with a 4-D feature derived from `seed`.
  int64_t AddFace(float seed, int64_t now_ms = 1000);
  static std::vector<float> Feature(float seed) { return {seed, seed + 0.5f, -seed, 1.0f}; }

 private:
  std::optional<TempDir> dir_;
  std::unique_ptr<PgSchema> schema_;
  std::unique_ptr<domain::Storage> storage_;
};

std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

}  // namespace facepass::store::testing_util

#define FP_INSTANTIATE_CONTRACT(suite)                                                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                                                 \
                           ::testing::Values(::facepass::store::testing_util::Backend::kSqlite,             \
                                             ::facepass::store::testing_util::Backend::kPostgres),          \
                           ::facepass::store::testing_util::BackendName)
