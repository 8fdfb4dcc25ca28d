#include "client/watcher.h"

#include <algorithm>
#include <optional>
#include <random>
#include <thread>

namespace facepass::client {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds NextBackoff(milliseconds current, const WatchOptions& o) {
  if (current.count() <= 0) return o.min_backoff;
  return std::min(current * 2, o.max_backoff);
}

// A backoff spread over [0.5, 1.5) of itself: devices that a busy server
// turned away together do not all come back in the same instant.
// Uniform in [0, d).
milliseconds Spread(milliseconds d) {
  if (d.count() <= 0) return milliseconds(0);
  thread_local std::mt19937 rng{std::random_device{}()};
  return milliseconds(std::uniform_int_distribution<int64_t>(0, d.count() - 1)(rng));
}

milliseconds Jittered(milliseconds d) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> f(0.5, 1.5);
  return milliseconds(static_cast<int64_t>(static_cast<double>(d.count()) * f(rng)));
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
      MutexLock lock(&mu_);
      groups = groups_;
    }
    NotifyEnd end;
    const auto opened_at = Clock::now();
    Status s = client.Listen(
        base_url_, groups,
        [&] {
          {
            MutexLock lock(&mu_);
            connected_ = true;
          }
          cv_.notify_all();
          report({NotifyState::Kind::kOpen, Status::OK(), milliseconds(0)});
        },
        [&](const Notice& n) {
          {
            MutexLock lock(&mu_);
            notices_.push_back(n);
          }
          cv_.notify_all();
        },
        quit_, &end);
    {
      MutexLock lock(&mu_);
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
    state.retry_in = Jittered(backoff);
    report(state);
    MutexLock lock(&mu_);
    cv_.wait_for(mu_, state.retry_in, [this] { return quit_.load(); });
  }
}

void Watcher::Run(const std::atomic<bool>& stop, int max_rounds, const std::function<void(const WatchRound&)>& on_round,
                  const std::function<void(const NotifyState&)>& on_notify) {
  bool any_group = false;
  {
    MutexLock lock(&mu_);
    groups_ = GroupNames();
    any_group = !groups_.empty();
    notices_.clear();
    connected_ = false;
  }
  quit_ = false;
  std::thread notify;
  if (opts_.notify && any_group) notify = std::thread([&] { NotifyLoop(on_notify); });

  milliseconds backoff{0};        // > 0: the last sync failed, retry at retry_at
  Clock::time_point retry_at{}, last_ok{};
  std::optional<Clock::time_point> notice_at;  // a notice showed the copy behind: sync then
  bool first = true;
  // When the next sync is due: at once first, at the retry after a failure,
  // else at a notice's (spread) time or a poll period after the last good
  // one (safety_poll while the stream is open), whichever comes first.
  auto due_at = [&](bool connected) {
    if (first) return Clock::now();
    if (backoff.count() > 0) return retry_at;
    const auto poll = last_ok + (connected ? opts_.safety_poll : opts_.poll_interval);
    return notice_at ? std::min(*notice_at, poll) : poll;
  };
  for (int round = 0; !stop && (max_rounds <= 0 || round < max_rounds);) {
    std::vector<Notice> notices;
    bool due = false;
    {
      MutexLock lock(&mu_);
      // Wakes for a notice, the schedule, a stream that opened or dropped, or
      // (every 100 ms) to look at `stop`.
      while (!stop && notices_.empty() && Clock::now() < due_at(connected_))
        cv_.wait_until(mu_, std::min(due_at(connected_), Clock::now() + milliseconds(100)));
      notices.swap(notices_);
      due = Clock::now() >= due_at(connected_);
    }
    if (stop) break;
    if (!due) {
      // In backoff the retry comes anyway; otherwise a notice that shows the
      // copy behind schedules a sync within notice_spread (a fleet that heard
      // the same notice does not arrive in the same millisecond).
      if (backoff.count() == 0 && !notice_at && Behind(notices)) notice_at = Clock::now() + Spread(opts_.notice_spread);
      continue;
    }
    const char* trigger = first ? "start" : backoff.count() > 0 ? "retry"
                                          : notice_at && Clock::now() >= *notice_at ? "notice" : "poll";
    first = false;
    notice_at.reset();
    WatchRound r;
    r.round = round++;
    r.trigger = trigger;
    Result<SyncOutcome> out = device_.Sync(HttpClient(http_), base_url_);
    bool connected = false;
    {
      MutexLock lock(&mu_);
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
      r.next_in = Jittered(backoff);
      retry_at = Clock::now() + r.next_in;
    }
    if (on_round) on_round(r);
  }
  {
    MutexLock lock(&mu_);
    quit_ = true;
  }
  cv_.notify_all();
  if (notify.joinable()) notify.join();
}

}  // namespace facepass::client
