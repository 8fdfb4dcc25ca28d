// Searches running while other threads bind, unbind, rewrite and drop groups.
// Run once under TSan: cmake -DFACEPASS_SANITIZE=thread (see docs/performance.md).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "index/face_index.h"
#include "index/kernels.h"
#include "test_util.h"

namespace facepass::index {
namespace {

using testing::RandomUnit;

constexpr int kDim = 128;
constexpr int64_t kStable = 600;         // ids [0, kStable): always bound
constexpr int64_t kChurn = 600;          // ids [1000, 1000 + kChurn): bound and unbound
constexpr int64_t kGroup = 10, kOther = 11;

void RunChurn(Storage storage) {
  IndexOptions o{.dim = kDim, .threads = 2, .storage = storage, .parallel_min_rows = 256};
  FaceIndex idx(o);
  std::mt19937_64 rng(99);
  std::vector<std::vector<float>> stable, churn_a, churn_b;
  for (int64_t i = 0; i < kStable; ++i) stable.push_back(RandomUnit(rng, kDim));
  for (int64_t i = 0; i < kChurn; ++i) {
    churn_a.push_back(RandomUnit(rng, kDim));
    churn_b.push_back(RandomUnit(rng, kDim));
  }
  for (int64_t i = 0; i < kStable; ++i) ASSERT_TRUE(idx.Add(kGroup, i, stable[i]).ok());

  std::atomic<bool> stop{false};
  std::atomic<int64_t> searches{0}, writes{0};
  std::atomic<int> failures{0};
  auto fail = [&](const char* what) {
    if (failures.fetch_add(1) < 5) ADD_FAILURE() << what;
  };

  auto searcher = [&](int seed) {
    std::mt19937_64 r(seed);
    while (!stop.load()) {
      const int64_t i = static_cast<int64_t>(r() % kStable);
      const auto& q = stable[i];
      auto res = idx.Search(kGroup, q, 5);
      if (!res.ok() || res->size() != 5) {
        fail("search failed or short");
        continue;
      }
      if ((*res)[0].face_id != i || (*res)[0].score != kernels::DotF32(q.data(), q.data(), kDim)) {
        fail("stable face is not its own best match");
      }
      std::set<int64_t> seen;
      for (size_t n = 0; n < res->size(); ++n) {
        const Match& m = (*res)[n];
        if (!seen.insert(m.face_id).second) fail("duplicate id in result");
        if (n > 0 && (*res)[n - 1].score < m.score) fail("result not sorted");
        // The score must be that of a feature the id really had (no torn rows).
        float want_a, want_b;
        if (m.face_id >= 0 && m.face_id < kStable) {
          want_a = want_b = kernels::DotF32(stable[m.face_id].data(), q.data(), kDim);
        } else if (m.face_id >= 1000 && m.face_id < 1000 + kChurn) {
          want_a = kernels::DotF32(churn_a[m.face_id - 1000].data(), q.data(), kDim);
          want_b = kernels::DotF32(churn_b[m.face_id - 1000].data(), q.data(), kDim);
        } else {
          fail("unknown face id");
          continue;
        }
        if (m.score != want_a && m.score != want_b) fail("score of a torn or stale row");
      }
      searches.fetch_add(1);
    }
  };

  auto binder = [&](int seed) {
    std::mt19937_64 r(seed);
    while (!stop.load()) {
      const int64_t c = static_cast<int64_t>(r() % kChurn);
      const int op = static_cast<int>(r() % 4);
      if (op == 0) {
        idx.Remove(kGroup, 1000 + c);
      } else {
        const auto& v = op == 1 ? churn_a[c] : churn_b[c];  // bind or rewrite
        if (!idx.Add(kGroup, 1000 + c, v).ok()) fail("add failed");
      }
      writes.fetch_add(1);
    }
  };

  auto group_flipper = [&] {
    int n = 0;
    while (!stop.load()) {
      if (!idx.Add(kOther, n % 50, stable[n % kStable]).ok()) fail("add other failed");
      if (++n % 40 == 0) idx.DropGroup(kOther);
      (void)idx.Search(kOther, stable[0], 1);
    }
  };

  std::vector<std::thread> ts;
  ts.emplace_back(searcher, 1);
  ts.emplace_back(searcher, 2);
  ts.emplace_back(binder, 3);
  ts.emplace_back(binder, 4);
  ts.emplace_back(group_flipper);
  // Stop on progress rather than time so that slow (sanitised) builds still do work.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  while ((searches.load() < 300 || writes.load() < 3000) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop.store(true);
  for (auto& t : ts) t.join();
  std::printf("searches=%lld writes=%lld\n", (long long)searches.load(), (long long)writes.load());
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(searches.load(), 0);
  EXPECT_GT(writes.load(), 0);

  // Quiescent state must equal what the stable faces plus bound churn faces say.
  size_t n = idx.GroupSize(kGroup);
  EXPECT_GE(n, static_cast<size_t>(kStable));
  EXPECT_LE(n, static_cast<size_t>(kStable + kChurn));
}

TEST(IndexConcurrency, SearchWhileBindingFloat32) { RunChurn(Storage::kFloat32); }
TEST(IndexConcurrency, SearchWhileBindingInt8) { RunChurn(Storage::kInt8Rerank); }

}  // namespace
}  // namespace facepass::index
