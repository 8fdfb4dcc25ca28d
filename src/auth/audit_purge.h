// The audit log's retention (issue 10): rows older than retention_days go,
// in batches so no write transaction holds the store for long. Run() once,
// or Start() a background thread that runs it now and then every interval
// until Stop() or destruction (common/periodic_task.h).
#pragma once

#include <chrono>
#include <cstdint>

#include "common/periodic_task.h"
#include "common/status.h"
#include "domain/audit_repository.h"
#include "domain/task_locks.h"

namespace facepass::auth {

class AuditPurge {
 public:
  static constexpr int kDefaultRetentionDays = 365;

  // `locks`: the installation's, when nodes share the store (the background
  // pass then runs on one node at a time); nullptr runs every pass here.
  AuditPurge(domain::AuditRepository& audit, int retention_days, domain::TaskLocks* locks = nullptr);
  AuditPurge(const AuditPurge&) = delete;
  AuditPurge& operator=(const AuditPurge&) = delete;

  // Deletes the rows older than now_ms minus the retention; how many went.
  Result<int64_t> Run(int64_t now_ms) { return task_.RunPass([&] { return Purge(now_ms); }); }

  void Start(std::chrono::milliseconds interval) { task_.Start(interval); }
  void Stop() { task_.Stop(); }

 private:
  Result<int64_t> Purge(int64_t now_ms);  // one pass

  domain::AuditRepository& audit_;  // thread-safe
  domain::TaskLocks* const locks_;
  const int retention_days_;
  PeriodicTask task_;  // last: its thread stops before the rest goes
};

}  // namespace facepass::auth
