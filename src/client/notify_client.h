// The device side of GET /api/service/sync/v1/notify (docs/sync-protocol.md,
// "Notify"): holds the server's event stream open over libcurl and hands
// each "group X is now at version V" notice to the caller, who then syncs.
//
//   NotifyClient notify(http_options);
//   NotifyEnd end;
//   Status s = notify.Listen(base_url, {"gate_a"}, on_open, on_notice, stop, &end);
//   // kNotFound: the server offers no notify endpoint; poll instead.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/http_client.h"
#include "common/status.h"

namespace facepass::client {

inline constexpr char kNotifyPath[] = "/api/service/sync/v1/notify";

struct Notice {
  std::string group_name;
  int64_t group_id = 0;  // 0: the cloud has no live group of that name
  int64_t version = 0;
};

// A device needs a sync when the notice names a live group whose id or
// version differs from its copy's (local_group_id / local_version).
inline bool NeedsSync(const Notice& n, int64_t local_group_id, int64_t local_version) {
  return n.group_id != 0 && (n.group_id != local_group_id || n.version != local_version);
}

struct NotifyOptions {
  // No byte (event or heartbeat) for this long: the connection is taken for
  // dead. Well above the server's heartbeat (15 s by default).
  std::chrono::milliseconds silence_limit{std::chrono::seconds(45)};
};

// How a Listen() ended, besides its Status.
struct NotifyEnd {
  bool opened = false;    // the server answered 200 text/event-stream
  size_t notices = 0;     // version events handed to on_notice
  int retry_after_s = 0;  // a 503/429's Retry-After, else 0
};

class NotifyClient {
 public:
  explicit NotifyClient(HttpOptions http, NotifyOptions opts = {});

  // Holds GET base_url/api/service/sync/v1/notify?groups=a,b open. on_open
  // runs once the stream is open, on_notice for each version event (both on
  // the calling thread). Returns when the stream ends or `stop` turns true
  // (within about a second):
  //  OK              stopped, or the stream ended after it had opened (reconnect);
  //  kNotFound       the server has no notify endpoint (404, or a 200 that is not
  //                  an event stream): poll instead;
  //  kUnavailable    unreachable, busy (503/429, end->retry_after_s), or silent
  //                  past silence_limit;
  //  kFailedPrecondition  another error answer (401, 403, 400: the message says).
  Status Listen(const std::string& base_url, const std::vector<std::string>& groups,
                const std::function<void()>& on_open, const std::function<void(const Notice&)>& on_notice,
                const std::atomic<bool>& stop, NotifyEnd* end = nullptr) const;

 private:
  HttpOptions http_;
  NotifyOptions opts_;
};

// Server-sent events, as far as the notify stream uses them: `event:` and
// `data:` fields, comment lines (heartbeats), events ended by a blank line,
// LF or CRLF. Bytes may arrive cut anywhere.
class SseParser {
 public:
  struct Event {
    std::string type = "message";
    std::string data;  // data lines joined by '\n'
  };
  void Feed(std::string_view bytes, const std::function<void(const Event&)>& on_event);

 private:
  void Line(std::string_view line, const std::function<void(const Event&)>& on_event);
  std::string partial_;  // an unfinished line
  Event event_;
  bool has_data_ = false;
};

// A version event's data ({"group_name", "group_id", "version"}); nullopt when malformed.
std::optional<Notice> ParseNotice(std::string_view data);

}  // namespace facepass::client
