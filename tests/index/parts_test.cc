// Unit tests of the engine's building blocks: kernels, top-k order, epochs, pool.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "index/epoch.h"
#include "index/kernels.h"
#include "index/thread_pool.h"
#include "index/top_k.h"

namespace facepass::index {
namespace {

TEST(Kernels, BlockedScoresEqualRowDotBitForBit) {
  constexpr size_t kB = kernels::kBlockRows;
  for (size_t dim : {8u, 128u, 200u, 1024u}) {
    const size_t nblocks = 5;
    std::mt19937 rng(static_cast<unsigned>(dim));
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> rows(nblocks * kB * dim), blocked(rows.size());
    for (float& x : rows) x = u(rng);
    for (size_t r = 0; r < nblocks * kB; ++r)
      for (size_t k = 0; k < dim; ++k) blocked[(r / kB) * kB * dim + k * kB + r % kB] = rows[r * dim + k];
    for (size_t nq : {1u, 2u, 5u, 16u, 19u}) {
      std::vector<float> qs(nq * dim), out(nq * nblocks * kB);
      for (float& x : qs) x = u(rng);
      kernels::ScoreF32(blocked.data(), nblocks, dim, qs.data(), dim, nq, out.data(), nblocks * kB);
      for (size_t j = 0; j < nq; ++j)
        for (size_t r = 0; r < nblocks * kB; ++r) {
          const float want = kernels::DotF32(rows.data() + r * dim, qs.data() + j * dim, dim);
          ASSERT_EQ(out[j * nblocks * kB + r], want) << "dim " << dim << " nq " << nq << " row " << r;
          ASSERT_EQ(kernels::BlockRowF32(blocked.data() + (r / kB) * kB * dim, dim, r % kB, qs.data() + j * dim),
                    want);
        }
    }
  }
  EXPECT_NE(std::string(kernels::TargetName()), "");
}

TEST(Kernels, Int8ScoresWithinQueryQuantisationBound) {
  constexpr size_t kB = kernels::kBlockRows;
  for (size_t dim : {64u, 130u}) {  // 130: not a multiple of 4 (no VNNI path)
    const size_t nblocks = 3;
    std::mt19937 rng(5);
    std::vector<uint8_t> blocked(nblocks * kB * dim);
    std::vector<float> scales(nblocks * kB), q(2 * dim), out(2 * nblocks * kB);
    for (auto& x : blocked) x = static_cast<uint8_t>(1 + rng() % 255);  // x + 128, x in [-127, 127]
    for (auto& s : scales) s = static_cast<float>(rng() % 100) / 1000.0f;
    for (auto& x : q) x = static_cast<float>(rng() % 200) / 100.0f - 1.0f;
    kernels::ScoreI8(blocked.data(), scales.data(), nblocks, dim, q.data(), dim, 2, out.data(), nblocks * kB);
    for (size_t j = 0; j < 2; ++j) {
      std::vector<int8_t> tmp(dim);
      float qs;
      const float eq = kernels::Quantize(q.data() + j * dim, dim, tmp.data(), &qs);
      const bool quantised = kernels::Int8QuantizesQueries(dim);
      EXPECT_EQ(quantised, dim % 4 == 0 && std::string(kernels::TargetName()) == "AVX3_DL");
      for (size_t r = 0; r < nblocks * kB; ++r) {
        const uint8_t* blk = blocked.data() + (r / kB) * kB * dim;
        const float want = kernels::BlockRowI8(blk, scales[r], dim, r % kB, q.data() + j * dim);
        double xn = 0;
        for (size_t k = 0; k < dim; ++k) {
          const double x = (int{blk[k * kB + r % kB]} - 128) * double{scales[r]};
          xn += x * x;
        }
        const double tol = (quantised ? eq * std::sqrt(xn) : 0) + 1e-4 * (1 + std::fabs(want));
        EXPECT_NEAR(out[j * nblocks * kB + r], want, tol) << "dim " << dim << " row " << r;
      }
    }
  }
}

TEST(TopK, OrderAndTies) {
  TopK t(3);
  t.Push(9, 0.5f);
  t.Push(4, 0.9f);
  t.Push(7, 0.5f);
  t.Push(2, 0.5f);  // ties with 9 and 7: lower ids win
  t.Push(1, 0.1f);
  auto v = t.Take();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], (Match{4, 0.9f}));
  EXPECT_EQ(v[1], (Match{2, 0.5f}));
  EXPECT_EQ(v[2], (Match{7, 0.5f}));
}

TEST(Epoch, SynchronizeWaitsForReaders) {
  EpochDomain d;
  std::atomic<bool> in{false}, release{false}, synced{false};
  std::thread reader([&] {
    EpochDomain::ReadGuard g(d);
    in = true;
    while (!release) std::this_thread::yield();
  });
  while (!in) std::this_thread::yield();
  std::thread writer([&] {
    d.Synchronize();
    synced = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(synced.load());
  // A reader entering now must not block, and must not hold up the writer.
  { EpochDomain::ReadGuard g2(d); }
  release = true;
  reader.join();
  writer.join();
  EXPECT_TRUE(synced.load());
}

TEST(ThreadPool, RunsEveryIndexOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(100);
  for (int round = 0; round < 20; ++round) pool.ParallelFor(hits.size(), [&](size_t i) { hits[i]++; });
  for (auto& h : hits) EXPECT_EQ(h.load(), 20);
}

}  // namespace
}  // namespace facepass::index
