#include "store/pg/connection_pool.h"

#include <chrono>
#include <pqxx/pqxx>

namespace facepass::store::pg {

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (pool_) pool_->Release(std::move(conn_), broken_);
}

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Open(const std::string& uri, const Options& options) {
  if (options.size < 1) return Status::InvalidArgument("database pool size must be >= 1");
  FP_ASSIGN_OR_RETURN(ConnInfo info, ParseConnInfo(uri, options.conn));
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::move(info), options));
  FP_ASSIGN_OR_RETURN(auto lease, pool->Acquire());  // back to the pool at once: proves the URI
  (void)lease;
  return pool;
}

ConnectionPool::~ConnectionPool() {
  MutexLock lock(&mu_);
  idle_.clear();
}

Result<std::unique_ptr<pqxx::connection>> ConnectionPool::Connect() {
  try {
    auto conn = std::make_unique<pqxx::connection>(info_.conninfo);
    pqxx::nontransaction setup(*conn);
    setup.exec("SET statement_timeout = " + std::to_string(options_.statement_timeout_ms));
    // A transaction left open by a stuck client must not hold row locks for good.
    setup.exec("SET idle_in_transaction_session_timeout = 60000");
    setup.commit();
    return conn;
  } catch (const std::exception& e) {
    return Status::Unavailable("database " + info_.target + " unreachable: " + Redact(e.what()));
  }
}

namespace {

// A pooled connection the server closed (a restart, pg_terminate_backend) is
// found here, before a transaction starts on it: reading what its socket holds
// sees the server's goodbye. Only one that dies after this check reaches
// Run's retry (whose BEGIN on a dead connection also leaks a PGresult inside
// libpqxx 6.4).
bool Alive(pqxx::connection& conn) {
  if (!conn.is_open()) return false;
  try {
    // PQconsumeInput: the first read takes the server's FATAL message, the
    // second meets the closed socket and throws broken_connection.
    conn.get_notifs();
    if (conn.is_open()) conn.get_notifs();
  } catch (const std::exception&) {
    return false;
  }
  return conn.is_open();
}

}  // namespace

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  for (;;) {
    std::unique_ptr<pqxx::connection> pooled;
    {
      MutexLock lock(&mu_);
      while (idle_.empty() && open_ >= options_.size) {
        if (freed_.wait_until(mu_, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= options_.size)
          return Status::Unavailable("no free database connection within " +
                                     std::to_string(options_.acquire_timeout_ms) + " ms");
      }
      if (idle_.empty()) {
        ++open_;  // a slot for the connection opened below, outside the lock
        break;
      }
      pooled = std::move(idle_.back());
      idle_.pop_back();
    }
    if (Alive(*pooled)) return Lease(this, std::move(pooled));
    Release(std::move(pooled), true);  // closes it and frees its slot for a fresh one
  }
  auto conn = Connect();
  if (!conn.ok()) {
    Release(nullptr, true);
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  if (broken || !conn || !conn->is_open()) {
    conn.reset();  // closes outside the lock
    MutexLock lock(&mu_);
    --open_;
  } else {
    MutexLock lock(&mu_);
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

void ConnectionPool::DropIdle() {
  std::vector<std::unique_ptr<pqxx::connection>> dead;
  {
    MutexLock lock(&mu_);
    dead.swap(idle_);
    open_ -= static_cast<int>(dead.size());
  }
  freed_.notify_all();
}

}  // namespace facepass::store::pg
