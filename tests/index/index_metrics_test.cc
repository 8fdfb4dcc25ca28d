// The index's gauges follow every write (add, upsert, remove, bulk load,
// reserve, group drop) and go back to zero when the index goes; they always
// equal the index's own counts, also after concurrent writers.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "index/face_index.h"
#include "test_util.h"

namespace facepass::index {
namespace {

constexpr int kDim = 64;

class IndexMetricsTest : public ::testing::Test {
 protected:
  std::unique_ptr<FaceIndex> Make(Storage storage = Storage::kInt8Rerank) {
    IndexOptions o;
    o.dim = kDim;
    o.threads = 1;
    o.storage = storage;
    o.metrics = &registry_;
    return std::make_unique<FaceIndex>(o);
  }
  int64_t Bindings() { return registry_.AddGauge("facepass_index_bindings", "").With({}).Value(); }
  int64_t Bytes() { return registry_.AddGauge("facepass_index_memory_bytes", "").With({}).Value(); }
  std::vector<float> Feature() { return testing::RandomUnit(rng_, kDim); }

  metrics::Registry registry_;
  std::mt19937_64 rng_{7};
};

TEST_F(IndexMetricsTest, FollowEveryWrite) {
  for (Storage storage : {Storage::kFloat32, Storage::kInt8Rerank}) {
    auto idx = Make(storage);
    EXPECT_EQ(Bindings(), 0);
    for (int64_t f = 1; f <= 3; ++f) ASSERT_TRUE(idx->Add(1, f, Feature()).ok());
    for (int64_t f = 1; f <= 2; ++f) ASSERT_TRUE(idx->Add(2, f, Feature()).ok());
    EXPECT_EQ(Bindings(), 5);
    EXPECT_EQ(Bytes(), static_cast<int64_t>(idx->MemoryBytes()));
    EXPECT_GT(Bytes(), 5 * kDim);
    ASSERT_TRUE(idx->Add(1, 2, Feature()).ok());  // an upsert adds no binding
    EXPECT_EQ(Bindings(), 5);
    EXPECT_TRUE(idx->Remove(1, 3));
    EXPECT_FALSE(idx->Remove(1, 3));
    EXPECT_EQ(Bindings(), 4);
    idx->DropGroup(2);
    EXPECT_EQ(Bindings(), 2);
    EXPECT_EQ(Bytes(), static_cast<int64_t>(idx->MemoryBytes()));

    std::vector<int64_t> ids(100);
    std::vector<float> features;
    for (int i = 0; i < 100; ++i) {
      ids[i] = 1000 + i;
      auto f = Feature();
      features.insert(features.end(), f.begin(), f.end());
    }
    ASSERT_TRUE(idx->Reserve(3, 5000).ok());
    EXPECT_EQ(Bytes(), static_cast<int64_t>(idx->MemoryBytes()));
    ASSERT_TRUE(idx->BulkLoad(3, ids, features).ok());
    EXPECT_EQ(Bindings(), 102);
    EXPECT_EQ(Bytes(), static_cast<int64_t>(idx->MemoryBytes()));
    idx.reset();
    EXPECT_EQ(Bindings(), 0);
    EXPECT_EQ(Bytes(), 0);
  }
}

TEST_F(IndexMetricsTest, TwoIndexesAddUpAndNullRecordsNothing) {
  auto a = Make(), b = Make();
  ASSERT_TRUE(a->Add(1, 1, Feature()).ok());
  ASSERT_TRUE(b->Add(1, 1, Feature()).ok());
  EXPECT_EQ(Bindings(), 2);
  EXPECT_EQ(Bytes(), static_cast<int64_t>(a->MemoryBytes() + b->MemoryBytes()));
  IndexOptions o;
  o.dim = kDim;
  o.metrics = nullptr;
  FaceIndex none(o);
  ASSERT_TRUE(none.Add(1, 1, Feature()).ok());
  EXPECT_EQ(Bindings(), 2);
}

TEST_F(IndexMetricsTest, ConcurrentWritersEndConsistent) {
  auto idx = Make();
  std::vector<std::vector<float>> features;
  for (int i = 0; i < 64; ++i) features.push_back(Feature());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 3000; ++i) {
        const int64_t group = rng() % 3, face = rng() % 64;
        if (rng() % 3 == 0) idx->Remove(group, face);
        else if (rng() % 50 == 0) idx->DropGroup(group);
        else ASSERT_TRUE(idx->Add(group, face, features[face]).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  int64_t held = 0;
  for (int64_t g : idx->GroupIds()) held += static_cast<int64_t>(idx->GroupSize(g));
  EXPECT_EQ(Bindings(), held);
  EXPECT_EQ(Bytes(), static_cast<int64_t>(idx->MemoryBytes()));
}

}  // namespace
}  // namespace facepass::index
