// One sync round trip: the store's request to POST /api/service/sync/v1, the
// binary answer applied to the store.
#pragma once

#include <cstddef>
#include <string>

#include "client/device_store.h"
#include "client/http_client.h"
#include "common/status.h"

namespace facepass::client {

inline constexpr char kSyncPath[] = "/api/service/sync/v1";
inline constexpr char kSyncStatusPath[] = "/api/service/sync/v1/status";

struct SyncOutcome {
  ApplyReport report;
  size_t request_bytes = 0;   // JSON body sent
  size_t response_bytes = 0;  // binary body received (bytes on the wire, without HTTP headers)
  double http_seconds = 0;    // request sent .. answer received
  double apply_seconds = 0;   // decode + SQLite transaction
};

// Errors: kUnavailable when the server is unreachable or busy (retry later);
// kFailedPrecondition with the server's code/message for a JSON error answer;
// kCorruption for a damaged stream. The store is unchanged on any error.
Result<SyncOutcome> SyncOnce(DeviceStore& store, const HttpClient& http, const std::string& base_url);

// Turns a non-binary answer (the JSON envelope) into a Status.
Status StatusFromErrorReply(const HttpResponse& resp);

}  // namespace facepass::client
