// FaceIndex: exact 1:N search over the groups of one installation.
//
// Each group owns its own matrix (a face bound to several groups is stored once
// per group), so every group is searched exactly and independently.
// Thread-safety: all methods may be called concurrently. Searches never take a
// lock and never wait for writers; writers of one group are serialised and may
// wait for the searches of that group that were already running (one grace
// period) before they reuse a row.
// Result order: higher score first; equal scores -> lower face_id first.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "index/epoch.h"
#include "index/face_index_types.h"
#include "index/index_metrics.h"

namespace facepass::index {

class GroupStore;
class ThreadPool;

class FaceIndex {
 public:
  explicit FaceIndex(IndexOptions opts);
  ~FaceIndex();
  FaceIndex(const FaceIndex&) = delete;
  FaceIndex& operator=(const FaceIndex&) = delete;

  int dim() const { return opts_.dim; }
  const IndexOptions& options() const { return opts_; }

  // Upsert. InvalidArgument on dimension mismatch or non-finite values.
  Status Add(int64_t group_id, int64_t face_id, std::span<const float> feature);
  bool Remove(int64_t group_id, int64_t face_id);  // false if not there
  void DropGroup(int64_t group_id) EXCLUDES(map_mu_);
  size_t GroupSize(int64_t group_id) const;        // 0 for unknown group
  std::vector<int64_t> GroupIds() const;

  // Best k first; empty for an empty or unknown group; InvalidArgument on
  // dimension mismatch, non-finite query or k < 0.
  Result<std::vector<Match>> Search(int64_t group_id, std::span<const float> query, int k) const;
  // n queries, row-major (n * dim floats). One pass over the group for all of them.
  Result<std::vector<std::vector<Match>>> SearchBatch(int64_t group_id, const float* queries, int n,
                                                      int k) const;

  // Fast start-up path: upserts face_ids.size() faces into one group with a single
  // publication; features is row-major, face_ids.size() * dim floats.
  Status BulkLoad(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features);

  // Pre-sizes a group (creating it) for `faces` rows, so bulk loads do not regrow.
  Status Reserve(int64_t group_id, size_t faces);

  // Bytes held by feature matrices, id arrays and slot maps of all groups.
  size_t MemoryBytes() const;
  // SIMD target picked at run time ("AVX3", "AVX2", ...).
  static const char* SimdTarget();

 private:
  using GroupMap = std::unordered_map<int64_t, std::shared_ptr<GroupStore>>;

  std::shared_ptr<GroupStore> Find(int64_t group_id) const;
  std::shared_ptr<GroupStore> FindOrCreate(int64_t group_id) EXCLUDES(map_mu_);
  // Publishes `next` in place of `cur`, waits out the readers of `cur` and frees it.
  void ReplaceMap(const GroupMap* cur, const GroupMap* next) REQUIRES(map_mu_);
  Status CheckFeature(std::span<const float> f, const char* what) const;

  const IndexOptions opts_;
  const IndexGauges gauges_;  // handed to every group
  std::unique_ptr<ThreadPool> pool_;
  EpochDomain map_epoch_;
  // Copy-on-write: searches load the map lock-free (inside map_epoch_); a
  // writer copies it, changes the copy and publishes it (ReplaceMap) under
  // map_mu_, so two writers never publish from the same map.
  std::atomic<const GroupMap*> groups_;
  Mutex map_mu_;
};

}  // namespace facepass::index
