// Helpers shared by the PostgreSQL implementation files (not a public header).
#pragma once

#include <bit>
#include <chrono>
#include <cstring>
#include <optional>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/auth_types.h"
#include "domain/types.h"
#include "store/change_op.h"
#include "store/pg/connection_pool.h"

namespace facepass::store::pg::internal {

static_assert(std::endian::native == std::endian::little, "features are stored as float32 LE by memcpy");

// What a unit of work needs from the server. kPlain: READ COMMITTED, each
// statement sees what committed before it (writes, one-statement reads). kSnapshot: one consistent view
// for every statement (REPEATABLE READ, read only). kBulk: a long read (start-
// up scans, integrity) that the per-statement timeout must not cut.
enum class Mode { kPlain, kSnapshot, kBulk };

// An error thrown by libpqxx as a Status: Unavailable for a lost or timed-out
// server, AlreadyExists for a unique violation, Internal otherwise. Redacted.
// `retry` is set when the transaction was certainly rolled back and may run again.
Status FromPqxx(const std::exception& e, ConnectionPool& pool, ConnectionPool::Lease& lease, bool* retry);

// Runs fn(Tx&) on a pooled connection, committing when it returns OK and
// rolling back otherwise; Run and RunRead below name the two kinds.
template <typename Tx, typename F>
auto RunOn(ConnectionPool& pool, Mode mode, F&& fn) -> decltype(fn(std::declval<Tx&>())) {
  using R = decltype(fn(std::declval<Tx&>()));
  constexpr int kAttempts = 3;
  constexpr auto kRetryWithin = std::chrono::milliseconds(1500);
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return R(lease.status());
    bool retry = false;
    Status failed;
    try {
      Tx w(**lease);
      if (mode == Mode::kSnapshot) w.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      if (mode == Mode::kBulk) {
        w.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        w.exec("SET LOCAL statement_timeout = 0");
      }
      R r = fn(w);
      if (r.ok()) w.commit();
      return r;
    } catch (const std::exception& e) {
      failed = FromPqxx(e, pool, *lease, &retry);
    }
    if (!retry || attempt == kAttempts || std::chrono::steady_clock::now() - start > kRetryWithin) return R(failed);
  }
}

// Runs fn(pqxx::work&) as one transaction on a pooled connection: commits
// when it returns OK, rolls back otherwise. A transaction that failed before
// its commit (connection lost, deadlock, serialization failure) runs again
// on a fresh connection, up to three times while the call is young: a
// restarted server's dead pooled connection fails at once and is retried,
// a dead host takes the 2 s timeout and is reported. A commit whose outcome
// is unknown is never retried (Unavailable). No exception leaves.
template <typename F>
auto Run(ConnectionPool& pool, Mode mode, F&& fn) -> decltype(fn(std::declval<pqxx::work&>())) {
  return RunOn<pqxx::work>(pool, mode, std::forward<F>(fn));
}

// One read statement, sent on its own (autocommit): no BEGIN and COMMIT
// round trips around it. fn takes pqxx::transaction_base& and must send a
// single statement (each statement would see its own moment). Retried as Run.
template <typename F>
auto RunRead(ConnectionPool& pool, F&& fn) -> decltype(fn(std::declval<pqxx::transaction_base&>())) {
  return RunOn<pqxx::nontransaction>(pool, Mode::kPlain, std::forward<F>(fn));
}

// A feature as a bytea parameter (float32 LE, as SQLite stores it).
inline pqxx::binarystring FeatureParam(std::span<const float> f) { return pqxx::binarystring(f.data(), f.size_bytes()); }

// Corruption when the bytea is not a whole number of floats.
inline Result<std::vector<float>> FeatureOf(const pqxx::field& f) {
  const pqxx::binarystring b(f);
  if (b.size() % sizeof(float) != 0) return Status::Corruption("feature of " + std::to_string(b.size()) + " bytes");
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), b.size());
  return v;
}

// SQL NULL or the value's text, as an exec_params argument (c_str()).
class Nullable {
 public:
  template <typename T>
  explicit Nullable(const std::optional<T>& v) : null_(!v) {
    if (v) text_ = pqxx::to_string(*v);
  }
  const char* c_str() const { return null_ ? nullptr : text_.c_str(); }

 private:
  bool null_;
  std::string text_;
};

// The channel a committed catalogue change is announced on (LISTEN wakes the
// other nodes; they still read catalog_state, so a lost notice only delays).
inline constexpr char kCatalogChannel[] = "facepass_catalog";

// First statement of every transaction that changes a group: takes the
// catalogue's one-row lock (writers queue here, so no deadlock can form
// behind it and sequence order is commit order), bumps its sequence and
// queues a NOTIFY for the commit. The new sequence.
int64_t LockCatalog(pqxx::work& w);

// Group version bump shared by bind, unbind, face delete and group delete:
// version+1, one change-log entry, log pruned to `keep` entries. The new
// version. Stamps the group with the transaction's catalogue sequence
// (LockCatalog must have run). In the caller's transaction; the UPDATE holds the group's row lock
// to commit, so concurrent writers on other connections queue behind it.
int64_t BumpVersion(pqxx::work& w, int64_t group_id, ChangeOp op, int64_t face_id, int64_t now_ms, int64_t keep);

// A group row (deleted ones too); false if absent.
bool ReadGroup(pqxx::transaction_base& w, int64_t group_id, domain::GroupRecord* out, int64_t* log_floor);

// This transaction's commit waits for no WAL flush (synchronous_commit off,
// for it alone). WAL order keeps it durable with the next flushed commit: a
// database crash can lose it only together with every commit after it, and
// only commits of the last moments. For rows that record no change (the
// audit row of a call that changed nothing).
void RelaxCommit(pqxx::work& w);

// Appends an audit row in the caller's transaction; its id.
int64_t InsertAudit(pqxx::work& w, const domain::AuditRecord& r);

// Creates or migrates the schema, under an advisory lock so that the first
// of several nodes starting together creates it and the others wait.
Status Migrate(pqxx::work& w, int target_version);

}  // namespace facepass::store::pg::internal
