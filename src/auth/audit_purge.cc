#include "auth/audit_purge.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"

namespace facepass::auth {

namespace {
constexpr int64_t kBatch = 5000;
}  // namespace

AuditPurge::AuditPurge(domain::AuditRepository& audit, int retention_days, domain::TaskLocks* locks)
    : audit_(audit), retention_days_(retention_days), locks_(locks), task_([this] {
        auto ran = domain::RunAlone(locks_, "audit_purge", [this] {
          auto purged = Purge(NowMs());
          if (!purged.ok()) spdlog::warn("audit purge: {}", purged.status().ToString());
          else if (*purged > 0) spdlog::info("audit purge: {} rows older than {} days removed", *purged, retention_days_);
        });
        if (!ran.ok()) spdlog::warn("audit purge: {}", ran.status().ToString());
      }) {}

Result<int64_t> AuditPurge::Purge(int64_t now_ms) {
  const int64_t cutoff = now_ms - static_cast<int64_t>(retention_days_) * 86'400'000LL;
  int64_t purged = 0;
  for (;;) {
    FP_ASSIGN_OR_RETURN(int64_t n, audit_.PurgeAuditBefore(cutoff, kBatch));
    purged += n;
    if (n < kBatch) return purged;
  }
}

}  // namespace facepass::auth
