// Bounds how many large pictures are decoded and analysed at once (issue 13,
// finding 6): a 4096x4096 upload costs ~240 MB while it is analysed, so many
// at once (more workers, multi-track recognise, compare) could take the
// process's memory. Pictures up to `min_area` pixels pass without waiting.
#pragma once

#include <condition_variable>
#include <cstdint>

#include "common/thread_annotations.h"

namespace facepass::vision {

class DecodeGate {
 public:
  // slots >= 1 large pictures at once; larger is any with width x height > min_area.
  DecodeGate(int slots, int64_t min_area) : slots_(slots < 1 ? 1 : slots), min_area_(min_area) {}

  // Held while the picture's pixels live; releases its slot when destroyed.
  class Pass {
   public:
    Pass(Pass&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    Pass& operator=(Pass&&) = delete;
    ~Pass();
    bool counted() const { return gate_ != nullptr; }  // took a slot (a large picture)

   private:
    friend class DecodeGate;
    explicit Pass(DecodeGate* g) : gate_(g) {}
    DecodeGate* gate_;
  };

  // Waits for a slot when the picture is large; never for a small one.
  Pass Enter(int64_t area) EXCLUDES(mu_);

  int in_use() const EXCLUDES(mu_);
  int64_t min_area() const { return min_area_; }

 private:
  void Leave() EXCLUDES(mu_);

  const int slots_;
  const int64_t min_area_;
  mutable Mutex mu_;
  std::condition_variable_any cv_;
  int in_use_ GUARDED_BY(mu_) = 0;
};

}  // namespace facepass::vision
