#include "metrics_listener.h"

#include <spdlog/spdlog.h>

#include "http/request_metrics.h"
#include "metrics/registry.h"

namespace facepass::cli {

Result<std::unique_ptr<http::Server>> StartMetricsListener(const std::string& host, uint16_t port) {
  http::ServerOptions o;
  o.host = host;
  o.port = port;
  o.io_threads = 1;
  o.workers = 1;  // a scrape reads atomics: one thread keeps up with any scraper
  o.queue_limit = 8;
  o.max_connections = 16;
  o.max_body_bytes = 64 << 10;
  o.access_log = false;
  o.metrics = nullptr;
  auto server = std::make_unique<http::Server>(o, std::vector<http::Route>{http::MetricsRoute(metrics::DefaultRegistry())});
  FP_RETURN_IF_ERROR(server->Start());
  spdlog::info("metrics on http://{}:{}/metrics without an API key (keep it on loopback or a management network)",
               host, server->port());
  return server;
}

}  // namespace facepass::cli
