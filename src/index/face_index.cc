#include "index/face_index.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <limits>
#include <string>
#include <thread>

#include "index/group_store.h"
#include "index/kernels.h"
#include "index/scan.h"
#include "index/thread_pool.h"

namespace facepass::index {

namespace {
// Branch-free so that it vectorises: NaN and +-inf fail |x| <= FLT_MAX.
bool AllFinite(const float* p, size_t n) {
  bool ok = true;
  for (size_t i = 0; i < n; ++i) ok &= std::fabs(p[i]) <= std::numeric_limits<float>::max();
  return ok;
}

int ResolveThreads(int t) {
  if (t > 0) return t;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}
}  // namespace

FaceIndex::FaceIndex(IndexOptions opts) : opts_(opts), gauges_(opts.metrics), groups_(new GroupMap) {
  const int threads = ResolveThreads(opts_.threads);
  pool_ = std::make_unique<ThreadPool>(threads - 1);  // the calling thread is the other one
}

FaceIndex::~FaceIndex() { delete groups_.load(std::memory_order_acquire); }

Status FaceIndex::CheckFeature(std::span<const float> f, const char* what) const {
  if (opts_.dim <= 0) return Status::FailedPrecondition("index dimension not set");
  if (f.size() != static_cast<size_t>(opts_.dim)) {
    return Status::InvalidArgument(std::string(what) + " has dimension " + std::to_string(f.size()) +
                                   ", index expects " + std::to_string(opts_.dim));
  }
  if (!AllFinite(f.data(), f.size())) {
    return Status::InvalidArgument(std::string(what) + " has a non-finite value");
  }
  return Status::OK();
}

std::shared_ptr<GroupStore> FaceIndex::Find(int64_t group_id) const {
  EpochDomain::ReadGuard guard(map_epoch_);
  const GroupMap* m = groups_.load(std::memory_order_acquire);
  auto it = m->find(group_id);
  return it == m->end() ? nullptr : it->second;
}

void FaceIndex::ReplaceMap(const GroupMap* cur, const GroupMap* next) {
  groups_.store(next, std::memory_order_release);
  map_epoch_.Synchronize();
  delete cur;
}

std::shared_ptr<GroupStore> FaceIndex::FindOrCreate(int64_t group_id) {
  MutexLock lock(&map_mu_);
  const GroupMap* cur = groups_.load(std::memory_order_relaxed);
  if (auto it = cur->find(group_id); it != cur->end()) return it->second;
  auto* next = new GroupMap(*cur);
  auto g = std::make_shared<GroupStore>(opts_.dim, opts_.storage, opts_.huge_pages, gauges_);
  (*next)[group_id] = g;
  ReplaceMap(cur, next);
  return g;
}

void FaceIndex::DropGroup(int64_t group_id) {
  std::shared_ptr<GroupStore> g;
  {
    MutexLock lock(&map_mu_);
    const GroupMap* cur = groups_.load(std::memory_order_relaxed);
    auto it = cur->find(group_id);
    if (it == cur->end()) return;
    g = it->second;
    auto* next = new GroupMap(*cur);
    next->erase(group_id);
    ReplaceMap(cur, next);
  }
  g->MarkDropped();  // writers that raced with us retry on a fresh group
}

Status FaceIndex::Add(int64_t group_id, int64_t face_id, std::span<const float> feature) {
  FP_RETURN_IF_ERROR(CheckFeature(feature, "feature"));
  try {
    for (;;) {
      FP_ASSIGN_OR_RETURN(bool r, FindOrCreate(group_id)->Upsert(face_id, feature.data()));
      if (r) return Status::OK();
    }
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory adding a face");
  }
}

Status FaceIndex::BulkLoad(int64_t group_id, std::span<const int64_t> face_ids, std::span<const float> features) {
  const size_t d = static_cast<size_t>(opts_.dim);
  if (opts_.dim <= 0) return Status::FailedPrecondition("index dimension not set");
  if (features.size() != face_ids.size() * d) {
    return Status::InvalidArgument("bulk load: " + std::to_string(features.size()) + " floats for " +
                                   std::to_string(face_ids.size()) + " faces of dimension " + std::to_string(d));
  }
  if (!AllFinite(features.data(), features.size())) {
    return Status::InvalidArgument("bulk load: non-finite feature value");
  }
  if (face_ids.empty()) return Status::OK();
  try {
    for (;;) {
      FP_ASSIGN_OR_RETURN(bool r, FindOrCreate(group_id)->BulkUpsert(face_ids, features.data()));
      if (r) return Status::OK();
    }
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory in bulk load");
  }
}

Status FaceIndex::Reserve(int64_t group_id, size_t faces) {
  if (opts_.dim <= 0) return Status::FailedPrecondition("index dimension not set");
  try {
    return FindOrCreate(group_id)->Reserve(faces);
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory reserving a group");
  }
}

bool FaceIndex::Remove(int64_t group_id, int64_t face_id) {
  auto g = Find(group_id);
  return g != nullptr && g->Remove(face_id);
}

size_t FaceIndex::GroupSize(int64_t group_id) const {
  auto g = Find(group_id);
  if (g == nullptr) return 0;
  EpochDomain::ReadGuard guard(g->epoch());
  return g->view()->count;
}

std::vector<int64_t> FaceIndex::GroupIds() const {
  EpochDomain::ReadGuard guard(map_epoch_);
  const GroupMap* m = groups_.load(std::memory_order_acquire);
  std::vector<int64_t> ids;
  ids.reserve(m->size());
  for (const auto& [id, g] : *m) ids.push_back(id);
  return ids;
}

Result<std::vector<std::vector<Match>>> FaceIndex::SearchBatch(int64_t group_id, const float* queries, int n,
                                                               int k) const {
  if (n < 0 || k < 0) return Status::InvalidArgument("negative query count or k");
  if (n > 0 && queries == nullptr) return Status::InvalidArgument("null queries");
  const size_t d = static_cast<size_t>(opts_.dim);
  for (int j = 0; j < n; ++j) FP_RETURN_IF_ERROR(CheckFeature({queries + j * d, d}, "query"));
  std::vector<std::vector<Match>> empty(static_cast<size_t>(n));
  if (n == 0 || k == 0) return empty;
  auto g = Find(group_id);
  if (g == nullptr) return empty;
  EpochDomain::ReadGuard guard(g->epoch());
  const GroupView* v = g->view();
  if (v->count == 0) return empty;
  ScanParams p;
  p.dim = opts_.dim;
  p.storage = opts_.storage;
  p.k = static_cast<int>(std::min<size_t>(static_cast<size_t>(k), v->count));  // bounds top-k buffers
  p.pool = pool_->workers() > 0 ? pool_.get() : nullptr;
  p.parallel_min_rows = opts_.parallel_min_rows;
  try {
    return ScanView(*v, p, queries, static_cast<size_t>(n));
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("out of memory during search");
  }
}

Result<std::vector<Match>> FaceIndex::Search(int64_t group_id, std::span<const float> query, int k) const {
  FP_RETURN_IF_ERROR(CheckFeature(query, "query"));
  FP_ASSIGN_OR_RETURN(auto r, SearchBatch(group_id, query.data(), 1, k));
  return std::move(r[0]);
}

size_t FaceIndex::MemoryBytes() const {
  std::vector<std::shared_ptr<GroupStore>> groups;
  {
    EpochDomain::ReadGuard guard(map_epoch_);
    const GroupMap* m = groups_.load(std::memory_order_acquire);
    for (const auto& [id, g] : *m) groups.push_back(g);
  }
  size_t b = 0;
  for (const auto& g : groups) b += g->MemoryBytes();  // takes each group's writer lock
  return b;
}

const char* FaceIndex::SimdTarget() { return kernels::TargetName(); }

}  // namespace facepass::index
