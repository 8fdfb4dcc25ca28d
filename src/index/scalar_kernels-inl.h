// The scalar FMA chains of kernels.h, written once for both builds: kernels.cc
// includes this inside HWY_NAMESPACE, once per SIMD target, so each target's
// copy compiles std::fma as that target allows (one instruction with FMA), and
// kernels_portable.cc includes it once. Every copy computes the same correctly
// rounded chain, so the two builds stay bit-identical with the vector kernels.
//
// No include guard on purpose (Highway's -inl.h convention); include <cmath>,
// <cstddef>, <cstdint> and index/kernels.h (kBlockRows) first, inside a
// namespace of facepass::index::kernels.

inline float ScalarBlockRowF32(const float* block, size_t dim, size_t lane, const float* q) {
  float acc = 0.0f;
  for (size_t k = 0; k < dim; ++k) acc = std::fma(block[k * kBlockRows + lane], q[k], acc);
  return acc;
}

inline float ScalarBlockRowI8(const uint8_t* block, float scale, size_t dim, size_t lane, const float* q) {
  float acc = 0.0f;
  for (size_t k = 0; k < dim; ++k)
    acc = std::fma(static_cast<float>(int{block[k * kBlockRows + lane]} - 128), q[k], acc);
  return acc * scale;
}

inline float ScalarDotF32(const float* a, const float* b, size_t dim) {
  float acc = 0.0f;
  for (size_t k = 0; k < dim; ++k) acc = std::fma(a[k], b[k], acc);
  return acc;
}
