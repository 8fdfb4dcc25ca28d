// The bounded in-memory queue between the services (through the API layer's
// sink) and the webhook sender's thread. Push never blocks: a full queue
// drops the event (counted, logged rate-limited), so recognise and enrol
// never wait for a receiver.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "common/thread_annotations.h"
#include "events/webhook_metrics.h"

namespace facepass::events {

class WebhookQueue {
 public:
  static constexpr size_t kDefaultCapacity = 10000;

  WebhookQueue(size_t capacity, WebhookMetrics& metrics) : capacity_(capacity), metrics_(metrics) {}
  WebhookQueue(const WebhookQueue&) = delete;
  WebhookQueue& operator=(const WebhookQueue&) = delete;

  // One JSON document; false when it was dropped (full, or closed).
  bool Push(std::string body) EXCLUDES(mu_);
  // The oldest event; waits until one comes, `deadline` passes or Close().
  std::optional<std::string> PopUntil(std::chrono::steady_clock::time_point deadline) EXCLUDES(mu_);
  // Wakes waiters; later pushes are dropped.
  void Close() EXCLUDES(mu_);
  size_t size() EXCLUDES(mu_);

 private:
  const size_t capacity_;
  WebhookMetrics& metrics_;
  Mutex mu_;
  std::condition_variable_any ready_;
  std::deque<std::string> events_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace facepass::events
