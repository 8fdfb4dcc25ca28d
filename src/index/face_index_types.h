// Public value types of the 1:N search engine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "metrics/registry.h"

namespace facepass::index {

// score = inner product of query and enrolled feature (cosine for unit vectors).
struct Match {
  int64_t face_id;
  float score;
  bool operator==(const Match&) const = default;
};

enum class Storage {
  // float32 matrix; the scan reads 4 bytes per dimension.
  kFloat32,
  // int8 matrix (per-row scale) scanned first; every candidate that could be in the
  // exact top-k (bounded quantisation error) is re-scored from a float32 copy, so
  // results equal kFloat32's bit for bit. The scan reads 1 byte per dimension;
  // memory is 5 bytes per dimension.
  kInt8Rerank,
};

struct IndexOptions {
  int dim = 0;
  int threads = 0;                       // search threads per query; 0 = hardware
  Storage storage = Storage::kInt8Rerank;
  size_t parallel_min_rows = 32768;      // groups smaller than this are scanned by one thread
  bool huge_pages = true;                // madvise(MADV_HUGEPAGE) on large matrices
  // Bindings and memory gauges (index/index_metrics.h); nullptr: none.
  metrics::Registry* metrics = &metrics::DefaultRegistry();
};

}  // namespace facepass::index
