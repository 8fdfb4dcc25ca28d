#include "http/held_streams.h"

#include <atomic>
#include <utility>

#include <spdlog/spdlog.h>

namespace facepass::http {

class HeldStreams::Stream final : public EventStream, public std::enable_shared_from_this<Stream> {
 public:
  Stream(HeldStreams* owner, restinio::response_builder_t<restinio::chunked_output_t> rb)
      : owner_(owner), rb_(std::move(rb)) {}

  bool Send(std::string text) override {
    if (ended_) return false;
    if (unacked_.load() >= owner_->opts_.max_unacked_writes) {  // the peer reads nothing
      End();
      return false;
    }
    bool failed = false;
    {
      MutexLock lock(&mu_);
      if (done_) return false;
      try {
        rb_.append_chunk(std::move(text));
        unacked_.fetch_add(1);
        std::weak_ptr<Stream> self = weak_from_this();
        rb_.flush([self](const asio::error_code& ec) {
          if (auto s = self.lock()) s->Written(ec);
        });
      } catch (const std::exception& e) {
        spdlog::debug("http: event stream write failed: {}", e.what());
        failed = true;
      }
    }
    if (failed) End();  // outside mu_: End() takes the registry's lock
    return !failed;
  }

  bool ended() const override { return ended_; }

  // The final chunk; the connection then closes (the head said so).
  void Finish() {
    ended_ = true;
    MutexLock lock(&mu_);
    if (done_) return;
    done_ = true;
    try {
      rb_.done();
    } catch (const std::exception& e) {
      spdlog::debug("http: ending an event stream: {}", e.what());
    }
  }

 private:
  void Written(const asio::error_code& ec) {
    unacked_.fetch_sub(1);
    if (ec) End();
  }
  void End() {
    if (!ended_.exchange(true)) owner_->Wake();
  }

  HeldStreams* const owner_;
  Mutex mu_;
  restinio::response_builder_t<restinio::chunked_output_t> rb_ GUARDED_BY(mu_);
  bool done_ GUARDED_BY(mu_) = false;  // rb_.done() was called
  std::atomic<bool> ended_{false};
  std::atomic<size_t> unacked_{0};  // flushes not yet written to the socket
};

HeldStreams::HeldStreams(Options opts) : opts_(opts) {}

HeldStreams::~HeldStreams() { CloseAll(); }

void HeldStreams::Start() { thread_ = std::thread([this] { Run(); }); }

bool HeldStreams::Open(const restinio::request_handle_t& req, const StreamOpener& opener,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  uint64_t id = 0;
  {
    MutexLock lock(&mu_);
    if (stopping_ || entries_.size() >= opts_.cap) return false;
    id = next_id_++;
    entries_[id];  // holds the slot while the head is written
  }
  std::shared_ptr<Stream> stream;
  try {
    auto rb = req->create_response<restinio::chunked_output_t>();
    rb.append_header(restinio::http_field::content_type, "text/event-stream; charset=utf-8");
    rb.append_header(restinio::http_field::cache_control, "no-cache");
    rb.append_header("X-Accel-Buffering", "no");  // reverse proxies: pass events on at once
    rb.append_header_date_field();
    for (const auto& [name, value] : headers) rb.append_header(name, value);
    rb.connection_close();  // a stream ends its connection
    stream = std::make_shared<Stream>(this, std::move(rb));
  } catch (const std::exception& e) {
    spdlog::error("http: opening an event stream: {}", e.what());
    MutexLock lock(&mu_);
    entries_.erase(id);
    return false;
  }
  stream->Send(": open\n\n");  // the head leaves now, before any event
  std::function<void()> unsubscribe;
  try {
    unsubscribe = opener(stream);
  } catch (const std::exception& e) {
    spdlog::error("http: event stream opener threw: {}", e.what());
    stream->Finish();
  }
  bool taken = false;  // CloseAll() ran meanwhile and took the entry
  {
    MutexLock lock(&mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) {
      taken = true;
    } else {
      it->second.stream = stream;
      it->second.unsubscribe = std::move(unsubscribe);
      it->second.opened = true;
    }
  }
  if (taken) {
    stream->Finish();
    if (unsubscribe) unsubscribe();
  }
  Wake();  // it may have ended already
  return true;
}

void HeldStreams::CloseAll() {
  std::map<uint64_t, Entry> all;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    all.swap(entries_);
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  for (auto& [id, e] : all) {
    if (e.stream) e.stream->Finish();
    if (e.opened && e.unsubscribe) e.unsubscribe();
  }
}

size_t HeldStreams::open() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

void HeldStreams::Wake() {
  {
    MutexLock lock(&mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void HeldStreams::Run() {
  using Clock = std::chrono::steady_clock;
  auto next_beat = Clock::now() + opts_.heartbeat;
  while (true) {
    std::vector<Entry> ended;
    std::vector<std::shared_ptr<Stream>> beat;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && !woken_ && Clock::now() < next_beat) cv_.wait_until(mu_, next_beat);
      if (stopping_) return;
      woken_ = false;
      const bool beat_due = Clock::now() >= next_beat;
      for (auto it = entries_.begin(); it != entries_.end();) {
        Entry& e = it->second;
        if (e.opened && e.stream->ended()) {
          ended.push_back(std::move(e));
          it = entries_.erase(it);
          continue;
        }
        if (beat_due && e.opened) beat.push_back(e.stream);
        ++it;
      }
      if (beat_due) next_beat = Clock::now() + opts_.heartbeat;
    }
    for (Entry& e : ended) {
      e.stream->Finish();
      if (e.unsubscribe) e.unsubscribe();
    }
    // An SSE comment: ignored by readers; a dead peer makes the write fail.
    for (auto& s : beat) s->Send(":\n\n");
  }
}

}  // namespace facepass::http
