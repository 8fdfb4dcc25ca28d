// The values a sync exchanges, without their wire format (sync_codec.h): what
// the domain builds and the codec writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace facepass::sync {

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
  std::string label = {};      // format 2 only (format 1 drops it): the face's label, empty when none
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
  uint16_t format = 1;               // the stream's format version (sync_codec.h)
};

struct SyncRequest {
  std::string search_model;
  std::string client_version;  // "vX.Y.Z"
  struct Group {
    std::string group_name;
    int64_t group_id = 0;       // 0 = unknown (never synced)
    int64_t local_version = 0;
  };
  std::vector<Group> groups;
  uint16_t format = 1;  // the answer's format the device asks for (info.format; absent: 1)
};

}  // namespace facepass::sync
