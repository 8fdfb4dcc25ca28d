// The webhook counters (GET /metrics) and the drop log: every drop is
// counted, and logged at most once per 10 s with how many went since.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "metrics/registry.h"

namespace facepass::events {

class WebhookMetrics {
 public:
  // Registers facepass_webhook_delivered_total, facepass_webhook_dropped_total
  // and facepass_webhook_queue in `registry` (shared when two queues use one).
  explicit WebhookMetrics(metrics::Registry& registry);

  void Delivered() { delivered_->Inc(); }
  // `why`: "queue full", "gave up after N attempts: ...".
  void Dropped(const std::string& why);
  metrics::Gauge& queued() { return *queued_; }

 private:
  metrics::Counter* delivered_;
  metrics::Counter* dropped_;
  metrics::Gauge* queued_;
  std::atomic<int64_t> last_log_ms_{0};
  std::atomic<uint64_t> unlogged_{0};
};

}  // namespace facepass::events
