// The catalog keeps the database and the 1:N index in step: every write
// changes both or neither, and the live index always equals the one a
// restart would load from the database, also under concurrent writers.
#include "service/catalog.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/clock.h"
#include "index/face_index.h"
#include "service/service_fixture.h"
#include "store/database.h"

namespace facepass::service::testing {
namespace {

class CatalogTest : public ServiceFixture {
 protected:
  // A face from a kept enrol image, straight through the catalog.
  int64_t NewFace(const std::string& person) {
    auto image = images_->Keep("bytes of " + person, "jpeg", store::ImageKind::kEnrol, 640, 480, NowMs());
    EXPECT_TRUE(image.ok()) << image.status().ToString();
    auto face = catalog_->AddFace(*image, {10, 10, 200, 200}, FakeAnalyzer::FeatureOf(person), NowMs());
    EXPECT_TRUE(face.ok()) << face.status().ToString();
    return face.ok() ? *face : 0;
  }
  int64_t Top1(const std::string& group, const std::string& person) {
    auto top = live_index().Search(GroupId(group), FakeAnalyzer::FeatureOf(person), 1);
    EXPECT_TRUE(top.ok()) << top.status().ToString();
    return top.ok() && !top->empty() ? top->front().face_id : 0;
  }
  int64_t now() const { return NowMs(); }
};

TEST_F(CatalogTest, NewFaceIsStoredButIndexedOnlyOnceBound) {
  const int64_t alice = NewFace("alice");
  auto stored = store().faces().GetFace(alice);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->feature, FakeAnalyzer::FeatureOf("alice"));
  EXPECT_TRUE(live_index().GroupIds().empty());

  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 0u);
  ASSERT_TRUE(catalog_->Bind("staff_a", alice, now()).ok());
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 1u);
  EXPECT_EQ(Top1("staff_a", "alice"), alice);
  ExpectIndexMatchesDatabase();
}

TEST_F(CatalogTest, AddFaceOfAnUnknownImageFails) {
  auto face = catalog_->AddFace(424242, {0, 0, 10, 10}, FakeAnalyzer::FeatureOf("x"), now());
  ASSERT_FALSE(face.ok());
  EXPECT_EQ(face.status().code(), StatusCode::kNotFound);
}

TEST_F(CatalogTest, BindingABoundFaceAgainChangesNeitherSide) {
  const int64_t alice = NewFace("alice");
  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  ASSERT_TRUE(catalog_->Bind("staff_a", alice, now()).ok());
  const int64_t version = Version("staff_a");
  ASSERT_TRUE(catalog_->Bind("staff_a", alice, now()).ok());
  EXPECT_EQ(Version("staff_a"), version);
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 1u);
  ExpectIndexMatchesDatabase();
}

TEST_F(CatalogTest, DeleteFaceLeavesEveryGroupOfBothSides) {
  const int64_t alice = NewFace("alice"), bob = NewFace("bob");
  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  ASSERT_TRUE(catalog_->CreateGroup("staff_b", now()).ok());
  for (const char* g : {"staff_a", "staff_b"}) {
    ASSERT_TRUE(catalog_->Bind(g, alice, now()).ok());
    ASSERT_TRUE(catalog_->Bind(g, bob, now()).ok());
  }
  const int64_t va = Version("staff_a"), vb = Version("staff_b");

  ASSERT_TRUE(catalog_->DeleteFace(alice, now()).ok());
  EXPECT_EQ(Version("staff_a"), va + 1);
  EXPECT_EQ(Version("staff_b"), vb + 1);
  for (const char* g : {"staff_a", "staff_b"}) {
    EXPECT_EQ(live_index().GroupSize(GroupId(g)), 1u) << g;
    EXPECT_EQ(Top1(g, "alice"), bob) << g;  // alice's own feature no longer finds her
    EXPECT_EQ(*store().groups().GroupFaceIds(GroupId(g)), std::vector<int64_t>{bob}) << g;
  }
  EXPECT_TRUE(store().faces().GetFace(alice)->deleted);
  ExpectIndexMatchesDatabase();

  auto again = catalog_->DeleteFace(alice, now());
  EXPECT_EQ(CodeOf(again), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(Version("staff_a"), va + 1);
}

TEST_F(CatalogTest, UnbindLeavesTheIndexToo) {
  const int64_t alice = NewFace("alice"), bob = NewFace("bob");
  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  ASSERT_TRUE(catalog_->Bind("staff_a", alice, now()).ok());
  ASSERT_TRUE(catalog_->Bind("staff_a", bob, now()).ok());
  ASSERT_TRUE(catalog_->Unbind("staff_a", alice, now()).ok());
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 1u);
  EXPECT_EQ(Top1("staff_a", "alice"), bob);
  EXPECT_FALSE(store().faces().GetFace(alice)->deleted);  // unbinding deletes nothing
  ExpectIndexMatchesDatabase();

  EXPECT_EQ(CodeOf(catalog_->Unbind("staff_a", alice, now())), ErrorCode::kGroupBindingNotExist);
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 1u);
}

TEST_F(CatalogTest, DeleteGroupDropsItsIndexAndARecreatedNameStartsEmpty) {
  const int64_t alice = NewFace("alice");
  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  ASSERT_TRUE(catalog_->Bind("staff_a", alice, now()).ok());
  const int64_t old_id = GroupId("staff_a");
  ASSERT_TRUE(catalog_->DeleteGroup("staff_a", now()).ok());
  EXPECT_EQ(live_index().GroupSize(old_id), 0u);
  auto search = live_index().Search(old_id, FakeAnalyzer::FeatureOf("alice"), 1);
  ASSERT_TRUE(search.ok());
  EXPECT_TRUE(search->empty());
  EXPECT_FALSE(store().faces().GetFace(alice)->deleted);  // the face outlives its group

  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  EXPECT_NE(GroupId("staff_a"), old_id);
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 0u);
  ExpectIndexMatchesDatabase();
}

TEST_F(CatalogTest, RefusalsChangeNothing) {
  const int64_t alice = NewFace("alice");
  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  ASSERT_TRUE(catalog_->Bind("staff_a", alice, now()).ok());
  const int64_t version = Version("staff_a");

  EXPECT_EQ(CodeOf(catalog_->CreateGroup("staff_a", now())), ErrorCode::kGroupNameConflict);
  EXPECT_EQ(CodeOf(catalog_->DeleteGroup("nobody_here", now())), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(catalog_->Bind("nobody_here", alice, now())), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(catalog_->Bind("staff_a", alice + 100, now())), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(CodeOf(catalog_->Unbind("nobody_here", alice, now())), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(catalog_->DeleteFace(alice + 100, now())), ErrorCode::kFaceTokenNotExist);

  EXPECT_EQ(Version("staff_a"), version);
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 1u);
  ExpectIndexMatchesDatabase();
}

TEST_F(CatalogTest, ADeletedFaceCannotBeBound) {
  const int64_t alice = NewFace("alice");
  ASSERT_TRUE(catalog_->CreateGroup("staff_a", now()).ok());
  ASSERT_TRUE(catalog_->DeleteFace(alice, now()).ok());
  EXPECT_EQ(CodeOf(catalog_->Bind("staff_a", alice, now())), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 0u);
  EXPECT_EQ(Version("staff_a"), 1);
}

TEST_F(CatalogTest, LiveIndexEqualsTheReloadedOne) {
  std::vector<int64_t> faces;
  for (int i = 0; i < 12; ++i) faces.push_back(NewFace("person" + std::to_string(i)));
  for (const char* g : {"group_one", "group_two", "group_three"}) ASSERT_TRUE(catalog_->CreateGroup(g, now()).ok());
  for (size_t i = 0; i < faces.size(); ++i) {
    ASSERT_TRUE(catalog_->Bind("group_one", faces[i], now()).ok());
    if (i % 2 == 0) {
      ASSERT_TRUE(catalog_->Bind("group_two", faces[i], now()).ok());
    }
    if (i % 3 == 0) {
      ASSERT_TRUE(catalog_->Bind("group_three", faces[i], now()).ok());
    }
  }
  ASSERT_TRUE(catalog_->DeleteFace(faces[0], now()).ok());
  ASSERT_TRUE(catalog_->Unbind("group_one", faces[5], now()).ok());
  ASSERT_TRUE(catalog_->Unbind("group_two", faces[4], now()).ok());
  ASSERT_TRUE(catalog_->DeleteGroup("group_three", now()).ok());

  const index::FaceIndex& reloaded = ReloadedIndex();
  for (const char* g : {"group_one", "group_two"}) {
    const int64_t id = GroupId(g);
    EXPECT_EQ(live_index().GroupSize(id), reloaded.GroupSize(id)) << g;
    for (int i = 1; i < 12; ++i) {
      const auto query = FakeAnalyzer::FeatureOf("person" + std::to_string(i));
      EXPECT_EQ(*live_index().Search(id, query, 3), *reloaded.Search(id, query, 3)) << g << " person" << i;
    }
  }
  EXPECT_EQ(live_index().GroupSize(GroupId("group_one")), 10u);  // 12 - deleted 0 - unbound 5
  EXPECT_EQ(live_index().GroupSize(GroupId("group_two")), 4u);   // 0,2,4,6,8,10 less 0 and 4
  ExpectIndexMatchesDatabase();
}

// Writers on several threads (the server's workers): the write lock keeps
// every database change and its index change together, so whatever the
// interleaving the index ends equal to the database. Also run under TSan.
TEST_F(CatalogTest, ConcurrentWritersKeepBothSidesInStep) {
  constexpr int kThreads = 4, kFacesPerThread = 12;
  ASSERT_TRUE(catalog_->CreateGroup("shared_a", now()).ok());
  ASSERT_TRUE(catalog_->CreateGroup("shared_b", now()).ok());
  std::vector<std::vector<int64_t>> faces(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kFacesPerThread; ++i) faces[t].push_back(NewFace("t" + std::to_string(t) + "_" + std::to_string(i)));
  }
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kFacesPerThread; ++i) {
        const int64_t f = faces[t][i];
        bool ok = catalog_->Bind("shared_a", f, NowMs()).ok() && catalog_->Bind("shared_b", f, NowMs()).ok();
        if (i % 3 == 1) ok = ok && catalog_->Unbind("shared_a", f, NowMs()).ok();
        if (i % 3 == 2) ok = ok && catalog_->DeleteFace(f, NowMs()).ok();
        if (!ok) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  // Per thread: 4 stay in both, 4 only in shared_b, 4 deleted.
  EXPECT_EQ(live_index().GroupSize(GroupId("shared_a")), size_t(kThreads * 4));
  EXPECT_EQ(live_index().GroupSize(GroupId("shared_b")), size_t(kThreads * 8));
  // Each group's version counts its events: create, every bind, every unbind.
  EXPECT_EQ(Version("shared_a"), 1 + kThreads * (12 + 4 + 4));
  EXPECT_EQ(Version("shared_b"), 1 + kThreads * (12 + 4));
  ExpectIndexMatchesDatabase();
}

}  // namespace
}  // namespace facepass::service::testing
