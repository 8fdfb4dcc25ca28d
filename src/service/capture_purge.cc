#include "service/capture_purge.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "metrics/registry.h"
#include "domain/image_repository.h"
#include "domain/task_locks.h"

namespace facepass::service {

namespace {
metrics::Counter& PurgedTotal() {
  static metrics::Counter& c =
      metrics::DefaultRegistry()
          .AddCounter("facepass_captures_purged_total", "Recognise captures removed by the retention purge.")
          .With({});
  return c;
}
}  // namespace

CapturePurge::CapturePurge(domain::ImageRepository& images, int retention_days, domain::TaskLocks* locks)
    : images_(images), locks_(locks), retention_days_(retention_days), task_([this] {
        auto ran = domain::RunAlone(locks_, "capture_purge", [this] {
          auto purged = Purge(NowMs());
          if (!purged.ok()) spdlog::warn("capture purge: {}", purged.status().ToString());
          else if (*purged > 0) spdlog::info("capture purge: {} images removed", *purged);
        });
        if (!ran.ok()) spdlog::warn("capture purge: {}", ran.status().ToString());
      }) {
  PurgedTotal();
}

Result<int> CapturePurge::Purge(int64_t now_ms) {
  const int64_t cutoff = now_ms - static_cast<int64_t>(retention_days_) * 86400000LL;
  int purged = 0;
  for (;;) {
    FP_ASSIGN_OR_RETURN(auto batch, images_.CapturesOlderThan(cutoff, 500));
    if (batch.empty()) break;
    for (const auto& image : batch) {
      // Row first (the repository's rule): a crash leaves an unnamed file, never a dangling id.
      Status gone = images_.DeleteCapture(image.id);
      if (!gone.ok() && gone.code() != StatusCode::kNotFound) return gone;
      ++purged;
      PurgedTotal().Inc();
    }
  }
  return purged;
}

}  // namespace facepass::service
