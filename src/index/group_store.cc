#include "index/group_store.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "index/kernels.h"

namespace facepass::index {

namespace {
constexpr uint32_t kB = static_cast<uint32_t>(kernels::kBlockRows);
constexpr size_t kMaxRetiredViews = 256;
}  // namespace

GroupStore::GroupStore(int dim, Storage storage, bool huge_pages, IndexGauges gauges)
    : dim_(dim), storage_(storage), huge_pages_(huge_pages), gauges_(gauges) {
  buf_ = std::make_unique<Buffers>();
  Publish(0, kNoSkip);
  MutexLock lock(&mu_);
  Account();
}

GroupStore::~GroupStore() {
  if (gauges_.bindings) gauges_.bindings->Add(-accounted_rows_);
  if (gauges_.memory_bytes) gauges_.memory_bytes->Add(-accounted_bytes_);
  // No reader can hold a view: the owner releases the store only after its last reader.
  delete view_.load(std::memory_order_relaxed);
  for (const GroupView* v : retired_views_) delete v;
}

bool GroupStore::EnsureCapacity(uint32_t slots) {
  if (slots <= buf_->capacity) return true;
  uint64_t cap = std::max<uint64_t>({uint64_t{slots}, uint64_t{buf_->capacity} * 3 / 2, 64});
  cap = (cap + kB - 1) / kB * kB;
  if (cap > UINT32_MAX - kB) return false;
  auto nb = std::make_unique<Buffers>();
  const size_t d = static_cast<size_t>(dim_);
  // The matrices ask for huge pages: every search streams the blocked one, and
  // the float rows (the largest) would otherwise fault in 4 KiB at a time,
  // which in a VM was half of a 1M-face start-up's CPU.
  bool ok = nb->ids.Allocate(cap);
  if (storage_ == Storage::kFloat32) {
    ok = ok && nb->fblocks.Allocate(cap * d, huge_pages_);
  } else {
    ok = ok && nb->qblocks.Allocate(cap * d, huge_pages_) && nb->scales.Allocate(cap) &&
         nb->rows.Allocate(cap * d, huge_pages_);
  }
  if (!ok) return false;
  nb->capacity = static_cast<uint32_t>(cap);
  // Copy whole blocks: block b of both layouts starts at b * kB * d.
  const size_t used_blocks = (count_ + kB - 1) / kB;
  if (buf_->capacity > 0 && count_ > 0) {
    std::memcpy(nb->ids.data(), buf_->ids.data(), size_t{count_} * sizeof(int64_t));
    if (storage_ == Storage::kFloat32) {
      std::memcpy(nb->fblocks.data(), buf_->fblocks.data(), used_blocks * kB * d * sizeof(float));
    } else {
      std::memcpy(nb->qblocks.data(), buf_->qblocks.data(), used_blocks * kB * d);
      std::memcpy(nb->scales.data(), buf_->scales.data(), size_t{count_} * sizeof(float));
      std::memcpy(nb->rows.data(), buf_->rows.data(), size_t{count_} * d * sizeof(float));
    }
  }
  retired_buffers_.push_back(std::move(buf_));
  buf_ = std::move(nb);
  // Readers move to the new buffers; the old ones go at the next grace period.
  const GroupView* cur = view_.load(std::memory_order_relaxed);
  Publish(cur->count, cur->skip);
  return true;
}

void GroupStore::WriteSlot(uint32_t slot, int64_t face_id, const float* f) {
  const size_t d = static_cast<size_t>(dim_);
  const size_t base = size_t{slot / kB} * kB * d, lane = slot % kB;
  buf_->ids[slot] = face_id;
  // Plain loops over d with independent lanes: the compiler vectorises them.
  float sq[8] = {};
  size_t k0 = 0;
  for (; k0 + 8 <= d; k0 += 8)
    for (size_t j = 0; j < 8; ++j) sq[j] += f[k0 + j] * f[k0 + j];
  for (; k0 < d; ++k0) sq[0] += f[k0] * f[k0];
  float norm2 = 0;
  for (float x : sq) norm2 += x;
  max_norm_ = std::max(max_norm_, std::sqrt(norm2) * (1 + 1e-5f));
  if (storage_ == Storage::kFloat32) {
    float* blk = buf_->fblocks.data() + base;
    for (size_t k = 0; k < d; ++k) blk[k * kB + lane] = f[k];
    return;
  }
  int8_t q[kernels::kMaxQuantDim];
  std::vector<int8_t> big;
  int8_t* qv = q;
  if (d > kernels::kMaxQuantDim) {
    big.resize(d);
    qv = big.data();
  }
  float scale;
  quant_error_ = std::max(quant_error_, kernels::Quantize(f, d, qv, &scale));
  uint8_t* blk = buf_->qblocks.data() + base;
  for (size_t k = 0; k < d; ++k) blk[k * kB + lane] = static_cast<uint8_t>(qv[k] + 128);
  buf_->scales[slot] = scale;
  std::memcpy(buf_->rows.data() + size_t{slot} * d, f, d * sizeof(float));
}

void GroupStore::MoveSlot(uint32_t from, uint32_t to) {
  const size_t d = static_cast<size_t>(dim_);
  const size_t fb = size_t{from / kB} * kB * d, fl = from % kB;
  const size_t tb = size_t{to / kB} * kB * d, tl = to % kB;
  buf_->ids[to] = buf_->ids[from];
  if (storage_ == Storage::kFloat32) {
    float* m = buf_->fblocks.data();
    for (size_t k = 0; k < d; ++k) m[tb + k * kB + tl] = m[fb + k * kB + fl];
    return;
  }
  uint8_t* m = buf_->qblocks.data();
  for (size_t k = 0; k < d; ++k) m[tb + k * kB + tl] = m[fb + k * kB + fl];
  buf_->scales[to] = buf_->scales[from];
  std::memcpy(buf_->rows.data() + size_t{to} * d, buf_->rows.data() + size_t{from} * d, d * sizeof(float));
}

void GroupStore::Publish(uint32_t count, uint32_t skip) {
  auto* v = new GroupView;
  v->fblocks = buf_->fblocks.data();
  v->qblocks = buf_->qblocks.data();
  v->scales = buf_->scales.data();
  v->rows = buf_->rows.data();
  v->ids = buf_->ids.data();
  v->count = count;
  v->skip = skip;
  v->quant_error = quant_error_;
  v->max_norm = max_norm_;
  const GroupView* old = view_.exchange(v, std::memory_order_acq_rel);
  if (old != nullptr) retired_views_.push_back(old);
  if (retired_views_.size() > kMaxRetiredViews || !retired_buffers_.empty()) Synchronize();
}

void GroupStore::Synchronize() {
  std::vector<const GroupView*> views = std::move(retired_views_);
  std::vector<std::unique_ptr<Buffers>> bufs = std::move(retired_buffers_);
  retired_views_.clear();
  retired_buffers_.clear();
  epoch_.Synchronize();
  for (const GroupView* v : views) delete v;
  tail_needs_grace_ = false;  // every reader of a longer view is gone too
}

void GroupStore::AppendNew(int64_t face_id, const float* f) {
  if (tail_needs_grace_) Synchronize();
  WriteSlot(count_, face_id, f);
  slot_of_[face_id] = count_;
  ++count_;
}

void GroupStore::RewriteSlot(uint32_t slot, int64_t face_id, const float* f) {
  const uint32_t visible = view_.load(std::memory_order_relaxed)->count;
  if (slot >= visible) {  // not visible yet (inside a bulk): write directly
    WriteSlot(slot, face_id, f);
    return;
  }
  Publish(visible, slot);
  Synchronize();
  WriteSlot(slot, face_id, f);
  Publish(visible, kNoSkip);
}

Result<bool> GroupStore::Upsert(int64_t face_id, const float* feature) {
  MutexLock lock(&mu_);
  if (dropped_) return false;
  auto it = slot_of_.find(face_id);
  if (it != slot_of_.end()) {
    RewriteSlot(it->second, face_id, feature);
    Account();
    return true;
  }
  if (!EnsureCapacity(count_ + 1)) return Status::Internal("out of memory growing group");
  AppendNew(face_id, feature);
  Publish(count_, kNoSkip);
  Account();
  return true;
}

Result<bool> GroupStore::BulkUpsert(std::span<const int64_t> face_ids, const float* features) {
  MutexLock lock(&mu_);
  if (dropped_) return false;
  const size_t d = static_cast<size_t>(dim_);
  if (count_ + face_ids.size() >= UINT32_MAX - kB) return Status::InvalidArgument("group too large");
  if (!EnsureCapacity(static_cast<uint32_t>(count_ + face_ids.size()))) {
    return Status::Internal("out of memory growing group");
  }
  slot_of_.reserve(count_ + face_ids.size());
  for (size_t i = 0; i < face_ids.size(); ++i) {
    const float* f = features + i * d;
    auto it = slot_of_.find(face_ids[i]);
    if (it != slot_of_.end()) {
      RewriteSlot(it->second, face_ids[i], f);
    } else {
      AppendNew(face_ids[i], f);
    }
  }
  Publish(count_, kNoSkip);
  Account();
  return true;
}

bool GroupStore::Remove(int64_t face_id) {
  MutexLock lock(&mu_);
  auto it = slot_of_.find(face_id);
  if (it == slot_of_.end()) return false;
  const uint32_t slot = it->second, last = count_ - 1;
  slot_of_.erase(it);
  if (slot != last) {
    Publish(count_, slot);
    Synchronize();
    MoveSlot(last, slot);
    slot_of_[buf_->ids[slot]] = slot;
  }
  --count_;
  Publish(count_, kNoSkip);
  tail_needs_grace_ = true;  // readers of the longer view may still read slot `last`
  Account();
  return true;
}

Status GroupStore::Reserve(size_t slots) {
  MutexLock lock(&mu_);
  if (slots >= UINT32_MAX - kB) return Status::InvalidArgument("group too large");
  if (!EnsureCapacity(static_cast<uint32_t>(slots))) return Status::Internal("out of memory growing group");
  Account();
  return Status::OK();
}

void GroupStore::MarkDropped() {
  MutexLock lock(&mu_);
  dropped_ = true;
  Account();  // a dropped group counts for nothing, though readers may still hold it
}

void GroupStore::Account() {
  const int64_t rows = dropped_ ? 0 : int64_t{count_};
  const int64_t bytes = dropped_ ? 0 : static_cast<int64_t>(MemoryBytesLocked());
  if (gauges_.bindings) gauges_.bindings->Add(rows - accounted_rows_);
  if (gauges_.memory_bytes) gauges_.memory_bytes->Add(bytes - accounted_bytes_);
  accounted_rows_ = rows;
  accounted_bytes_ = bytes;
}

size_t GroupStore::MemoryBytes() const {
  MutexLock lock(&mu_);
  return MemoryBytesLocked();
}

size_t GroupStore::MemoryBytesLocked() const {
  size_t b = buf_->fblocks.bytes() + buf_->qblocks.bytes() + buf_->scales.bytes() + buf_->rows.bytes() +
             buf_->ids.bytes();
  // unordered_map: one node (key, value, next, cached hash) plus one bucket pointer per entry.
  b += slot_of_.size() * (sizeof(void*) * 2 + sizeof(std::pair<const int64_t, uint32_t>) + 8) +
       slot_of_.bucket_count() * sizeof(void*);
  return b;
}

}  // namespace facepass::index
