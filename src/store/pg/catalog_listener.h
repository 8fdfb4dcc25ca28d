// The PostgreSQL side of CatalogLog::WatchChanges: LISTEN on the catalogue's
// channel (every group-changing commit sends a NOTIFY, pg_internal.h) on a
// connection of its own, on a thread that waits on that connection's socket
// and on a pipe that ends the wait at once. A lost connection is reopened
// after a second; on_change runs after each (re)connect too, since notices
// sent meanwhile are gone.
#pragma once

#include <functional>
#include <thread>

#include "domain/catalog_log.h"
#include "store/pg/connection_pool.h"

namespace facepass::store::pg {

class CatalogListener final : public domain::CatalogLog::Watch {
 public:
  // `pool` (for Dedicated connections) must outlive the listener.
  CatalogListener(ConnectionPool& pool, std::function<void()> on_change);
  ~CatalogListener() override;  // ends the thread (a running on_change first)
  CatalogListener(const CatalogListener&) = delete;
  CatalogListener& operator=(const CatalogListener&) = delete;

 private:
  void Loop();
  // Listens until the connection fails (false) or the pipe says stop (true).
  bool ListenOnce(pqxx::connection& conn);
  // Waits up to ms on the pipe alone; true when stopping.
  bool StopWithin(int ms);

  ConnectionPool& pool_;
  const std::function<void()> on_change_;
  int stop_pipe_[2] = {-1, -1};  // written once, by the destructor
  std::thread thread_;           // last: started when the rest is ready
};

}  // namespace facepass::store::pg
