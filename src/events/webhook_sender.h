// Delivers the queued webhook events: each one POSTed (Content-Type
// application/json) to every URL, on its own thread. A failed POST (no
// connection, timeout, non-2xx) is retried with exponential backoff
// (first_backoff doubling up to max_backoff) up to `attempts` times, then
// dropped and counted. Retries wait in a schedule of their own, so one dead
// receiver delays only its own deliveries, by at most one POST's timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "events/webhook_metrics.h"
#include "events/webhook_queue.h"

namespace facepass::events {

struct WebhookOptions {
  std::vector<std::string> urls;
  long connect_timeout_ms = 2000;
  long timeout_ms = 5000;
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  int attempts = 6;               // 0.5 + 1 + 2 + 4 + 8 s of backoff between them
  size_t max_retrying = 10000;    // deliveries waiting for a retry; beyond, dropped
};

// InvalidArgument unless `url` is http:// or https:// with a host.
Status ValidateWebhookUrl(const std::string& url);

class WebhookSender {
 public:
  WebhookSender(WebhookQueue& queue, WebhookOptions options, WebhookMetrics& metrics);
  ~WebhookSender() { Stop(); }
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void Start();
  // Closes the queue, aborts a POST in flight and joins the thread; what was
  // still queued or retrying is dropped.
  void Stop();

 private:
  struct Delivery {
    std::shared_ptr<const std::string> body;
    size_t url = 0;
    int attempt = 0;  // failed attempts so far
    std::chrono::steady_clock::time_point due;
    bool operator>(const Delivery& o) const { return due > o.due; }
  };

  void Loop();
  void Attempt(Delivery d);
  // true for a 2xx answer; `why` says what went wrong otherwise.
  bool Post(const std::string& url, const std::string& body, std::string* why) const;

  WebhookQueue& queue_;
  const WebhookOptions options_;
  WebhookMetrics& metrics_;
  std::atomic<bool> stopping_{false};
  // Only the sender thread touches the schedule.
  std::priority_queue<Delivery, std::vector<Delivery>, std::greater<>> retries_;
  std::thread thread_;
};

}  // namespace facepass::events
