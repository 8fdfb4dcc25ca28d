// Owning, 64-byte aligned (2 MiB for large sizes) array of trivially copyable T.
#pragma once

#include <sys/mman.h>

#include <cstddef>
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
  ~AlignedArray() { std::free(data_); }
  AlignedArray(const AlignedArray&) = delete;
  AlignedArray& operator=(const AlignedArray&) = delete;
  AlignedArray(AlignedArray&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  AlignedArray& operator=(AlignedArray&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }

  // Returns false when out of memory. Contents are zeroed. huge_pages asks for
  // transparent huge pages on large arrays (fewer TLB misses when streaming; the
  // first touch may wait for the kernel to compact memory).
  bool Allocate(size_t n, bool huge_pages = false) {
    std::free(data_);
    data_ = nullptr;
    size_ = 0;
    if (n == 0) return true;
    size_t bytes = n * sizeof(T);
    constexpr size_t kHuge = size_t{2} << 20;
    size_t align = bytes >= kHuge ? kHuge : 64;
    bytes = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, bytes);
    if (p == nullptr) return false;
    if (align == kHuge && huge_pages) madvise(p, bytes, MADV_HUGEPAGE);
    std::memset(p, 0, bytes);
    data_ = static_cast<T*>(p);
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
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace facepass::index
