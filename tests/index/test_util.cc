#include "test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace facepass::index::testing {

std::vector<float> RandomUnit(std::mt19937_64& rng, int dim) {
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(dim));
  double s = 0;
  for (float& x : v) {
    x = n(rng);
    s += double{x} * x;
  }
  const float inv = static_cast<float>(1.0 / std::sqrt(s));
  for (float& x : v) x *= inv;
  return v;
}

std::vector<float> Near(std::mt19937_64& rng, const std::vector<float>& base, float noise) {
  std::vector<float> r = RandomUnit(rng, static_cast<int>(base.size()));
  std::vector<float> v(base.size());
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = base[i] + noise * r[i];
    s += double{v[i]} * v[i];
  }
  const float inv = static_cast<float>(1.0 / std::sqrt(s));
  for (float& x : v) x *= inv;
  return v;
}

static double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += double{a[i]} * b[i];
  return s;
}

std::vector<Match> Reference(const std::map<int64_t, std::vector<float>>& faces, const std::vector<float>& q,
                             int k) {
  std::vector<std::pair<double, int64_t>> all;
  for (const auto& [id, f] : faces) all.emplace_back(Dot(f, q), id);
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  std::vector<Match> out;
  for (size_t i = 0; i < all.size() && i < static_cast<size_t>(k); ++i) {
    out.push_back({all[i].second, static_cast<float>(all[i].first)});
  }
  return out;
}

void ExpectMatches(const std::vector<Match>& got, const std::vector<Match>& ref,
                   const std::map<int64_t, std::vector<float>>& faces, const std::vector<float>& q, float tol) {
  ASSERT_EQ(got.size(), ref.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].score, ref[i].score, tol) << "rank " << i;
    if (got[i].face_id != ref[i].face_id) {
      auto it = faces.find(got[i].face_id);
      ASSERT_NE(it, faces.end()) << "unknown id " << got[i].face_id;
      EXPECT_NEAR(Dot(it->second, q), ref[i].score, tol) << "rank " << i << " id " << got[i].face_id
                                                          << " instead of " << ref[i].face_id;
    }
    if (i > 0) {
      EXPECT_TRUE(got[i - 1].score > got[i].score ||
                  (got[i - 1].score == got[i].score && got[i - 1].face_id < got[i].face_id))
          << "order at rank " << i;
    }
  }
}

}  // namespace facepass::index::testing
