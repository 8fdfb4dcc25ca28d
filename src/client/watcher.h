// Keeps a device's groups in step with the cloud (`facepass-device watch`):
// a sync at once, then whenever the notify stream (notify_client.h) says a
// configured group moved past the local copy, plus a slow safety poll for a
// notice that was missed (a notice's sync is spread over notice_spread). A server without the notify endpoint is polled at
// poll_interval; while the stream is down (reconnecting with exponential
// backoff) the device polls at poll_interval too. Failed syncs back off
// exponentially up to max_backoff; every backoff is jittered (x0.5..1.5) so a
// fleet turned away by a busy server (503) does not return all at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <string>
#include <vector>

#include "client/device.h"
#include "client/http_client.h"
#include "client/notify_client.h"
#include "common/status.h"
#include "common/thread_annotations.h"

namespace facepass::client {

struct WatchOptions {
  std::chrono::milliseconds poll_interval{std::chrono::seconds(10)};  // without a notify stream
  std::chrono::milliseconds safety_poll{std::chrono::minutes(5)};     // with one
  // A notice's sync starts at a random point within this: hundreds of devices
  // hear a change at once, and a server turns away what overflows its queue.
  std::chrono::milliseconds notice_spread{250};
  std::chrono::milliseconds min_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  bool notify = true;  // false: poll only
  NotifyOptions notify_options;
};

// One sync round.
struct WatchRound {
  int round = 0;
  const char* trigger = "start";  // start | notice | poll | retry
  Status status;                  // of the sync
  SyncOutcome outcome;            // when status is OK
  std::chrono::milliseconds next_in{0};  // until the next scheduled sync
};

// The notify stream's state, as it changes.
struct NotifyState {
  enum class Kind { kOpen, kLost, kAbsent };
  Kind kind = Kind::kLost;
  Status status;  // why it was lost (kLost), or the 404 (kAbsent)
  std::chrono::milliseconds retry_in{0};  // kLost: until the reconnect
};

class Watcher {
 public:
  Watcher(Device& device, HttpOptions http, std::string base_url, WatchOptions opts);

  // Runs until `stop` turns true or `max_rounds` syncs were made (0: no
  // limit). The callbacks run on the calling thread (on_notify under no lock
  // of the watcher, from its notify thread).
  void Run(const std::atomic<bool>& stop, int max_rounds, const std::function<void(const WatchRound&)>& on_round,
           const std::function<void(const NotifyState&)>& on_notify = {}) EXCLUDES(mu_);

 private:
  void NotifyLoop(const std::function<void(const NotifyState&)>& on_notify) EXCLUDES(mu_);
  bool Behind(const std::vector<Notice>& notices);
  std::vector<std::string> GroupNames();

  Device& device_;
  const HttpOptions http_;
  const std::string base_url_;
  const WatchOptions opts_;

  // Between Run's thread and the notify thread. quit_ is atomic (the notify
  // client polls it) but set under mu_, so a wait cannot miss it.
  Mutex mu_;
  std::condition_variable_any cv_;  // signals the three below and quit_
  std::vector<Notice> notices_ GUARDED_BY(mu_);
  bool connected_ GUARDED_BY(mu_) = false;  // the notify stream is open
  std::vector<std::string> groups_ GUARDED_BY(mu_);  // subscribed names, read by the notify thread
  std::atomic<bool> quit_{false};
};

}  // namespace facepass::client
