// Reading a group's change log, the same in every backend: whether the kept
// log can answer "since version v", and the net effect of its changes.
#pragma once

#include <cstdint>
#include <vector>

#include "domain/types.h"

namespace facepass::store::change_log {

// The log holds every version in (floor, current]; it can answer "since
// from_version" when floor <= from_version <= current.
inline bool Reaches(const domain::GroupRecord& g, int64_t floor, int64_t from_version) {
  return from_version >= floor && from_version <= g.version;
}

// What a client at the first change's predecessor must do: faces to add
// (bound now, not then) and to drop (bound then, not now), by face id.
struct NetEffect {
  std::vector<int64_t> added, deleted;
};
NetEffect Net(const std::vector<domain::GroupChange>& changes);

}  // namespace facepass::store::change_log
