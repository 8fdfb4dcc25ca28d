// Exactness of FaceIndex against a naive double-precision reference.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <tuple>

#include "index/face_index.h"
#include "test_util.h"

namespace facepass::index {
namespace {

using testing::ExpectMatches;
using testing::Near;
using testing::RandomUnit;
using testing::Reference;
using Faces = std::map<int64_t, std::vector<float>>;

// (dim, storage, parallel): parallel forces the sliced multi-thread scan on small groups.
class Exactness : public ::testing::TestWithParam<std::tuple<int, Storage, bool>> {
 protected:
  IndexOptions Opts() const {
    IndexOptions o;
    o.dim = std::get<0>(GetParam());
    o.storage = std::get<1>(GetParam());
    o.threads = std::get<2>(GetParam()) ? 3 : 1;
    o.parallel_min_rows = std::get<2>(GetParam()) ? 1 : 1u << 30;
    return o;
  }
  int dim() const { return std::get<0>(GetParam()); }
};

TEST_P(Exactness, RandomDataMatchesReference) {
  FaceIndex idx(Opts());
  std::mt19937_64 rng(42 + dim());
  Faces faces;
  // 1037 rows: not a multiple of the 16-row block, so the tail path is used.
  for (int64_t id = 1; id <= 1037; ++id) {
    faces[id * 7] = RandomUnit(rng, dim());
    ASSERT_TRUE(idx.Add(5, id * 7, faces[id * 7]).ok());
  }
  EXPECT_EQ(idx.GroupSize(5), faces.size());
  for (int t = 0; t < 20; ++t) {
    // Half the queries are near an enrolled face, half random.
    auto q = t % 2 ? RandomUnit(rng, dim()) : Near(rng, faces[(t * 37 % 1037 + 1) * 7], 0.3f);
    for (int k : {1, 5, 50}) {
      auto r = idx.Search(5, q, k);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ExpectMatches(*r, Reference(faces, q, k), faces, q);
    }
  }
}

TEST_P(Exactness, DuplicatesTieByLowerFaceId) {
  FaceIndex idx(Opts());
  std::mt19937_64 rng(7);
  auto v = RandomUnit(rng, dim());
  for (int64_t id : {90, 12, 55, 3, 70}) ASSERT_TRUE(idx.Add(1, id, v).ok());
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(idx.Add(1, 1000 + i, RandomUnit(rng, dim())).ok());
  auto r = idx.Search(1, v, 4);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].face_id, 3);
  EXPECT_EQ((*r)[1].face_id, 12);
  EXPECT_EQ((*r)[2].face_id, 55);
  EXPECT_EQ((*r)[3].face_id, 70);
  for (const Match& m : *r) EXPECT_EQ(m.score, (*r)[0].score);  // exact ties, same bits
}

TEST_P(Exactness, RemovingBestMatchPromotesNext) {
  FaceIndex idx(Opts());
  std::mt19937_64 rng(9);
  Faces faces;
  for (int64_t id = 0; id < 300; ++id) {
    faces[id] = RandomUnit(rng, dim());
    ASSERT_TRUE(idx.Add(2, id, faces[id]).ok());
  }
  auto q = Near(rng, faces[17], 0.05f);
  faces[18] = Near(rng, faces[17], 0.1f);  // the runner-up
  ASSERT_TRUE(idx.Add(2, 18, faces[18]).ok());
  auto before = idx.Search(2, q, 3);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ((*before)[0].face_id, 17);
  EXPECT_TRUE(idx.Remove(2, 17));
  EXPECT_FALSE(idx.Remove(2, 17));
  faces.erase(17);
  auto after = idx.Search(2, q, 3);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].face_id, 18);
  ExpectMatches(*after, Reference(faces, q, 3), faces, q);
  // Remove many (first, middle, last slots) and compare again.
  for (int64_t id = 0; id < 300; id += 3) {
    if (faces.erase(id)) {
      EXPECT_TRUE(idx.Remove(2, id));
    }
  }
  EXPECT_EQ(idx.GroupSize(2), faces.size());
  for (int t = 0; t < 10; ++t) {
    auto q2 = RandomUnit(rng, dim());
    auto r = idx.Search(2, q2, 10);
    ASSERT_TRUE(r.ok());
    ExpectMatches(*r, Reference(faces, q2, 10), faces, q2);
  }
}

TEST_P(Exactness, UpsertReplacesFeature) {
  FaceIndex idx(Opts());
  std::mt19937_64 rng(11);
  Faces faces;
  for (int64_t id = 0; id < 100; ++id) {
    faces[id] = RandomUnit(rng, dim());
    ASSERT_TRUE(idx.Add(3, id, faces[id]).ok());
  }
  auto q = RandomUnit(rng, dim());
  faces[42] = q;
  ASSERT_TRUE(idx.Add(3, 42, q).ok());
  EXPECT_EQ(idx.GroupSize(3), 100u);
  auto r = idx.Search(3, q, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].face_id, 42);
  ExpectMatches(*r, Reference(faces, q, 5), faces, q);
}

TEST_P(Exactness, EmptyUnknownAndSmallGroups) {
  FaceIndex idx(Opts());
  std::mt19937_64 rng(13);
  auto q = RandomUnit(rng, dim());
  auto r = idx.Search(77, q, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(idx.GroupSize(77), 0u);
  ASSERT_TRUE(idx.Add(77, 1, q).ok());
  EXPECT_TRUE(idx.Remove(77, 1));
  r = idx.Search(77, q, 5);  // emptied group
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  ASSERT_TRUE(idx.Add(77, 2, q).ok());
  r = idx.Search(77, q, 5);  // k larger than the group
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].face_id, 2);
  r = idx.Search(77, q, std::numeric_limits<int>::max());  // k is bounded by the group
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);
  r = idx.Search(77, q, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  idx.DropGroup(77);
  EXPECT_EQ(idx.GroupSize(77), 0u);
  r = idx.Search(77, q, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST_P(Exactness, DimensionMismatchRejected) {
  FaceIndex idx(Opts());
  std::vector<float> bad(static_cast<size_t>(dim() + 1), 0.1f);
  std::vector<float> good(static_cast<size_t>(dim()), 0.1f);
  EXPECT_EQ(idx.Add(1, 1, bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(idx.GroupSize(1), 0u);
  ASSERT_TRUE(idx.Add(1, 1, good).ok());
  EXPECT_EQ(idx.Search(1, bad, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(idx.Search(1, std::span<const float>(good.data(), 3), 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(idx.Search(1, good, -1).status().code(), StatusCode::kInvalidArgument);
  good[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(idx.Add(1, 2, good).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(idx.Search(1, good, 1).status().code(), StatusCode::kInvalidArgument);
  std::vector<int64_t> ids{5, 6};
  EXPECT_EQ(idx.BulkLoad(1, ids, bad).code(), StatusCode::kInvalidArgument);
}

TEST_P(Exactness, FaceInManyGroupsSearchedInEach) {
  FaceIndex idx(Opts());
  std::mt19937_64 rng(17);
  std::map<int64_t, Faces> groups;
  auto shared = RandomUnit(rng, dim());
  for (int64_t g = 1; g <= 4; ++g) {
    for (int64_t id = 0; id < 50 * g; ++id) {
      groups[g][g * 1000 + id] = RandomUnit(rng, dim());
      ASSERT_TRUE(idx.Add(g, g * 1000 + id, groups[g][g * 1000 + id]).ok());
    }
    groups[g][999] = shared;
    ASSERT_TRUE(idx.Add(g, 999, shared).ok());
  }
  ASSERT_TRUE(idx.Remove(3, 999));
  groups[3].erase(999);
  auto q = Near(rng, shared, 0.2f);
  for (int64_t g = 1; g <= 4; ++g) {
    auto r = idx.Search(g, q, 3);
    ASSERT_TRUE(r.ok());
    ExpectMatches(*r, Reference(groups[g], q, 3), groups[g], q);
    EXPECT_EQ((*r)[0].face_id == 999, g != 3);
  }
}

TEST_P(Exactness, BatchEqualsSingleAndBulkLoadEqualsAdd) {
  std::mt19937_64 rng(19);
  FaceIndex a(Opts()), b(Opts());
  Faces faces;
  std::vector<int64_t> ids;
  std::vector<float> flat;
  for (int64_t id = 0; id < 777; ++id) {
    faces[id] = id % 10 == 0 && id > 0 ? Near(rng, faces[id - 1], 0.02f) : RandomUnit(rng, dim());
    ASSERT_TRUE(a.Add(4, id, faces[id]).ok());
    ids.push_back(id);
    flat.insert(flat.end(), faces[id].begin(), faces[id].end());
  }
  ASSERT_TRUE(b.BulkLoad(4, ids, flat).ok());
  EXPECT_EQ(b.GroupSize(4), 777u);
  for (int n : {1, 3, 16, 21}) {
    std::vector<float> qs;
    for (int j = 0; j < n; ++j) {
      auto q = j % 2 ? Near(rng, faces[j * 31 % 777], 0.1f) : RandomUnit(rng, dim());
      qs.insert(qs.end(), q.begin(), q.end());
    }
    auto rb = b.SearchBatch(4, qs.data(), n, 7);
    ASSERT_TRUE(rb.ok());
    ASSERT_EQ(rb->size(), static_cast<size_t>(n));
    for (int j = 0; j < n; ++j) {
      std::span<const float> q(qs.data() + j * dim(), static_cast<size_t>(dim()));
      auto ra = a.Search(4, q, 7);
      ASSERT_TRUE(ra.ok());
      EXPECT_EQ(*ra, (*rb)[j]) << "query " << j << " of " << n;  // bit-identical
    }
  }
}

TEST(ExactnessStorage, Int8RerankEqualsFloatBitForBit) {
  for (int dim : {128, 512}) {
    std::mt19937_64 rng(23 + dim);
    IndexOptions of{.dim = dim, .threads = 1, .storage = Storage::kFloat32};
    IndexOptions oi{.dim = dim, .threads = 1, .storage = Storage::kInt8Rerank};
    FaceIndex f(of), i8(oi);
    // Clusters of near-duplicates (cosine > 0.999) are where int8 alone would err.
    std::vector<float> base;
    for (int64_t id = 0; id < 2000; ++id) {
      if (id % 20 == 0) base = RandomUnit(rng, dim);
      auto v = Near(rng, base, 0.01f + 0.002f * static_cast<float>(id % 20));
      ASSERT_TRUE(f.Add(1, id, v).ok());
      ASSERT_TRUE(i8.Add(1, id, v).ok());
    }
    for (int t = 0; t < 50; ++t) {
      std::vector<float> q = t % 2 ? RandomUnit(rng, dim) : Near(rng, base, 0.005f);
      auto a = f.Search(1, q, 10);
      auto b = i8.Search(1, q, 10);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(*a, *b) << "dim " << dim << " query " << t;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, Exactness,
    ::testing::Combine(::testing::Values(128, 512, 1024),
                       ::testing::Values(Storage::kFloat32, Storage::kInt8Rerank), ::testing::Bool()),
    [](const auto& info) {
      return "d" + std::to_string(std::get<0>(info.param)) +
             (std::get<1>(info.param) == Storage::kFloat32 ? "_f32" : "_i8") +
             (std::get<2>(info.param) ? "_mt" : "_st");
    });

}  // namespace
}  // namespace facepass::index
