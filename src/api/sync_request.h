// The sync request (device -> server, JSON as in the spec), read by the
// server's rules: info.search_model and info.version are required strings;
// groups is a required array of objects, each with a valid group_name, an
// optional group_id and a required local_version, both non-negative integers.
// The one reader: the handler (sync_api.cc) and the tests use it; the device
// writes the JSON with sync::ToJson.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "common/error_code.h"
#include "sync/sync_types.h"

namespace facepass::api {

// nullopt and *out filled, or the spec's MISSING_ARGUMENT / ILLEGAL_ARGUMENT
// naming every field at fault (e.g. "groups[1].local_version").
std::optional<DomainError> ParseSyncRequest(const nlohmann::json& body, sync::SyncRequest* out);

}  // namespace facepass::api
