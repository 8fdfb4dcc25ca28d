// The three kinds of sample a registry exports. Each is a few atomics, so
// recording never takes a lock and never waits for a scrape.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace facepass::metrics {

// Only goes up (requests served, bytes sent).
class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Goes up and down (queue depth, bindings, bytes held). Integers only: every
// gauge here counts something.
class Gauge {
 public:
  void Set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Observations counted into fixed buckets (upper bounds, ascending, +Inf
// implied) plus their sum.
class Histogram {
 public:
  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
  };

  // `bounds`: strictly ascending, finite; shared by every child of a family.
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);

  void Observe(double v);
  // Cumulative counts; the +Inf bucket is the sum of the buckets read, so it
  // always equals the count even while observations race with the read.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

}  // namespace facepass::metrics
