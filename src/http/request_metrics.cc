#include "http/request_metrics.h"

#include <string>

#include "metrics/text_format.h"

namespace facepass::http {

namespace {
constexpr int kServiceBusyCode = 105003;
}  // namespace

RequestMetrics::RequestMetrics(metrics::Registry* r) {
  if (r == nullptr) return;
  requests_ = &r->AddCounter("facepass_http_requests_total", "HTTP requests answered, by route and HTTP status.",
                             {"method", "endpoint", "code"});
  duration_ = &r->AddHistogram("facepass_http_request_duration_seconds",
                               "From a request read to its answer built (queueing included), by route.",
                               {"method", "endpoint"}, metrics::LatencyBuckets());
  bytes_ = &r->AddCounter("facepass_http_response_bytes_total",
                          "Response body bytes, by route (the sync route's are the bytes sent to devices).",
                          {"method", "endpoint"});
  queue_depth_ = &r->AddGauge("facepass_http_queue_depth", "Requests waiting for a worker.").With({});
  busy_ = &r->AddCounter("facepass_http_service_busy_total",
                         "Requests refused with 503 SERVICE_BUSY (queue full or stopping).")
               .With({});
}

void RequestMetrics::Answered(std::string_view method, std::string_view endpoint, int http_status, int code,
                              std::chrono::steady_clock::duration took, size_t body_bytes) const {
  if (requests_ == nullptr) return;
  const std::string status = std::to_string(http_status);
  requests_->With({method, endpoint, status}).Inc();
  duration_->With({method, endpoint}).Observe(std::chrono::duration<double>(took).count());
  bytes_->With({method, endpoint}).Inc(body_bytes);
  if (code == kServiceBusyCode) busy_->Inc();
}

void RequestMetrics::Queued() const {
  if (queue_depth_ != nullptr) queue_depth_->Add(1);
}

void RequestMetrics::Dequeued() const {
  if (queue_depth_ != nullptr) queue_depth_->Add(-1);
}

Route MetricsRoute(const metrics::Registry& registry, std::string path) {
  return {"GET", std::move(path), BodyKind::kNone, [&registry](const Request&) {
            return ApiReply::Bytes(metrics::EncodeText(registry), metrics::kTextContentType);
          }};
}

}  // namespace facepass::http
