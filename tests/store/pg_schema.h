// A private schema in the test cluster's database (FACEPASS_TEST_PG_URI, set
// by scripts/test.sh), dropped at scope exit, so test processes run in
// parallel under ctest -j without seeing each other's rows.
#pragma once

#include <memory>
#include <string>

namespace facepass::store::testing_util {

class PgSchema {
 public:
  // nullptr when FACEPASS_TEST_PG_URI is unset (the caller skips, or fails under CI).
  static std::unique_ptr<PgSchema> Create();
  ~PgSchema();
  PgSchema(const PgSchema&) = delete;
  PgSchema& operator=(const PgSchema&) = delete;

  // The cluster's URI with search_path set to this schema.
  const std::string& uri() const { return uri_; }
  // The cluster's URI as given (for statements outside the schema).
  const std::string& base_uri() const { return base_; }
  const std::string& name() const { return name_; }

 private:
  PgSchema(std::string base, std::string name);
  std::string base_, name_, uri_;
};

inline constexpr char kNoPgCluster[] =
    "FACEPASS_TEST_PG_URI is not set: no PostgreSQL cluster (scripts/test.sh starts one)";

}  // namespace facepass::store::testing_util
