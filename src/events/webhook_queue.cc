#include "events/webhook_queue.h"

namespace facepass::events {

bool WebhookQueue::Push(std::string body) {
  {
    MutexLock lock(&mu_);
    if (!closed_ && events_.size() < capacity_) {
      events_.push_back(std::move(body));
      metrics_.queued().Add(1);
      ready_.notify_one();
      return true;
    }
  }
  metrics_.Dropped("queue full");
  return false;
}

std::optional<std::string> WebhookQueue::PopUntil(std::chrono::steady_clock::time_point deadline) {
  MutexLock lock(&mu_);
  while (events_.empty() && !closed_) {
    if (ready_.wait_until(mu_, deadline) == std::cv_status::timeout) break;
  }
  if (events_.empty()) return std::nullopt;
  std::string body = std::move(events_.front());
  events_.pop_front();
  metrics_.queued().Add(-1);
  return body;
}

void WebhookQueue::Close() {
  MutexLock lock(&mu_);
  closed_ = true;
  ready_.notify_all();
}

size_t WebhookQueue::size() {
  MutexLock lock(&mu_);
  return events_.size();
}

}  // namespace facepass::events
