// Epoch-based reader protection (a small user-space RCU).
//
// Readers enter a critical section without ever blocking: they bump one of two
// counters chosen by the current epoch parity. A writer that wants to reuse or
// free memory that readers may still see calls Synchronize(): it flips the
// epoch and waits until every reader that entered under the old parity has
// left. Readers that enter after the flip use the other counter, so a writer
// waits for at most one reader critical section (one search), never forever.
// Writers must be serialised by the caller (one Synchronize at a time).
#pragma once

#include <atomic>
#include <cstdint>
#include <chrono>
#include <thread>

namespace facepass::index {

class EpochDomain {
 public:
  // RAII read-side critical section.
  class ReadGuard {
   public:
    explicit ReadGuard(const EpochDomain& d) : d_(d) {
      for (;;) {
        uint64_t e = d_.epoch_.load(std::memory_order_seq_cst);
        slot_ = static_cast<int>(e & 1);
        d_.readers_[slot_].v.fetch_add(1, std::memory_order_seq_cst);
        // If a writer flipped in between, our increment may be on the counter it
        // already drained: step back and retry under the new epoch.
        if (d_.epoch_.load(std::memory_order_seq_cst) == e) break;
        d_.readers_[slot_].v.fetch_sub(1, std::memory_order_release);
      }
    }
    ~ReadGuard() { d_.readers_[slot_].v.fetch_sub(1, std::memory_order_release); }
    ReadGuard(const ReadGuard&) = delete;
    ReadGuard& operator=(const ReadGuard&) = delete;

   private:
    const EpochDomain& d_;
    int slot_ = 0;
  };

  // Waits until every reader that could have observed state published before
  // this call has finished. Caller holds the writer lock.
  void Synchronize() {
    uint64_t e = epoch_.load(std::memory_order_relaxed);
    epoch_.store(e + 1, std::memory_order_seq_cst);
    int spins = 0;
    while (readers_[e & 1].v.load(std::memory_order_acquire) != 0) {
      if (++spins < 64) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
  }

 private:
  struct alignas(64) Counter {
    mutable std::atomic<int64_t> v{0};
  };
  mutable std::atomic<uint64_t> epoch_{0};
  Counter readers_[2];
};

}  // namespace facepass::index
