#include "auth/audit_purge.h"

#include <spdlog/spdlog.h>

#include "spec/clock.h"
#include "store/database.h"

namespace facepass::auth {

namespace {
constexpr int64_t kBatch = 5000;
}  // namespace

Result<int64_t> AuditPurge::Run(int64_t now_ms) {
  const int64_t cutoff = now_ms - static_cast<int64_t>(retention_days_) * 86'400'000LL;
  std::lock_guard one_at_a_time(run_mu_);
  int64_t purged = 0;
  for (;;) {
    FP_ASSIGN_OR_RETURN(int64_t n, db_.PurgeAuditBefore(cutoff, kBatch));
    purged += n;
    if (n < kBatch) return purged;
  }
}

void AuditPurge::Start(std::chrono::milliseconds interval) {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this, interval] { Loop(interval); });
}

void AuditPurge::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuditPurge::Loop(std::chrono::milliseconds interval) {
  std::unique_lock lock(loop_mu_);
  while (!stopping_) {
    lock.unlock();
    auto purged = Run(spec::NowMs());
    if (!purged.ok()) spdlog::warn("audit purge: {}", purged.status().ToString());
    else if (*purged > 0) spdlog::info("audit purge: {} rows older than {} days removed", *purged, retention_days_);
    lock.lock();
    wake_.wait_for(lock, interval, [this] { return stopping_; });
  }
}

}  // namespace facepass::auth
