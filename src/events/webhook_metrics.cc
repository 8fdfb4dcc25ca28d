#include "events/webhook_metrics.h"

#include <chrono>

#include <spdlog/spdlog.h>

namespace facepass::events {

namespace {
constexpr int64_t kLogEveryMs = 10000;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

WebhookMetrics::WebhookMetrics(metrics::Registry& registry)
    : delivered_(&registry
                      .AddCounter("facepass_webhook_delivered_total",
                                  "Webhook POSTs a receiver answered with 2xx (one per event and URL).")
                      .With({})),
      dropped_(&registry
                    .AddCounter("facepass_webhook_dropped_total",
                                "Webhook deliveries given up: queue full, or every attempt failed.")
                    .With({})),
      queued_(&registry.AddGauge("facepass_webhook_queue", "Webhook events waiting for the sender.").With({})) {}

void WebhookMetrics::Dropped(const std::string& why) {
  dropped_->Inc();
  const uint64_t pending = unlogged_.fetch_add(1) + 1;
  const int64_t now = SteadyMs();
  int64_t last = last_log_ms_.load();
  // One thread wins the slot; the others only count.
  if (now - last < kLogEveryMs && last != 0) return;
  if (!last_log_ms_.compare_exchange_strong(last, now)) return;
  unlogged_.fetch_sub(pending);
  spdlog::warn("webhook: {} event(s) dropped in the last {} s (latest: {})", pending, kLogEveryMs / 1000, why);
}

}  // namespace facepass::events
