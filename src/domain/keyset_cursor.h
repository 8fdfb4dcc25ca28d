// Where a page of a time-ordered list ends: the (at_ms, id) of its last row.
// Rows are read in (at_ms, id) order (or its reverse) through an index whose
// entries end in the rowid, so a page continues strictly after its cursor
// without sorting or skipping over earlier rows. Shared by the audit log and
// the recognition history.
#pragma once

#include <cstdint>

namespace facepass::domain {

struct KeysetCursor {
  int64_t at_ms = 0;
  int64_t id = 0;  // 0 with at_ms 0: from the start (audit log, oldest first)
  bool operator==(const KeysetCursor&) const = default;
};

}  // namespace facepass::domain
