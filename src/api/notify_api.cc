// GET /api/service/sync/v1/notify?groups=a,b (docs/sync-protocol.md,
// "Notify"): a held text/event-stream that says "group X is now at version V"
// for the named groups, first their current versions, then every change the
// Catalog publishes. It carries no faces; the device then syncs as usual.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "api/handlers.h"
#include "api/params.h"
#include "service/app.h"
#include "service/change_feed.h"
#include "service/device_sync.h"
#include "spec/group_name.h"

namespace facepass::api {

namespace {

// More than a gate keeps (the spec has no limit; this bounds one subscription).
constexpr size_t kMaxNotifyGroups = 64;

// `groups=a,b` and/or `groups=a&groups=b`, in order, repeats dropped.
std::optional<DomainError> ParseGroups(const http::Request& req, std::vector<std::string>* out) {
  ParamCheck check;
  bool present = false;
  for (const auto& [key, value] : req.query) {
    if (key != "groups") continue;
    present = true;
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      std::string name = value.substr(start, comma - start);
      start = comma + 1;
      if (name.empty()) continue;
      if (!spec::IsValidGroupName(name)) {
        check.Illegal("groups");
        return check.Error();
      }
      if (std::find(out->begin(), out->end(), name) == out->end()) out->push_back(std::move(name));
    }
  }
  if (!present || out->empty()) check.Missing("groups");
  else if (out->size() > kMaxNotifyGroups) check.Illegal("groups");
  return check.Error();
}

std::string VersionEvent(const service::GroupVersion& v) {
  nlohmann::json data = {{"group_name", v.group_name}, {"group_id", v.group_id}, {"version", v.version}};
  return "event: version\ndata: " + data.dump() + "\n\n";
}

}  // namespace

ApiReply SyncNotify(App& app, const http::Request& req) {
  std::vector<std::string> groups;
  if (auto e = ParseGroups(req, &groups)) return ApiReply::Error(*e);
  ApiReply reply;
  reply.stream = [&app, groups](std::shared_ptr<http::EventStream> stream) -> std::function<void()> {
    service::ChangeFeed& feed = app.change_feed();
    const uint64_t id =
        feed.Subscribe(groups, [stream](const service::GroupVersion& v) { stream->Send(VersionEvent(v)); });
    // Read after subscribing: a change from here on is heard, one before it
    // is in the snapshot (a version may come twice; the device compares).
    auto current = app.device_sync().CurrentVersions(groups);
    if (current.ok()) {
      for (const service::GroupVersion& v : *current) stream->Send(VersionEvent(v));
    }  // else the device's safety poll catches up
    return [&feed, id] { feed.Unsubscribe(id); };
  };
  return reply;
}

}  // namespace facepass::api
