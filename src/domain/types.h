// Plain records of the catalogue read from and written to the store (any
// backend: the repository interfaces in this folder name them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace facepass::domain {

struct Rect {
  int left = 0, top = 0, right = 0, bottom = 0;
};

// Enrol images are kept forever; captures (recognise requests) are purged
// after the retention period.
enum class ImageKind { kEnrol = 0, kCapture = 1 };

struct ImageRecord {
  int64_t id = 0;
  ImageKind kind = ImageKind::kEnrol;
  std::string format;  // "jpeg" | "png" | "bmp"
  std::string path;    // SQLite: the file, relative to the FileStore directory; PostgreSQL: "" (bytes in the row)
  int64_t size = 0;
  int width = 0, height = 0;
  int64_t created_ms = 0;
};

struct FaceRecord {
  int64_t id = 0;
  int64_t image_id = 0;
  Rect rect;
  int64_t created_ms = 0;
  bool deleted = false;
  std::vector<float> feature;
  std::optional<std::string> label;  // none when unset, and always after a delete
};

// Where a label search page ends: its last row's label and face id.
struct LabelCursor {
  std::string label;
  int64_t face_id = 0;
  bool operator==(const LabelCursor&) const = default;
};

struct LabelledFace {
  int64_t face_id = 0;
  std::string label;
  int64_t image_id = 0;
  int64_t created_ms = 0;
};

struct LabelPage {
  std::vector<LabelledFace> rows;          // (label ASCII-case-folded, face id) ascending
  std::optional<LabelCursor> next_cursor;  // the last row's, when more rows match
};

// A live face and the enrol image it was found in (re-extraction).
struct LiveFace {
  int64_t face_id = 0;
  Rect rect;
  ImageRecord image;
};

struct GroupRecord {
  int64_t id = 0;  // group_id: new for every incarnation of a name, never reused
  std::string name;
  int64_t version = 0;
  bool deleted = false;
};

// One bind/unbind event of a group's change log.
struct GroupChange {
  int64_t version = 0;
  int64_t face_id = 0;
  bool bound = false;  // true: bind, false: unbind (explicit or by face delete)
};

// The net effect of a group's changes since a client's version, read in one
// snapshot (see GroupRepository::SyncDelta).
struct GroupDelta {
  GroupRecord group;
  bool full = false;  // true: `added` is every bound face and the client must drop the rest
  std::vector<std::pair<int64_t, std::vector<float>>> added;  // face id, feature
  std::map<int64_t, std::string> labels;                       // of those added faces that have one
  std::vector<int64_t> deleted;                                // face ids (empty when full)
};

struct DeviceGroupStatus {
  std::string group_name;
  int64_t group_id = 0, local_version = 0, cloud_version = 0;
  int result_code = 0;
  int64_t result_version = 0;
  int64_t added = 0, deleted = 0;
};

struct DeviceRecord {
  std::string ip;  // key
  std::string client_version, search_model;
  int64_t sync_time_ms = 0;
  std::vector<DeviceGroupStatus> groups;
};

}  // namespace facepass::domain
