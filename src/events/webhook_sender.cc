#include "events/webhook_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace facepass::events {

namespace {

using Clock = std::chrono::steady_clock;

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// Aborts a POST in flight when the sender stops, so a hanging receiver does
// not hold the shutdown for the whole timeout.
int AbortOnStop(void* stopping, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(stopping)->load() ? 1 : 0;
}

}  // namespace

Status ValidateWebhookUrl(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    const std::string s(scheme);
    if (url.compare(0, s.size(), s) != 0) continue;
    const std::string rest = url.substr(s.size());
    const size_t host_end = rest.find_first_of("/?#");
    const std::string host = rest.substr(0, host_end);
    if (host.empty() || host.front() == ':' || host.find_first_of(" \t\r\n") != std::string::npos)
      return Status::InvalidArgument("--webhook " + url + ": no host");
    return Status::OK();
  }
  return Status::InvalidArgument("--webhook " + url + ": only http:// and https:// URLs are accepted");
}

WebhookSender::WebhookSender(WebhookQueue& queue, WebhookOptions options, WebhookMetrics& metrics)
    : queue_(queue), options_(std::move(options)), metrics_(metrics) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void WebhookSender::Start() { thread_ = std::thread([this] { Loop(); }); }

void WebhookSender::Stop() {
  stopping_ = true;
  queue_.Close();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::Loop() {
  while (!stopping_) {
    const auto now = Clock::now();
    if (!retries_.empty() && retries_.top().due <= now) {
      Delivery d = retries_.top();
      retries_.pop();
      Attempt(std::move(d));
      continue;
    }
    // New events wait at most until the next retry is due.
    const auto deadline = retries_.empty() ? now + std::chrono::seconds(1) : retries_.top().due;
    auto body = queue_.PopUntil(deadline);
    if (!body || stopping_) continue;
    auto shared = std::make_shared<const std::string>(std::move(*body));
    for (size_t u = 0; u < options_.urls.size() && !stopping_; ++u) Attempt({shared, u, 0, now});
  }
}

void WebhookSender::Attempt(Delivery d) {
  std::string why;
  if (Post(options_.urls[d.url], *d.body, &why)) {
    metrics_.Delivered();
    return;
  }
  ++d.attempt;
  if (d.attempt >= options_.attempts) {
    metrics_.Dropped(options_.urls[d.url] + ": gave up after " + std::to_string(d.attempt) + " attempts: " + why);
    return;
  }
  if (retries_.size() >= options_.max_retrying) {
    metrics_.Dropped(options_.urls[d.url] + ": too many deliveries retrying: " + why);
    return;
  }
  auto backoff = options_.first_backoff * (int64_t{1} << std::min(d.attempt - 1, 20));
  d.due = Clock::now() + std::min<std::chrono::milliseconds>(backoff, options_.max_backoff);
  retries_.push(std::move(d));
}

bool WebhookSender::Post(const std::string& url, const std::string& body, std::string* why) const {
  std::unique_ptr<CURL, EasyDeleter> c(curl_easy_init());
  if (!c) {
    *why = "curl_easy_init failed";
    return false;
  }
  curl_slist* raw = curl_slist_append(nullptr, "Content-Type: application/json");
  raw = curl_slist_append(raw, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, AbortOnStop);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&stopping_));
  curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
  const CURLcode rc = curl_easy_perform(c.get());
  if (rc != CURLE_OK) {
    *why = curl_easy_strerror(rc);
    return false;
  }
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    *why = "HTTP " + std::to_string(status);
    return false;
  }
  return true;
}

}  // namespace facepass::events
