// Highway implementation of kernels.h; compiled once per SIMD target.
// AVX3_DL (AVX-512 VNNI/VBMI: Ice Lake, Zen 4) is opt-in in Highway 1.0.
#ifndef HWY_WANT_AVX3_DL
#define HWY_WANT_AVX3_DL
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "index/kernels.cc"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "index/kernels.h"

HWY_BEFORE_NAMESPACE();
namespace facepass::index::kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using DF = hn::CappedTag<float, kBlockRows>;
constexpr size_t kLanes = hn::MaxLanes(DF());
constexpr size_t kVecsPerBlock = kBlockRows / kLanes;  // row-vectors per block
static_assert(kBlockRows % kLanes == 0);

// Loads dimension k of row-vector `p` (a pointer into a block) as floats.
struct LoadF32 {
  HWY_INLINE hn::Vec<DF> operator()(const float* HWY_RESTRICT p, size_t k) const {
    return hn::LoadU(DF(), p + k * kBlockRows);
  }
};
struct LoadI8 {  // bytes hold x + 128
  HWY_INLINE hn::Vec<DF> operator()(const uint8_t* HWY_RESTRICT p, size_t k) const {
    const hn::Rebind<int32_t, DF> di;
    const hn::Rebind<uint8_t, DF> d8;
    return hn::ConvertTo(DF(), hn::Sub(hn::PromoteTo(di, hn::LoadU(d8, p + k * kBlockRows)), hn::Set(di, 128)));
  }
};

// R row-vectors x Q queries tile; acc[r][q] is one FMA chain per lane.
// `queries` is packed dimension-major: element (q, k) at queries[k * Q + q], so
// every broadcast is one base register plus a constant offset.
template <size_t R, size_t Q, class T, class Loader>
HWY_INLINE void Tile(const T* HWY_RESTRICT data, const float* HWY_RESTRICT scales, size_t rv0, size_t dim,
                     const float* HWY_RESTRICT queries, float* HWY_RESTRICT out, size_t out_stride) {
  const DF df;
  const Loader load;
  const T* p[R];
  size_t row[R];
#pragma GCC unroll 16
  for (size_t r = 0; r < R; ++r) {
    size_t rv = rv0 + r;
    size_t b = rv / kVecsPerBlock, c = rv % kVecsPerBlock;
    p[r] = data + b * kBlockRows * dim + c * kLanes;
    row[r] = b * kBlockRows + c * kLanes;
  }
  // Fully unrolled so that the R*Q accumulators live in registers.
  hn::Vec<DF> acc[R][Q];
#pragma GCC unroll 16
  for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (size_t q = 0; q < Q; ++q) acc[r][q] = hn::Zero(df);
  for (size_t k = 0; k < dim; ++k) {
    hn::Vec<DF> x[R];
#pragma GCC unroll 16
    for (size_t r = 0; r < R; ++r) x[r] = load(p[r], k);
#pragma GCC unroll 16
    for (size_t q = 0; q < Q; ++q) {
      const auto qb = hn::Set(df, queries[k * Q + q]);
#pragma GCC unroll 16
      for (size_t r = 0; r < R; ++r) acc[r][q] = hn::MulAdd(x[r], qb, acc[r][q]);
    }
  }
#pragma GCC unroll 16
  for (size_t r = 0; r < R; ++r) {
    const auto sc = scales != nullptr ? hn::LoadU(df, scales + row[r]) : hn::Set(df, 1.0f);
#pragma GCC unroll 16
    for (size_t q = 0; q < Q; ++q) {
      auto v = acc[r][q];
      if (scales != nullptr) v = hn::Mul(v, sc);
      hn::StoreU(v, df, out + q * out_stride + row[r]);
    }
  }
}

// Runs R x Q tiles over all row-vectors, then single-vector tiles for the rest.
template <size_t R, size_t Q, class T, class Loader>
HWY_NOINLINE void Sweep(const T* data, const float* scales, size_t nblocks, size_t dim, const float* queries,
                        size_t qstride, float* out, size_t out_stride) {
  // Pack the Q queries dimension-major (small: dim * Q floats).
  thread_local std::vector<float> packed;
  packed.resize(dim * Q);
  float* qp = packed.data();
  for (size_t q = 0; q < Q; ++q)
    for (size_t k = 0; k < dim; ++k) qp[k * Q + q] = queries[q * qstride + k];
  const size_t nrv = nblocks * kVecsPerBlock;
  size_t rv = 0;
  for (; rv + R <= nrv; rv += R) Tile<R, Q, T, Loader>(data, scales, rv, dim, qp, out, out_stride);
  for (; rv < nrv; ++rv) Tile<1, Q, T, Loader>(data, scales, rv, dim, qp, out, out_stride);
}

template <class T, class Loader>
HWY_INLINE void ScoreAll(const T* data, const float* scales, size_t nblocks, size_t dim, const float* queries,
                         size_t qstride, size_t nq, float* out, size_t out_stride) {
  // Accumulator budget: ~16 registers on AVX-512 (32 regs), ~8 on AVX2 (16 regs).
  constexpr bool kWide = kLanes >= 16;
  size_t j = 0;
  while (j < nq) {
    const float* q = queries + j * qstride;
    float* o = out + j * out_stride;
    size_t left = nq - j;
    if (kWide && left >= 16) {
      Sweep<1, 16, T, Loader>(data, scales, nblocks, dim, q, qstride, o, out_stride);
      j += 16;
    } else if (left >= 8) {
      Sweep<kWide ? 2 : 1, 8, T, Loader>(data, scales, nblocks, dim, q, qstride, o, out_stride);
      j += 8;
    } else if (left >= 4) {
      Sweep<kWide ? 4 : 2, 4, T, Loader>(data, scales, nblocks, dim, q, qstride, o, out_stride);
      j += 4;
    } else if (left >= 2) {
      Sweep<4, 2, T, Loader>(data, scales, nblocks, dim, q, qstride, o, out_stride);
      j += 2;
    } else {
      Sweep<8, 1, T, Loader>(data, scales, nblocks, dim, q, qstride, o, out_stride);
      j += 1;
    }
  }
}

void ScoreF32Impl(const float* blocks, size_t nblocks, size_t dim, const float* queries, size_t qstride,
                  size_t nq, float* out, size_t out_stride) {
  ScoreAll<float, LoadF32>(blocks, nullptr, nblocks, dim, queries, qstride, nq, out, out_stride);
}

#if HWY_TARGET == HWY_AVX3_DL
// VNNI: 16 rows x 4 dimensions are 64 consecutive bytes (dimension-major); one
// vpermb regroups them row-major so that vpdpbusd adds 4 byte products per row
// into the row's int32 lane. Queries are quantised to int8 (exact integer sums).
// Highway 1.0.3's AVX3_DL target string names "avxvnni" rather than "avx512vnni",
// so the VNNI functions add the features they use themselves.
#define FP_VNNI_ATTR \
  __attribute__((target("avx2,fma,avx512f,avx512vl,avx512dq,avx512bw,avx512vbmi,avx512vnni")))

struct VnniQuery {
  int32_t corr;  // 128 * sum of the quantised query (undoes the +128 storage offset)
  float scale;
};

template <size_t R, size_t Q>
FP_VNNI_ATTR inline __attribute__((always_inline)) void TileVnni(const uint8_t* HWY_RESTRICT data, const float* HWY_RESTRICT scales, size_t b0,
                         size_t dim, const int32_t* HWY_RESTRICT qp, const VnniQuery* qv, float* HWY_RESTRICT out,
                         size_t out_stride) {
  alignas(64) static constexpr uint8_t kIdx[64] = {
      0, 16, 32, 48, 1, 17, 33, 49, 2, 18, 34, 50, 3, 19, 35, 51, 4, 20, 36, 52, 5, 21, 37, 53,
      6, 22, 38, 54, 7, 23, 39, 55, 8, 24, 40, 56, 9, 25, 41, 57, 10, 26, 42, 58, 11, 27, 43, 59,
      12, 28, 44, 60, 13, 29, 45, 61, 14, 30, 46, 62, 15, 31, 47, 63};
  const __m512i perm = _mm512_load_si512(kIdx);
  __m512i acc[R][Q];
#pragma GCC unroll 16
  for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (size_t q = 0; q < Q; ++q) acc[r][q] = _mm512_setzero_si512();
  const uint8_t* p = data + b0 * kBlockRows * dim;
  const size_t block_bytes = kBlockRows * dim;
  for (size_t k4 = 0; k4 < dim / 4; ++k4) {
    __m512i x[R];
#pragma GCC unroll 16
    for (size_t r = 0; r < R; ++r)
      x[r] = _mm512_permutexvar_epi8(perm, _mm512_loadu_si512(p + r * block_bytes + k4 * 64));
#pragma GCC unroll 16
    for (size_t q = 0; q < Q; ++q) {
      const __m512i qb = _mm512_set1_epi32(qp[k4 * Q + q]);
#pragma GCC unroll 16
      for (size_t r = 0; r < R; ++r) acc[r][q] = _mm512_dpbusd_epi32(acc[r][q], x[r], qb);
    }
  }
#pragma GCC unroll 16
  for (size_t r = 0; r < R; ++r) {
    const size_t row = (b0 + r) * kBlockRows;
    const __m512 sc = _mm512_loadu_ps(scales + row);
#pragma GCC unroll 16
    for (size_t q = 0; q < Q; ++q) {
      const __m512i v = _mm512_sub_epi32(acc[r][q], _mm512_set1_epi32(qv[q].corr));
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_set1_ps(qv[q].scale));
      _mm512_storeu_ps(out + q * out_stride + row, _mm512_mul_ps(f, sc));
    }
  }
}

template <size_t R, size_t Q>
FP_VNNI_ATTR __attribute__((noinline)) void SweepVnni(const uint8_t* data, const float* scales, size_t nblocks, size_t dim,
                            const float* queries, size_t qstride, float* out, size_t out_stride) {
  thread_local std::vector<int8_t> q8;
  thread_local std::vector<int32_t> qp;
  q8.resize(dim);
  qp.resize(dim / 4 * Q);
  VnniQuery qv[Q];
  for (size_t q = 0; q < Q; ++q) {
    float scale;
    Quantize(queries + q * qstride, dim, q8.data(), &scale);
    int32_t sum = 0;
    for (size_t k = 0; k < dim; ++k) sum += q8[k];
    qv[q] = {128 * sum, scale};
    for (size_t k4 = 0; k4 < dim / 4; ++k4) std::memcpy(&qp[k4 * Q + q], q8.data() + 4 * k4, 4);
  }
  size_t b = 0;
  for (; b + R <= nblocks; b += R) TileVnni<R, Q>(data, scales, b, dim, qp.data(), qv, out, out_stride);
  for (; b < nblocks; ++b) TileVnni<1, Q>(data, scales, b, dim, qp.data(), qv, out, out_stride);
}

FP_VNNI_ATTR __attribute__((noinline)) void ScoreVnni(const uint8_t* data, const float* scales, size_t nblocks, size_t dim, const float* queries,
               size_t qstride, size_t nq, float* out, size_t out_stride) {
  size_t j = 0;
  while (j < nq) {
    const float* q = queries + j * qstride;
    float* o = out + j * out_stride;
    const size_t left = nq - j;
    if (left >= 16) {
      SweepVnni<1, 16>(data, scales, nblocks, dim, q, qstride, o, out_stride), j += 16;
    } else if (left >= 8) {
      SweepVnni<2, 8>(data, scales, nblocks, dim, q, qstride, o, out_stride), j += 8;
    } else if (left >= 4) {
      SweepVnni<4, 4>(data, scales, nblocks, dim, q, qstride, o, out_stride), j += 4;
    } else if (left >= 2) {
      SweepVnni<4, 2>(data, scales, nblocks, dim, q, qstride, o, out_stride), j += 2;
    } else {
      SweepVnni<8, 1>(data, scales, nblocks, dim, q, qstride, o, out_stride), j += 1;
    }
  }
}
#undef FP_VNNI_ATTR
#endif  // HWY_AVX3_DL

void ScoreI8Impl(const uint8_t* blocks, const float* scales, size_t nblocks, size_t dim, const float* queries,
                 size_t qstride, size_t nq, float* out, size_t out_stride) {
#if HWY_TARGET == HWY_AVX3_DL
  if (dim % 4 == 0) {
    ScoreVnni(blocks, scales, nblocks, dim, queries, qstride, nq, out, out_stride);
    return;
  }
#endif
  ScoreAll<uint8_t, LoadI8>(blocks, scales, nblocks, dim, queries, qstride, nq, out, out_stride);
}

bool QuantizesQueriesImpl(size_t dim) { return HWY_TARGET == HWY_AVX3_DL && dim % 4 == 0; }

const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

// Scalar paths: std::fma is one correctly rounded operation everywhere (an inline
// instruction on FMA targets), so they match the vector FMA chains bit for bit.
#include "index/scalar_kernels-inl.h"

}  // namespace HWY_NAMESPACE
}  // namespace facepass::index::kernels
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace facepass::index::kernels {

HWY_EXPORT(ScoreF32Impl);
HWY_EXPORT(ScoreI8Impl);
HWY_EXPORT(QuantizesQueriesImpl);
HWY_EXPORT(TargetNameImpl);
HWY_EXPORT(ScalarBlockRowF32);
HWY_EXPORT(ScalarBlockRowI8);
HWY_EXPORT(ScalarDotF32);

void ScoreF32(const float* blocks, size_t nblocks, size_t dim, const float* queries, size_t qstride,
              size_t nq, float* out, size_t out_stride) {
  HWY_DYNAMIC_DISPATCH(ScoreF32Impl)(blocks, nblocks, dim, queries, qstride, nq, out, out_stride);
}

void ScoreI8(const uint8_t* blocks, const float* scales, size_t nblocks, size_t dim, const float* queries,
             size_t qstride, size_t nq, float* out, size_t out_stride) {
  HWY_DYNAMIC_DISPATCH(ScoreI8Impl)(blocks, scales, nblocks, dim, queries, qstride, nq, out, out_stride);
}

bool Int8QuantizesQueries(size_t dim) { return HWY_DYNAMIC_DISPATCH(QuantizesQueriesImpl)(dim); }

const char* TargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

float BlockRowF32(const float* block, size_t dim, size_t lane, const float* q) {
  return HWY_DYNAMIC_DISPATCH(ScalarBlockRowF32)(block, dim, lane, q);
}

float BlockRowI8(const uint8_t* block, float scale, size_t dim, size_t lane, const float* q) {
  return HWY_DYNAMIC_DISPATCH(ScalarBlockRowI8)(block, scale, dim, lane, q);
}

float DotF32(const float* a, const float* b, size_t dim) { return HWY_DYNAMIC_DISPATCH(ScalarDotF32)(a, b, dim); }

}  // namespace facepass::index::kernels
#endif  // HWY_ONCE
