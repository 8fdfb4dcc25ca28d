// The sync wire format: the binary body of POST /api/service/sync/v1 (server ->
// device) and the JSON request (device -> server). Byte-by-byte description in
// docs/sync-protocol.md. Little-endian, magic "FPSY", format version 1, CRC-32
// trailer. Decode() is strict: it never reads out of bounds, never allocates
// more than the input can hold, and rejects anything that is not exactly one
// well-formed message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace facepass::sync {

inline constexpr char kMagic[4] = {'F', 'P', 'S', 'Y'};
inline constexpr uint16_t kFormatVersion = 1;
inline constexpr uint32_t kMaxDim = 8192;          // feature dimension limit
inline constexpr size_t kMaxStringBytes = 65535;   // every string: u16 length

// What the device does with one group (see docs/sync-protocol.md):
//   kNone        versions agree; nothing travels, the device changes nothing.
//   kFull        replace the local copy: drop all its faces, store `added`,
//                take group_id and cloud_version.
//   kIncremental delete `deleted`, then upsert `added`; take cloud_version.
//   kKeepLocal   the cloud has no live group of that name: keep everything,
//                versions included; not an error.
enum class GroupAction : uint8_t { kNone = 0, kFull = 1, kIncremental = 2, kKeepLocal = 3 };

const char* GroupActionName(GroupAction a);  // "NONE", "FULL", "INCREMENTAL", "KEEP_LOCAL"

struct FaceEntry {
  std::string face_token;
  std::vector<float> feature;  // exactly SyncResult::dim floats (unit length)
};

struct GroupPayload {
  std::string group_name;
  int64_t group_id = 0;       // the cloud's id (0 for KEEP_LOCAL)
  int64_t local_version = 0;  // echo of the request's local_version
  int64_t cloud_version = 0;  // 0 for KEEP_LOCAL
  GroupAction action = GroupAction::kNone;
  std::vector<FaceEntry> added;       // FULL: every face; INCREMENTAL: new faces
  std::vector<std::string> deleted;   // INCREMENTAL only
};

struct SyncResult {
  std::string search_model;          // the server's model id
  uint32_t dim = 0;                  // feature dimension of every FaceEntry
  bool clear_all = false;            // device deletes all local faces first
  float recognize_threshold = 78;    // the server's current recognise threshold
  int64_t server_time_ms = 0;        // when the server built the answer
  std::vector<GroupPayload> groups;  // in request order
};

// Serialises r. Precondition (checked by the encoder, returns an error):
// every feature has r.dim floats, strings fit in 65535 bytes, NONE/KEEP_LOCAL
// carry no faces, FULL carries no deletions.
Result<std::string> Encode(const SyncResult& r);

// Parses exactly one message. kCorruption on any malformation.
Result<SyncResult> Decode(std::string_view bytes);

// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as in the trailer.
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

// ---- Request (device -> server), JSON as in the spec ----
struct SyncRequest {
  std::string search_model;
  std::string client_version;  // "vX.Y.Z"
  struct Group {
    std::string group_name;
    int64_t group_id = 0;       // 0 = unknown (never synced)
    int64_t local_version = 0;
  };
  std::vector<Group> groups;
};

// {"info":{"search_model":..,"version":..},"groups":[{"group_name":..,"group_id":..,"local_version":..}]}
nlohmann::json ToJson(const SyncRequest& r);
// Lenient parse (for tests and tools); the server validates with its own rules.
Result<SyncRequest> SyncRequestFromJson(const nlohmann::json& j);

}  // namespace facepass::sync
