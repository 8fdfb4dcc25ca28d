// The audit log's retention (issue 10): rows older than retention_days go,
// in batches so no write transaction holds the store for long. Run() once,
// or Start() a background thread that runs it now and then every interval
// until Stop() or destruction (the pattern of service/capture_purge.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/status.h"

namespace facepass::store {
class Database;
}

namespace facepass::auth {

class AuditPurge {
 public:
  static constexpr int kDefaultRetentionDays = 365;

  AuditPurge(store::Database& db, int retention_days) : db_(db), retention_days_(retention_days) {}
  ~AuditPurge() { Stop(); }
  AuditPurge(const AuditPurge&) = delete;
  AuditPurge& operator=(const AuditPurge&) = delete;

  // Deletes the rows older than now_ms minus the retention; how many went.
  Result<int64_t> Run(int64_t now_ms);

  void Start(std::chrono::milliseconds interval);
  void Stop();

 private:
  void Loop(std::chrono::milliseconds interval);

  store::Database& db_;  // thread-safe
  const int retention_days_;
  std::mutex run_mu_;  // one purge at a time
  std::mutex loop_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by loop_mu_
  std::thread thread_;     // Start and Stop run on the owner's thread
};

}  // namespace facepass::auth
