// Plain C++ build of kernels.h, used only when Highway is not available.
// Same FMA chains (std::fma) as the SIMD version, so results are identical; slower.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "index/kernels.h"

namespace facepass::index::kernels {

#include "index/scalar_kernels-inl.h"

float BlockRowF32(const float* block, size_t dim, size_t lane, const float* q) {
  return ScalarBlockRowF32(block, dim, lane, q);
}

float BlockRowI8(const uint8_t* block, float scale, size_t dim, size_t lane, const float* q) {
  return ScalarBlockRowI8(block, scale, dim, lane, q);
}

float DotF32(const float* a, const float* b, size_t dim) { return ScalarDotF32(a, b, dim); }

void ScoreF32(const float* blocks, size_t nblocks, size_t dim, const float* queries, size_t qstride, size_t nq,
              float* out, size_t out_stride) {
  for (size_t j = 0; j < nq; ++j)
    for (size_t r = 0; r < nblocks * kBlockRows; ++r)
      out[j * out_stride + r] =
          BlockRowF32(blocks + (r / kBlockRows) * kBlockRows * dim, dim, r % kBlockRows, queries + j * qstride);
}

void ScoreI8(const uint8_t* blocks, const float* scales, size_t nblocks, size_t dim, const float* queries,
             size_t qstride, size_t nq, float* out, size_t out_stride) {
  for (size_t j = 0; j < nq; ++j)
    for (size_t r = 0; r < nblocks * kBlockRows; ++r)
      out[j * out_stride + r] = BlockRowI8(blocks + (r / kBlockRows) * kBlockRows * dim, scales[r], dim,
                                           r % kBlockRows, queries + j * qstride);
}

bool Int8QuantizesQueries(size_t) { return false; }

const char* TargetName() { return "portable (no Highway)"; }

}  // namespace facepass::index::kernels
