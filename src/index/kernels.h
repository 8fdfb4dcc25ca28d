// SIMD scoring kernels with runtime dispatch (Highway: AVX-512, AVX2, SSE4, scalar).
//
// Storage layout ("blocked"): rows are grouped in blocks of kBlockRows; inside a
// block the matrix is stored dimension-major, element (row r, dim k) of block b at
// b * kBlockRows * dim + k * kBlockRows + r. One vector load then holds the same
// dimension of 16 rows, so 16 dot products accumulate in one register with no
// horizontal sums, and one load serves every query of a batch.
//
// Every score is a single fused-multiply-add chain over k = 0..dim-1 starting at
// 0, so a given (row, query) pair yields the same bits in the vector kernels, the
// lane-wise tail path and DotF32 (on FMA targets). Ties are therefore exact ties.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace facepass::index::kernels {

inline constexpr size_t kBlockRows = 16;
inline constexpr size_t kMaxQuantDim = 4096;  // stack buffer size for callers of Quantize

// Scores nblocks float blocks against nq queries (query j at queries + j*qstride).
// Writes out[j * out_stride + row] for row in [0, nblocks*16).
void ScoreF32(const float* blocks, size_t nblocks, size_t dim, const float* queries, size_t qstride,
              size_t nq, float* out, size_t out_stride);

// Same for int8 blocks, stored offset by 128 (byte u = x + 128, x in [-127, 127]).
// The result approximates scales[r] * sum_k q[k] * x[k]: on CPUs with AVX-512 VNNI
// the query is itself quantised (QuantizeQuery) and the sum is computed in exact
// integers, so the deviation from the float-query value is bounded by
// QuantizeQuery's error times ||scale * x||, plus two float roundings.
void ScoreI8(const uint8_t* blocks, const float* scales, size_t nblocks, size_t dim, const float* queries,
             size_t qstride, size_t nq, float* out, size_t out_stride);

// Score of one row of a block (lane `lane`), reading only that row's elements.
float BlockRowF32(const float* block, size_t dim, size_t lane, const float* q);
float BlockRowI8(const uint8_t* block, float scale, size_t dim, size_t lane, const float* q);

// Plain row-major dot product, same FMA chain as ScoreF32.
float DotF32(const float* a, const float* b, size_t dim);

// Symmetric int8 quantisation used for stored rows and (VNNI path) queries:
// out[k] = round(v[k] / scale) with scale = max|v| / 127, halves away from zero.
// Returns an upper bound of ||v - scale * out||_2.
inline float Quantize(const float* v, size_t dim, int8_t* out, float* scale) {
  // Blocks of 8 independent lanes so the compiler can vectorise every loop.
  float amax[8] = {}, sq[8] = {};
  size_t k = 0;
  for (; k + 8 <= dim; k += 8)
    for (size_t j = 0; j < 8; ++j) amax[j] = std::max(amax[j], std::fabs(v[k + j]));
  for (; k < dim; ++k) amax[0] = std::max(amax[0], std::fabs(v[k]));
  const float mx = *std::max_element(amax, amax + 8);
  const float s = mx > 0 ? mx / 127.0f : 0.0f, inv = mx > 0 ? 127.0f / mx : 0.0f;
  auto one = [&](size_t i) {
    const float x = v[i] * inv;
    const float q = std::clamp(static_cast<float>(static_cast<int>(x + std::copysign(0.5f, x))), -127.0f, 127.0f);
    out[i] = static_cast<int8_t>(q);
    const float e = v[i] - s * q;
    return e * e;
  };
  for (k = 0; k + 8 <= dim; k += 8)
    for (size_t j = 0; j < 8; ++j) sq[j] += one(k + j);
  for (; k < dim; ++k) sq[0] += one(k);
  float e2 = 0;
  for (float e : sq) e2 += e;
  *scale = s;
  // The float evaluation of the error is itself rounded: pad the bound generously
  // (relative 1e-4 plus an absolute 1e-6, far above the rounding involved).
  return std::sqrt(e2) * (1 + 1e-4f) + 1e-6f;
}

// True when ScoreI8 quantises queries (AVX-512 VNNI path available and chosen).
bool Int8QuantizesQueries(size_t dim);

// Name of the SIMD target chosen at run time, e.g. "AVX3" or "AVX2".
const char* TargetName();

}  // namespace facepass::index::kernels
