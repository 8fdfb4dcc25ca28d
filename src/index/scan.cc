// Scan strategy: the full blocks of the view are cut into one slice per thread;
// each slice is processed in cache-sized chunks (one kernel call scores a chunk
// against every query), and the partially filled tail block and the block holding
// the `skip` slot are scored lane by lane so that no reader touches a slot a
// writer may be rewriting. int8 views keep, per query, every row whose
// approximate score could still reach the exact top-k (bounded error margin) and
// re-score those rows from the float copy at the end.
#include "index/scan.h"

#include <algorithm>
#include <atomic>
#include <new>
#include <cmath>
#include <utility>

#include "index/kernels.h"
#include "index/top_k.h"

namespace facepass::index {

namespace {

constexpr size_t kB = kernels::kBlockRows;
// Bytes of matrix scored per kernel call: small enough to stay in L2 while every
// query of a batch passes over it; single queries stream, so larger chunks only
// save per-call overhead.
size_t ChunkBytes(size_t nq) { return nq <= 2 ? 1024 * 1024 : 128 * 1024; }

struct QueryState {
  explicit QueryState(int k) : top(k) {}
  TopK top;  // exact (float32) or approximate with slot as id (int8)
  std::vector<std::pair<float, uint32_t>> cands;  // int8: (approx score, slot)
};

class Slice {
 public:
  Slice(const GroupView& v, const ScanParams& p, const float* queries, size_t nq,
        const std::vector<float>& margins)
      : v_(v), p_(p), d_(static_cast<size_t>(p.dim)), queries_(queries), nq_(nq), margins_(margins) {
    states_.reserve(nq);
    for (size_t j = 0; j < nq; ++j) states_.emplace_back(p.k);
  }

  std::vector<QueryState>& states() { return states_; }

  // Scores full blocks [b0, b1) with the SIMD kernels.
  void Blocks(size_t b0, size_t b1) {
    const bool i8 = p_.storage == Storage::kInt8Rerank;
    const size_t block_bytes = kB * d_ * (i8 ? 1 : 4);
    const size_t chunk = std::max<size_t>(1, ChunkBytes(nq_) / block_bytes);
    const size_t stride = chunk * kB;
    scores_.resize(nq_ * stride);
    for (size_t c0 = b0; c0 < b1; c0 += chunk) {
      const size_t nb = std::min(chunk, b1 - c0);
      if (i8) {
        kernels::ScoreI8(v_.qblocks + c0 * kB * d_, v_.scales + c0 * kB, nb, d_, queries_, d_, nq_,
                         scores_.data(), stride);
      } else {
        kernels::ScoreF32(v_.fblocks + c0 * kB * d_, nb, d_, queries_, d_, nq_, scores_.data(), stride);
      }
      for (size_t j = 0; j < nq_; ++j) Consume(j, scores_.data() + j * stride, c0 * kB, nb * kB);
    }
  }

  // Scores lanes [l0, l1) of block b one row at a time, leaving out slot `skip`.
  void Lanes(size_t b, size_t l0, size_t l1, uint32_t skip) {
    for (size_t l = l0; l < l1; ++l) {
      const uint32_t slot = static_cast<uint32_t>(b * kB + l);
      if (slot == skip) continue;
      for (size_t j = 0; j < nq_; ++j) {
        const float* q = queries_ + j * d_;
        float s = p_.storage == Storage::kInt8Rerank
                      ? kernels::BlockRowI8(v_.qblocks + b * kB * d_, v_.scales[slot], d_, l, q)
                      : kernels::BlockRowF32(v_.fblocks + b * kB * d_, d_, l, q);
        Offer(j, slot, s);
      }
    }
  }

 private:
  float Cutoff(size_t j) const {
    const QueryState& st = states_[j];
    return p_.storage == Storage::kInt8Rerank ? st.top.threshold() - margins_[j] : st.top.threshold();
  }

  void Consume(size_t j, const float* s, size_t slot0, size_t n) {
    float cut = Cutoff(j);
    for (size_t i = 0; i < n; i += kB) {
      // Cheap reject of 16 scores at a time (vectorised by the compiler).
      float mx = s[i];
      for (size_t l = 1; l < kB; ++l) mx = std::max(mx, s[i + l]);
      if (mx < cut) continue;
      for (size_t l = 0; l < kB; ++l) {
        if (s[i + l] >= cut) {
          Offer(j, static_cast<uint32_t>(slot0 + i + l), s[i + l]);
          cut = Cutoff(j);
        }
      }
    }
  }

  void Offer(size_t j, uint32_t slot, float s) {
    QueryState& st = states_[j];
    if (p_.storage == Storage::kFloat32) {
      if (s >= st.top.threshold()) st.top.Push(v_.ids[slot], s);
      return;
    }
    if (s < st.top.threshold() - margins_[j]) return;
    st.cands.emplace_back(s, slot);
    st.top.Push(slot, s);
    if (st.cands.size() >= 4096 + 4 * static_cast<size_t>(p_.k)) Prune(st, margins_[j]);
  }

  static void Prune(QueryState& st, float margin) {
    const float cut = st.top.threshold() - margin;
    std::erase_if(st.cands, [cut](const auto& c) { return c.first < cut; });
    if (st.cands.capacity() > 4 * st.cands.size() + 8192) st.cands.shrink_to_fit();
  }

  const GroupView& v_;
  const ScanParams& p_;
  const size_t d_;
  const float* queries_;
  const size_t nq_;
  const std::vector<float>& margins_;
  std::vector<QueryState> states_;
  std::vector<float> scores_;
};

// Bound on |approx - exact| for one query, doubled: a row can be in the exact
// top-k only if approx >= (k-th best approx) - margin.
// approx = q' . x' with x' = dequantised row (||x - x'|| <= e) and, on the VNNI
// path, q' = dequantised query (||q - q'|| <= eq; else q' = q), so
// |q.x - q'.x'| <= ||q|| e + eq (||x|| + e). Float rounding: the exact score is a
// d-term FMA chain (gamma_d ||q|| ||x||); the approximate one is either such a
// chain or an exact integer sum, plus up to two multiplications (2u relative).
float Margin(const GroupView& v, size_t d, const float* q, bool quantized_query) {
  double qn = 0;
  for (size_t k = 0; k < d; ++k) qn += double{q[k]} * q[k];
  qn = std::sqrt(qn);
  double eq = 0;
  if (quantized_query) {
    std::vector<int8_t> tmp(d);
    float scale;
    eq = kernels::Quantize(q, d, tmp.data(), &scale);
  }
  const double u = std::ldexp(1.0, -24);
  const double gamma = d * u / (1 - d * u);
  const double xn = v.max_norm, e = v.quant_error;
  const double one_side = qn * e + eq * (xn + e) + gamma * qn * (2 * xn + e) + 4 * u * (qn + eq) * (xn + e);
  return static_cast<float>(2 * one_side * 1.01 + 1e-7);
}

}  // namespace

std::vector<std::vector<Match>> ScanView(const GroupView& v, const ScanParams& p, const float* queries,
                                         size_t nq) {
  const size_t d = static_cast<size_t>(p.dim);
  const bool i8 = p.storage == Storage::kInt8Rerank;
  std::vector<float> margins(nq, 0.0f);
  if (i8) {
    const bool qq = kernels::Int8QuantizesQueries(d);
    for (size_t j = 0; j < nq; ++j) margins[j] = Margin(v, d, queries + j * d, qq);
  }
  const size_t full_blocks = v.count / kB, tail = v.count % kB;
  const size_t skip_block = v.skip == kNoSkip ? SIZE_MAX : v.skip / kB;

  size_t nslices = 1;
  if (p.pool != nullptr && v.count >= p.parallel_min_rows) {
    nslices = std::min<size_t>(static_cast<size_t>(p.pool->workers()) + 1, std::max<size_t>(1, full_blocks));
  }
  std::vector<Slice> slices;
  slices.reserve(nslices);
  for (size_t i = 0; i < nslices; ++i) slices.emplace_back(v, p, queries, nq, margins);

  auto scan_slice = [&](size_t i) {
    Slice& s = slices[i];
    size_t b0 = full_blocks * i / nslices, b1 = full_blocks * (i + 1) / nslices;
    if (skip_block >= b0 && skip_block < b1) {
      s.Blocks(b0, skip_block);
      s.Lanes(skip_block, 0, kB, v.skip);
      s.Blocks(skip_block + 1, b1);
    } else {
      s.Blocks(b0, b1);
    }
    if (i == nslices - 1 && tail > 0) s.Lanes(full_blocks, 0, tail, v.skip);
  };
  std::atomic<bool> failed{false};
  auto run = [&](size_t i) {
    try {
      scan_slice(i);
    } catch (const std::bad_alloc&) {
      failed.store(true);  // pool threads must not throw; rethrown on the caller below
    }
  };
  if (nslices == 1) {
    scan_slice(0);
  } else {
    p.pool->ParallelFor(nslices, run);
    if (failed.load()) throw std::bad_alloc();
  }

  std::vector<std::vector<Match>> out(nq);
  for (size_t j = 0; j < nq; ++j) {
    TopK best(p.k);
    if (!i8) {
      for (Slice& s : slices) best.Merge(s.states()[j].top);
      out[j] = best.Take();
      continue;
    }
    TopK approx(p.k);
    for (Slice& s : slices) approx.Merge(s.states()[j].top);
    const float cut = approx.threshold() - margins[j];
    const float* q = queries + j * d;
    for (Slice& s : slices) {
      for (const auto& [score, slot] : s.states()[j].cands) {
        if (score < cut) continue;
        best.Push(v.ids[slot], kernels::DotF32(v.rows + size_t{slot} * d, q, d));
      }
    }
    out[j] = best.Take();
  }
  return out;
}

}  // namespace facepass::index
