// What the server records about the requests it answers, and the GET
// /metrics route that exports a registry.
//
// Labels are bounded: `endpoint` is the route's path pattern (a request that
// matched no route is "unmatched", never its raw path), `method` one of
// http_parser's methods, `code` the HTTP status.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "http/server.h"
#include "metrics/registry.h"

namespace facepass::http {

inline constexpr char kUnmatchedEndpoint[] = "unmatched";

class RequestMetrics {
 public:
  explicit RequestMetrics(metrics::Registry* registry);  // nullptr: records nothing

  // Every answer, built (before it is written). A 105003 SERVICE_BUSY answer
  // (queue full, or the server stopping) also counts as refused.
  void Answered(std::string_view method, std::string_view endpoint, int http_status, int code,
                std::chrono::steady_clock::duration took, size_t body_bytes) const;
  // A request handed to the worker pool, and taken off its queue by a worker
  // (or refused by it): together they keep the queue-depth gauge.
  void Queued() const;
  void Dequeued() const;

 private:
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Histogram>* duration_ = nullptr;
  metrics::Family<metrics::Counter>* bytes_ = nullptr;
  metrics::Gauge* queue_depth_ = nullptr;
  metrics::Counter* busy_ = nullptr;
};

// GET `path` answering `registry` in the text format 0.0.4 (no query, no
// body; nothing but atomics is read).
Route MetricsRoute(const metrics::Registry& registry, std::string path = "/metrics");

}  // namespace facepass::http
