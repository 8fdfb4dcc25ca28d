#include "store/pg_schema.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

namespace facepass::store::testing_util {

std::unique_ptr<PgSchema> PgSchema::Create() {
  const char* base = std::getenv("FACEPASS_TEST_PG_URI");
  if (!base || !*base) return nullptr;
  static std::atomic<int> counter{0};
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  return std::unique_ptr<PgSchema>(new PgSchema(base, std::move(name)));
}

PgSchema::PgSchema(std::string base, std::string name) : base_(std::move(base)), name_(std::move(name)) {
  pqxx::connection c(base_);
  pqxx::nontransaction w(c);
  w.exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  w.exec("CREATE SCHEMA " + name_);
  uri_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
}

PgSchema::~PgSchema() {
  try {
    pqxx::connection c(base_);
    pqxx::nontransaction w(c);
    w.exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  } catch (const std::exception&) {
    // The cluster went away with the test run; its directory goes too.
  }
}

}  // namespace facepass::store::testing_util
