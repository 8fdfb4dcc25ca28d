// Plain C++ build of kernels.h, used only when Highway is not available.
// Same FMA chains (std::fma) as the SIMD version, so results are identical; slower.
#include <cmath>

#include "index/kernels.h"

namespace facepass::index::kernels {

float BlockRowF32(const float* block, size_t dim, size_t lane, const float* q) {
  float acc = 0.0f;
  for (size_t k = 0; k < dim; ++k) acc = std::fma(block[k * kBlockRows + lane], q[k], acc);
  return acc;
}

float BlockRowI8(const uint8_t* block, float scale, size_t dim, size_t lane, const float* q) {
  float acc = 0.0f;
  for (size_t k = 0; k < dim; ++k)
    acc = std::fma(static_cast<float>(int{block[k * kBlockRows + lane]} - 128), q[k], acc);
  return acc * scale;
}

float DotF32(const float* a, const float* b, size_t dim) {
  float acc = 0.0f;
  for (size_t k = 0; k < dim; ++k) acc = std::fma(a[k], b[k], acc);
  return acc;
}

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
