// Start-up path: streams every live binding, with its face's feature, out of
// the metadata database to a sink (the server's 1:N index). The store alone
// knows the tables; the sink sees only (group, face ids, features).
//
// The bindings key space is cut into one range per thread; each thread opens its
// own read-only connection to the database file (memory-mapped reads) and runs
// the bindings -> faces join for its range ordered by (group_id, face_id),
// handing batches of up to 2,048 rows of one group to the sink. Groups are
// announced first with an upper bound of their size, from a key-only count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/status.h"

namespace facepass::store {

class Database;

class BindingSink {
 public:
  virtual ~BindingSink() = default;
  // Once per group, before any Take, single-threaded; `upper_bound` counts
  // bindings of deleted faces too.
  virtual Status Reserve(int64_t group_id, size_t upper_bound) = 0;
  // A batch of one group's faces, ascending ids; `features` holds
  // face_ids.size() rows of the scan's dimension. Called concurrently from
  // the scan's threads, for disjoint (group, face) ranges.
  virtual Status Take(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features) = 0;
};

struct BindingScanStats {
  size_t groups = 0;
  size_t bindings = 0;  // live bindings handed to the sink
  int threads = 0;
  double seconds = 0;
  // The plan sorted the rows instead of walking the bindings key in order:
  // every feature went through a temporary B-tree (an index that lured the
  // planner away). The load is still right, and several times slower.
  bool sorted = false;
};

// Scans `db`'s file on read-only connections of its own (WAL readers see the
// last commit; writers through `db` are not blocked).
// threads = 0: hardware threads, or one for small stores (< 100k bindings).
// Corruption if a feature is not `dim` floats; IoError on SQLite errors; a
// sink's error stops the scan and is returned. On error the sink may hold
// part of the data: discard it.
Status ScanBindings(const Database& db, size_t dim, BindingSink& sink,
                    BindingScanStats* stats = nullptr, int threads = 0);

}  // namespace facepass::store
