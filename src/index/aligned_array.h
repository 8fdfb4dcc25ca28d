// Owning, 64-byte aligned (2 MiB for large sizes, mapped directly) array of
// trivially copyable T.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace facepass::index {

template <typename T>
class AlignedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  AlignedArray() = default;
  explicit AlignedArray(size_t n, bool huge_pages = false) { Allocate(n, huge_pages); }
  ~AlignedArray() { Release(); }
  AlignedArray(const AlignedArray&) = delete;
  AlignedArray& operator=(const AlignedArray&) = delete;
  AlignedArray(AlignedArray&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), mapped_(std::exchange(o.mapped_, 0)) {}
  AlignedArray& operator=(AlignedArray&& o) noexcept {
    if (this != &o) {
      Release();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      mapped_ = std::exchange(o.mapped_, 0);
    }
    return *this;
  }

  // Returns false when out of memory. Contents are zeroed. huge_pages asks for
  // transparent huge pages on large arrays (fewer TLB misses when streaming; the
  // first touch may wait for the kernel to compact memory).
  bool Allocate(size_t n, bool huge_pages = false) {
    Release();
    if (n == 0) return true;
    constexpr size_t kHuge = size_t{2} << 20;
    size_t bytes = n * sizeof(T);
    if (bytes >= kHuge) {
      // Fresh anonymous pages read as zero, so no memset: clearing them
      // faulted in every page up front, a quarter of a 1M-face start-up's CPU,
      // and the writes that follow touch each page anyway.
      bytes = (bytes + kHuge - 1) / kHuge * kHuge;
      void* m = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) return false;
      // Trim to a 2 MiB-aligned run of `bytes`.
      const uintptr_t start = reinterpret_cast<uintptr_t>(m);
      const uintptr_t aligned = (start + kHuge - 1) / kHuge * kHuge;
      if (aligned > start) munmap(m, aligned - start);
      if (const size_t tail = start + bytes + kHuge - (aligned + bytes); tail > 0)
        munmap(reinterpret_cast<void*>(aligned + bytes), tail);
      void* p = reinterpret_cast<void*>(aligned);
      if (huge_pages) madvise(p, bytes, MADV_HUGEPAGE);
      data_ = static_cast<T*>(p);
      mapped_ = bytes;
    } else {
      bytes = (bytes + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, bytes);
      if (p == nullptr) return false;
      std::memset(p, 0, bytes);
      data_ = static_cast<T*>(p);
    }
    size_ = n;
    return true;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  size_t bytes() const { return size_ * sizeof(T); }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

 private:
  void Release() {
    if (mapped_ > 0) munmap(data_, mapped_);
    else std::free(data_);
    data_ = nullptr;
    size_ = 0;
    mapped_ = 0;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // bytes of an mmap'd array (large ones), 0 for aligned_alloc
};

}  // namespace facepass::index
