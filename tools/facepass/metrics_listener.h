// `serve --metrics-listen HOST:PORT`: a second, plain-HTTP port that answers
// only GET /metrics, without API keys, for a Prometheus on loopback or a
// management network. Its own requests are not counted (it would skew the
// queue-depth gauge of the main port) and not logged (a scrape every few
// seconds).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/server.h"

namespace facepass::cli {

Result<std::unique_ptr<http::Server>> StartMetricsListener(const std::string& host, uint16_t port);

}  // namespace facepass::cli
