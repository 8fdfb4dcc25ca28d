// One group's features: blocked, aligned matrices plus slot bookkeeping.
//
// Concurrency: any number of readers, one writer at a time (the writer mutex is
// internal). Readers enter the epoch domain, load the published GroupView and
// scan it without locks. Writers never modify memory a published view lets a
// reader touch:
//   * append writes slot `count`, beyond every published view;
//   * rewriting slot s (upsert, or swap-remove moving the last row into s) first
//     publishes a view that tells readers to skip s, waits one grace period,
//     writes, then publishes a view without the skip;
//   * after a remove shrinks `count`, the freed tail slot is reused only after a
//     grace period; growth copies into new buffers and frees the old ones after a
//     grace period.
// Removal is swap-remove with a face_id -> slot map: O(1) apart from waiting for
// in-flight searches of this group to finish.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "index/aligned_array.h"
#include "index/epoch.h"
#include "index/face_index_types.h"
#include "index/index_metrics.h"

namespace facepass::index {

inline constexpr uint32_t kNoSkip = UINT32_MAX;

// Immutable snapshot that readers scan. Slots [0, count) are valid except `skip`.
struct GroupView {
  const float* fblocks = nullptr;   // kFloat32: blocked float matrix
  const uint8_t* qblocks = nullptr; // kInt8Rerank: blocked int8 matrix, stored as x + 128
  const float* scales = nullptr;    // kInt8Rerank: per-slot dequantisation scale
  const float* rows = nullptr;      // kInt8Rerank: row-major float copy for re-ranking
  const int64_t* ids = nullptr;     // slot -> face_id
  uint32_t count = 0;
  uint32_t skip = kNoSkip;
  float quant_error = 0.0f;         // max over slots of ||x - dequant(x)||_2
  float max_norm = 0.0f;            // max over slots of ||x||_2
};

class GroupStore {
 public:
  // `gauges`: this group's rows and bytes are added to them while it lives (until dropped).
  GroupStore(int dim, Storage storage, bool huge_pages = true, IndexGauges gauges = {});
  ~GroupStore();
  GroupStore(const GroupStore&) = delete;
  GroupStore& operator=(const GroupStore&) = delete;

  // Writers (serialised internally). `feature` has dim() finite floats.
  // Returns false from Upsert when the group was dropped (caller retries elsewhere).
  Result<bool> Upsert(int64_t face_id, const float* feature) EXCLUDES(mu_);
  bool Remove(int64_t face_id) EXCLUDES(mu_);
  // Upserts n rows (features row-major, n * dim floats) with one publication.
  Result<bool> BulkUpsert(std::span<const int64_t> face_ids, const float* features) EXCLUDES(mu_);
  // Grows capacity to at least `slots` rows ahead of a bulk load.
  Status Reserve(size_t slots) EXCLUDES(mu_);
  void MarkDropped() EXCLUDES(mu_);
  size_t MemoryBytes() const EXCLUDES(mu_);

  // Readers: hold an EpochDomain::ReadGuard on epoch() while using the view.
  const EpochDomain& epoch() const { return epoch_; }
  const GroupView* view() const { return view_.load(std::memory_order_acquire); }
  int dim() const { return dim_; }
  Storage storage() const { return storage_; }

 private:
  struct Buffers {
    AlignedArray<float> fblocks;
    AlignedArray<uint8_t> qblocks;
    AlignedArray<float> scales;
    AlignedArray<float> rows;
    AlignedArray<int64_t> ids;
    uint32_t capacity = 0;  // slots, multiple of the block size
  };

  bool EnsureCapacity(uint32_t slots) REQUIRES(mu_);  // false when out of memory
  void WriteSlot(uint32_t slot, int64_t face_id, const float* f) REQUIRES(mu_);
  void MoveSlot(uint32_t from, uint32_t to) REQUIRES(mu_);
  void Publish(uint32_t count, uint32_t skip) REQUIRES(mu_);
  void Synchronize() REQUIRES(mu_);  // grace period + frees retired views and buffers
  void AppendNew(int64_t face_id, const float* f) REQUIRES(mu_);
  void RewriteSlot(uint32_t slot, int64_t face_id, const float* f) REQUIRES(mu_);
  size_t MemoryBytesLocked() const REQUIRES(mu_);
  void Account() REQUIRES(mu_);  // brings the gauges to count_ and the bytes held

  const int dim_;
  const Storage storage_;
  const bool huge_pages_;
  const IndexGauges gauges_;
  mutable Mutex mu_;  // the one writer; readers take none
  EpochDomain epoch_;
  // Readers load it lock-free; only a writer (mu_ held, in Publish) replaces it.
  std::atomic<const GroupView*> view_{nullptr};

  // Writer state.
  std::unique_ptr<Buffers> buf_ GUARDED_BY(mu_);
  std::unordered_map<int64_t, uint32_t> slot_of_ GUARDED_BY(mu_);
  uint32_t count_ GUARDED_BY(mu_) = 0;  // rows written (may exceed the published count inside a bulk)
  bool tail_needs_grace_ GUARDED_BY(mu_) = false;
  bool dropped_ GUARDED_BY(mu_) = false;
  float quant_error_ GUARDED_BY(mu_) = 0.0f;
  float max_norm_ GUARDED_BY(mu_) = 0.0f;
  std::vector<const GroupView*> retired_views_ GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Buffers>> retired_buffers_ GUARDED_BY(mu_);
  int64_t accounted_rows_ GUARDED_BY(mu_) = 0;  // what this group has added to the gauges
  int64_t accounted_bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace facepass::index
