// The change feed: "group X is now at version V", published by the Catalog
// after each committed group change and delivered to whoever subscribed to
// that group's name (the notify endpoint's held connections). It carries no
// faces: a subscriber that hears of a new version syncs as usual.
//
//   ChangeFeed feed;
//   uint64_t id = feed.Subscribe({"gate_a", "gate_b"}, [](const GroupVersion& v) { ... });
//   feed.Publish({"gate_a", 5, 12});   // the Catalog, under its write lock
//   feed.Unsubscribe(id);              // afterwards the listener is never called again
//
// Listeners run on the publishing thread (a request worker inside the
// Catalog's write lock), so they must be quick and must not call back into
// the Catalog or the feed: queue and return.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/thread_annotations.h"

namespace facepass::service {

struct GroupVersion {
  std::string group_name;
  int64_t group_id = 0;  // the live group's id; 0 when there is none (never created, or deleted)
  int64_t version = 0;   // the name's current version; 0 when it never existed
  bool deleted = false;  // the change was the group's delete
};

class ChangeFeed {
 public:
  using Listener = std::function<void(const GroupVersion&)>;

  ChangeFeed() = default;
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // `listener` hears every Publish of one of `groups` (repeated names count
  // once) until Unsubscribe. Returns the subscription's id (never 0).
  uint64_t Subscribe(const std::vector<std::string>& groups, Listener listener) EXCLUDES(mu_);
  // Idempotent. After it returns the listener is not running and never runs
  // again. Never call it from inside a listener (it would wait for itself).
  void Unsubscribe(uint64_t id) EXCLUDES(mu_);
  // Calls the listeners of v.group_name, in subscription order.
  void Publish(const GroupVersion& v) EXCLUDES(mu_);

  size_t subscriptions() const EXCLUDES(mu_);
  // Subscriptions that name `group`.
  size_t subscribers(const std::string& group) const EXCLUDES(mu_);

 private:
  struct Subscription {
    std::vector<std::string> groups;
    Listener listener;
  };

  // mu_ guards the maps; a Publish holds it while listeners run, which is
  // what makes Unsubscribe wait for a running listener. Listeners are quick.
  mutable Mutex mu_;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Subscription> subs_ GUARDED_BY(mu_);
  // group name -> subscription ids, in subscription order
  std::map<std::string, std::vector<uint64_t>, std::less<>> by_group_ GUARDED_BY(mu_);
};

}  // namespace facepass::service
