// Bounded best-k collector with the index's deterministic order:
// higher score first; equal scores -> lower face_id first.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "index/face_index_types.h"

namespace facepass::index {

// True when a ranks strictly before b.
inline bool RanksBefore(const Match& a, const Match& b) {
  return a.score > b.score || (a.score == b.score && a.face_id < b.face_id);
}

class TopK {
 public:
  explicit TopK(int k) : k_(static_cast<size_t>(k)) { heap_.reserve(k_ + 1); }

  // Lowest score that can still enter (entries equal to it may enter on id).
  float threshold() const {
    return heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().score;
  }
  bool full() const { return heap_.size() >= k_; }

  void Push(int64_t face_id, float score) {
    if (k_ == 0) return;
    Match m{face_id, score};
    // heap_ is a heap whose front is the worst kept entry.
    auto worse = [](const Match& a, const Match& b) { return RanksBefore(a, b); };
    if (heap_.size() < k_) {
      heap_.push_back(m);
      std::push_heap(heap_.begin(), heap_.end(), worse);
    } else if (RanksBefore(m, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), worse);
      heap_.back() = m;
      std::push_heap(heap_.begin(), heap_.end(), worse);
    }
  }

  void Merge(const TopK& o) {
    for (const Match& m : o.heap_) Push(m.face_id, m.score);
  }

  // Sorted best first; leaves the collector empty.
  std::vector<Match> Take() {
    std::vector<Match> out = std::move(heap_);
    heap_.clear();
    std::sort(out.begin(), out.end(), RanksBefore);
    return out;
  }

 private:
  size_t k_;
  std::vector<Match> heap_;
};

}  // namespace facepass::index
