// Exact top-k scan of one published GroupView (float32, or int8 + exact re-rank).
#pragma once

#include <vector>

#include "index/face_index_types.h"
#include "index/group_store.h"
#include "index/thread_pool.h"

namespace facepass::index {

struct ScanParams {
  int dim = 0;
  Storage storage = Storage::kFloat32;
  int k = 1;
  ThreadPool* pool = nullptr;     // may be null: single thread
  size_t parallel_min_rows = 32768;
};

// Returns, for each of the nq queries (row-major, dim floats each), the best k
// matches best first (see RanksBefore). The caller holds the view's read guard.
std::vector<std::vector<Match>> ScanView(const GroupView& view, const ScanParams& p, const float* queries,
                                         size_t nq);

}  // namespace facepass::index
