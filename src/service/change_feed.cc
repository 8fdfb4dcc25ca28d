#include "service/change_feed.h"

#include <algorithm>
#include <utility>

namespace facepass::service {

uint64_t ChangeFeed::Subscribe(const std::vector<std::string>& groups, Listener listener) {
  Subscription sub;
  for (const std::string& g : groups)
    if (std::find(sub.groups.begin(), sub.groups.end(), g) == sub.groups.end()) sub.groups.push_back(g);
  sub.listener = std::move(listener);
  MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  for (const std::string& g : sub.groups) by_group_[g].push_back(id);
  subs_.emplace(id, std::move(sub));
  return id;
}

void ChangeFeed::Unsubscribe(uint64_t id) {
  MutexLock lock(&mu_);
  auto it = subs_.find(id);
  if (it == subs_.end()) return;
  for (const std::string& g : it->second.groups) {
    auto bg = by_group_.find(g);
    if (bg == by_group_.end()) continue;
    std::erase(bg->second, id);
    if (bg->second.empty()) by_group_.erase(bg);
  }
  subs_.erase(it);
}

void ChangeFeed::Publish(const GroupVersion& v) {
  MutexLock lock(&mu_);
  auto bg = by_group_.find(v.group_name);
  if (bg == by_group_.end()) return;
  for (uint64_t id : bg->second) {
    auto it = subs_.find(id);
    if (it != subs_.end() && it->second.listener) it->second.listener(v);
  }
}

size_t ChangeFeed::subscriptions() const {
  MutexLock lock(&mu_);
  return subs_.size();
}

size_t ChangeFeed::subscribers(const std::string& group) const {
  MutexLock lock(&mu_);
  auto bg = by_group_.find(group);
  return bg == by_group_.end() ? 0 : bg->second.size();
}

}  // namespace facepass::service
