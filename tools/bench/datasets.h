// Feature sets for the index benchmark.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace facepass::bench {

struct Dataset {
  std::string name;
  int dim = 0;
  size_t n = 0;
  std::vector<float> base;     // n * dim, unit rows
  std::vector<float> queries;  // nq * dim, unit rows
  size_t nq = 0;
};

// Uniform random unit vectors (the hardest case for pruning, the easiest to reproduce).
Dataset RandomUnit(size_t n, size_t nq, int dim, uint64_t seed);

// Face-like features: identities with several enrolments each (cosine ~0.7 to the
// identity centre), an anisotropic spectrum (a few strong directions, as in real
// embeddings) and queries that are new captures of enrolled identities.
Dataset FaceLike(size_t n, size_t nq, int dim, uint64_t seed);

// Real features: raw float32 little-endian rows of `dim` floats (e.g. dumped from the
// embedder). Rows are normalised; the first nq rows (after a shuffle) become queries
// and are perturbed slightly; the rest are tiled up to n if the file is smaller.
bool FromFile(const std::string& path, size_t n, size_t nq, int dim, uint64_t seed, Dataset* out,
              std::string* error);

}  // namespace facepass::bench
