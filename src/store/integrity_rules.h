// The catalogue's invariants as plain checks over rows, shared by the SQLite
// and PostgreSQL integrity checks (each reads the rows with its own SQL).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "common/status.h"

namespace facepass::store::integrity {

inline Status Bad(const std::string& what) { return Status::Corruption("integrity: " + what); }

// One group and the shape of its change log.
struct LogShape {
  int64_t group_id = 0, version = 0, log_floor = 0;
  int64_t entries = 0, min_version = 0, max_version = 0;
};
// Every version in (log_floor, version] is logged exactly once.
Status CheckLogShape(const LogShape& g);

// Versions of one name only go up across its incarnations: feed the groups
// ordered by (name, id).
class NameVersions {
 public:
  Status Next(const std::string& name, int64_t version);

 private:
  std::string last_name_;
  int64_t last_version_ = -1;
};

// Where a group's log still starts at its create, replaying it must give
// exactly its current bindings: feed the log ordered by (group_id, version),
// then the bindings, then Finish.
class Replay {
 public:
  // `first_kept`: this entry's version is log_floor + 1 (the oldest kept).
  Status Change(int64_t group_id, int op, int64_t face_id, bool first_kept);
  void Binding(int64_t group_id, int64_t face_id) { actual_[group_id].insert(face_id); }
  Status Finish();

 private:
  std::map<int64_t, std::set<int64_t>> replayed_, actual_;
  std::set<int64_t> complete_;
  int64_t current_ = -1;
};

}  // namespace facepass::store::integrity
