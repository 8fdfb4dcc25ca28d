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

#include <cstddef>
#include <cstdint>

namespace facepass::index::kernels {

inline constexpr size_t kBlockRows = 16;

// Scores nblocks float blocks against nq queries (query j at queries + j*qstride).
// Writes out[j * out_stride + row] for row in [0, nblocks*16).
void ScoreF32(const float* blocks, size_t nblocks, size_t dim, const float* queries, size_t qstride,
              size_t nq, float* out, size_t out_stride);

// Same for int8 blocks; the score of row r is scales[r] * sum_k q[k] * x[k].
void ScoreI8(const int8_t* blocks, const float* scales, size_t nblocks, size_t dim, const float* queries,
             size_t qstride, size_t nq, float* out, size_t out_stride);

// Score of one row of a block (lane `lane`), reading only that row's elements.
float BlockRowF32(const float* block, size_t dim, size_t lane, const float* q);
float BlockRowI8(const int8_t* block, float scale, size_t dim, size_t lane, const float* q);

// Plain row-major dot product, same FMA chain as ScoreF32.
float DotF32(const float* a, const float* b, size_t dim);

// Name of the SIMD target chosen at run time, e.g. "AVX3" or "AVX2".
const char* TargetName();

}  // namespace facepass::index::kernels
