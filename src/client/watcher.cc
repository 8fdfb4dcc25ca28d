#include "client/watcher.h"

#include <algorithm>
#include <thread>

namespace facepass::client {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds NextBackoff(milliseconds current, const WatchOptions& o) {
  if (current.count() <= 0) return o.min_backoff;
  return std::min(current * 2, o.max_backoff);
}
}  // namespace

Watcher::Watcher(Device& device, HttpOptions http, std::string base_url, WatchOptions opts)
    : device_(device), http_(std::move(http)), base_url_(std::move(base_url)), opts_(opts) {}

std::vector<std::string> Watcher::GroupNames() {
  std::vector<std::string> names;
  auto groups = device_.store().Groups();
  if (groups.ok())
    for (const LocalGroup& g : *groups) names.push_back(g.group_name);
  return names;
}

bool Watcher::Behind(const std::vector<Notice>& notices) {
  auto groups = device_.store().Groups();
  if (!groups.ok()) return true;  // cannot tell: sync
  for (const Notice& n : notices) {
    for (const LocalGroup& g : *groups) {
      if (g.group_name == n.group_name && NeedsSync(n, g.group_id, g.local_version)) return true;
    }
  }
  return false;
}

void Watcher::NotifyLoop(const std::function<void(const NotifyState&)>& on_notify) {
  NotifyClient client(http_, opts_.notify_options);
  milliseconds backoff{0};
  auto report = [&](NotifyState s) {
    if (on_notify) on_notify(s);
  };
  while (!quit_) {
    std::vector<std::string> groups;
    {
      std::lock_guard<std::mutex> lock(mu_);
      groups = groups_;
    }
    NotifyEnd end;
    const auto opened_at = Clock::now();
    Status s = client.Listen(
        base_url_, groups,
        [&] {
          {
            std::lock_guard<std::mutex> lock(mu_);
            connected_ = true;
          }
          cv_.notify_all();
          report({NotifyState::Kind::kOpen, Status::OK(), milliseconds(0)});
        },
        [&](const Notice& n) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            notices_.push_back(n);
          }
          cv_.notify_all();
        },
        quit_, &end);
    {
      std::lock_guard<std::mutex> lock(mu_);
      connected_ = false;
    }
    cv_.notify_all();
    if (quit_) return;
    NotifyState state;
    state.status = s;
    if (s.code() == StatusCode::kNotFound) {
      // An older server: poll, and look again now and then (it may be upgraded).
      state.kind = NotifyState::Kind::kAbsent;
      backoff = opts_.max_backoff;
    } else {
      state.kind = NotifyState::Kind::kLost;
      // A stream that stayed up a while was fine: start the backoff again.
      if (end.opened && Clock::now() - opened_at > std::chrono::seconds(30)) backoff = milliseconds(0);
      backoff = NextBackoff(backoff, opts_);
      if (end.retry_after_s > 0) backoff = std::max(backoff, milliseconds(end.retry_after_s * 1000));
    }
    state.retry_in = backoff;
    report(state);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, backoff, [this] { return quit_.load(); });
  }
}

void Watcher::Run(const std::atomic<bool>& stop, int max_rounds, const std::function<void(const WatchRound&)>& on_round,
                  const std::function<void(const NotifyState&)>& on_notify) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    groups_ = GroupNames();
    notices_.clear();
    connected_ = false;
  }
  quit_ = false;
  std::thread notify;
  if (opts_.notify && !groups_.empty()) notify = std::thread([&] { NotifyLoop(on_notify); });

  milliseconds backoff{0};        // > 0: the last sync failed, retry at retry_at
  Clock::time_point retry_at{}, last_ok{};
  bool first = true;
  // When the next sync is due: at once first, at the retry after a failure,
  // else a poll period after the last good one (safety_poll while the stream is open).
  auto due_at = [&](bool connected) {
    if (first) return Clock::now();
    if (backoff.count() > 0) return retry_at;
    return last_ok + (connected ? opts_.safety_poll : opts_.poll_interval);
  };
  for (int round = 0; !stop && (max_rounds <= 0 || round < max_rounds);) {
    std::vector<Notice> notices;
    bool due = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Wakes for a notice, the schedule, a stream that opened or dropped, or
      // (every 100 ms) to look at `stop`.
      while (!stop && notices_.empty() && Clock::now() < due_at(connected_))
        cv_.wait_until(lock, std::min(due_at(connected_), Clock::now() + milliseconds(100)));
      notices.swap(notices_);
      due = Clock::now() >= due_at(connected_);
    }
    if (stop) break;
    const char* trigger = first ? "start" : backoff.count() > 0 ? "retry" : "poll";
    if (!due) {
      if (backoff.count() > 0 || !Behind(notices)) continue;  // in backoff, or nothing new for this copy
      trigger = "notice";
    }
    first = false;
    WatchRound r;
    r.round = round++;
    r.trigger = trigger;
    Result<SyncOutcome> out = device_.Sync(HttpClient(http_), base_url_);
    bool connected = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      connected = connected_;
    }
    if (out.ok()) {
      r.outcome = std::move(*out);
      backoff = milliseconds(0);
      last_ok = Clock::now();
      r.next_in = connected ? opts_.safety_poll : opts_.poll_interval;
    } else {
      r.status = out.status();
      backoff = NextBackoff(backoff, opts_);
      retry_at = Clock::now() + backoff;
      r.next_in = backoff;
    }
    if (on_round) on_round(r);
  }
  quit_ = true;
  cv_.notify_all();
  if (notify.joinable()) notify.join();
}

}  // namespace facepass::client
