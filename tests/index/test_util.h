// Helpers for the index tests: random unit vectors and a naive reference search.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "index/face_index_types.h"

namespace facepass::index::testing {

std::vector<float> RandomUnit(std::mt19937_64& rng, int dim);
// A unit vector close to `base` (cosine ~ 1 - noise^2/2).
std::vector<float> Near(std::mt19937_64& rng, const std::vector<float>& base, float noise);

// Naive exact search in double precision; order: score desc, face_id asc.
std::vector<Match> Reference(const std::map<int64_t, std::vector<float>>& faces, const std::vector<float>& q,
                             int k);

// gtest assertion body: same length, scores within tol, ids equal unless the
// reference itself has a near-tie (within tol) at that rank.
void ExpectMatches(const std::vector<Match>& got, const std::vector<Match>& ref,
                   const std::map<int64_t, std::vector<float>>& faces, const std::vector<float>& q,
                   float tol = 2e-5f);

}  // namespace facepass::index::testing
