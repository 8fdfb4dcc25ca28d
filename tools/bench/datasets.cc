#include "datasets.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <thread>

namespace facepass::bench {

namespace {

void Normalize(float* v, int dim) {
  double s = 0;
  for (int i = 0; i < dim; ++i) s += double{v[i]} * v[i];
  const float inv = s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
  for (int i = 0; i < dim; ++i) v[i] *= inv;
}

// Fills rows [0, n) with fn(row, rng) on two threads (generation of 1M x 512 is slow).
template <class Fn>
void ParallelRows(size_t n, uint64_t seed, Fn fn) {
  const size_t nt = 2;
  std::vector<std::thread> ts;
  for (size_t t = 0; t < nt; ++t) {
    ts.emplace_back([=] {
      for (size_t r = n * t / nt; r < n * (t + 1) / nt; ++r) {
        std::mt19937_64 rng(seed * 1000003 + r);
        fn(r, rng);
      }
    });
  }
  for (auto& t : ts) t.join();
}

}  // namespace

Dataset RandomUnit(size_t n, size_t nq, int dim, uint64_t seed) {
  Dataset d{"random", dim, n, std::vector<float>(n * dim), std::vector<float>(nq * dim), nq};
  auto gen = [dim](float* v, std::mt19937_64& rng) {
    std::normal_distribution<float> g(0, 1);
    for (int i = 0; i < dim; ++i) v[i] = g(rng);
    Normalize(v, dim);
  };
  ParallelRows(n, seed, [&](size_t r, std::mt19937_64& rng) { gen(d.base.data() + r * dim, rng); });
  ParallelRows(nq, seed + 77, [&](size_t r, std::mt19937_64& rng) { gen(d.queries.data() + r * dim, rng); });
  return d;
}

Dataset FaceLike(size_t n, size_t nq, int dim, uint64_t seed) {
  Dataset d{"face-like", dim, n, std::vector<float>(n * dim), std::vector<float>(nq * dim), nq};
  constexpr size_t kPerIdentity = 4;
  const size_t identities = std::max<size_t>(1, n / kPerIdentity);
  // Per-dimension spread decaying like a power law, as PCA of face embeddings shows.
  std::vector<float> spread(static_cast<size_t>(dim));
  for (int i = 0; i < dim; ++i) spread[i] = 1.0f / std::sqrt(1.0f + static_cast<float>(i) / 8.0f);
  auto centre = [&](size_t id, float* v) {
    std::mt19937_64 rng(seed * 7919 + id);
    std::normal_distribution<float> g(0, 1);
    for (int i = 0; i < dim; ++i) v[i] = g(rng) * spread[i];
    Normalize(v, dim);
  };
  // A capture: centre plus noise of squared norm ~0.6, so two captures of one
  // identity have cosine ~0.6 (genuine pairs) whatever the dimension.
  double spread2 = 0;
  for (float s : spread) spread2 += double{s} * s;
  const float noise = static_cast<float>(std::sqrt(0.6 / spread2));
  auto capture = [&](size_t id, std::mt19937_64& rng, float* v) {
    centre(id, v);
    std::normal_distribution<float> g(0, 1);
    for (int i = 0; i < dim; ++i) v[i] += noise * g(rng) * spread[i];
    Normalize(v, dim);
  };
  ParallelRows(n, seed, [&](size_t r, std::mt19937_64& rng) { capture(r % identities, rng, d.base.data() + r * dim); });
  ParallelRows(nq, seed + 1, [&](size_t r, std::mt19937_64& rng) {
    capture(static_cast<size_t>(rng() % identities), rng, d.queries.data() + r * dim);
  });
  return d;
}

bool FromFile(const std::string& path, size_t n, size_t nq, int dim, uint64_t seed, Dataset* out,
              std::string* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *error = "cannot open " + path;
    return false;
  }
  f.seekg(0, std::ios::end);
  const size_t bytes = static_cast<size_t>(f.tellg());
  f.seekg(0);
  const size_t rows = bytes / (sizeof(float) * dim);
  if (rows < nq + 1) {
    *error = path + ": too few rows of dimension " + std::to_string(dim);
    return false;
  }
  std::vector<float> all(rows * dim);
  f.read(reinterpret_cast<char*>(all.data()), static_cast<std::streamsize>(all.size() * sizeof(float)));
  for (size_t r = 0; r < rows; ++r) Normalize(all.data() + r * dim, dim);
  std::mt19937_64 rng(seed);
  std::vector<size_t> order(rows);
  for (size_t i = 0; i < rows; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  Dataset d{"file", dim, n, std::vector<float>(n * dim), std::vector<float>(nq * dim), nq};
  std::normal_distribution<float> g(0, 1);
  for (size_t q = 0; q < nq; ++q) {
    float* v = d.queries.data() + q * dim;
    std::copy_n(all.data() + order[q] * dim, dim, v);
    for (int i = 0; i < dim; ++i) v[i] += 0.02f * g(rng);
    Normalize(v, dim);
  }
  const size_t pool = rows - nq;
  for (size_t r = 0; r < n; ++r) std::copy_n(all.data() + order[nq + r % pool] * dim, dim, d.base.data() + r * dim);
  *out = std::move(d);
  return true;
}

}  // namespace facepass::bench
