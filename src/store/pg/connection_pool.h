// A small pool of PostgreSQL connections. A connection serves one unit of
// work at a time (a Lease); a lease whose connection failed is discarded and
// the pool reconnects on demand, so a restarted server is picked up again
// without a restart of ours. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "store/pg/conninfo.h"

namespace facepass::store::pg {

class ConnectionPool {
 public:
  struct Options {
    int size = 4;                     // connections at most
    int acquire_timeout_ms = 2000;    // wait for a free one, then Unavailable
    int statement_timeout_ms = 2000;  // per statement, server side (SET on connect)
    ConnSettings conn;
  };

  // Parses the URI and connects once, so a wrong URI or a server that is
  // down fails here. InvalidArgument or Unavailable, messages redacted.
  static Result<std::unique_ptr<ConnectionPool>> Open(const std::string& uri, const Options& options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // One connection, back to the pool when the lease goes out of scope.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() const { return *conn_; }
    // The connection failed: close it instead of pooling it.
    void Discard() { broken_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn);
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  // Unavailable when none frees up within acquire_timeout_ms or a new
  // connection fails (redacted libpq message).
  Result<Lease> Acquire();
  // A connection outside the pool (session state of its own, such as an
  // advisory lock held across the pool's transactions), set up like the
  // pooled ones. Unavailable as Acquire.
  Result<std::unique_ptr<pqxx::connection>> Dedicated() { return Connect(); }
  // Closes every idle connection (after one broke: the server likely
  // restarted, and the others are as dead).
  void DropIdle();

  // What a raw libpq connection opens with (store/pg/snapshot_load.cc).
  // Holds the password, if the URI has one: never log it.
  const std::string& conninfo() const { return info_.conninfo; }
  std::string Redact(std::string message) const { return pg::Redact(std::move(message), info_.secrets); }
  const std::string& target() const { return info_.target; }

 private:
  ConnectionPool(ConnInfo info, const Options& options) : info_(std::move(info)), options_(options) {}
  Result<std::unique_ptr<pqxx::connection>> Connect();
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

  const ConnInfo info_;
  const Options options_;
  Mutex mu_;
  std::condition_variable_any freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;  // idle + leased + being opened
};

}  // namespace facepass::store::pg
