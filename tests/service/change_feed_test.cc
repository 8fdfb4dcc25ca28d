// ChangeFeed alone (subscribe, publish, unsubscribe, threads), and the Catalog
// publishing every committed group change to it with the store's version.
#include "service/change_feed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "index/face_index.h"
#include "service/catalog.h"
#include "store/sqlite_storage.h"
#include "support/server_process.h"

namespace facepass::service {
namespace {

struct Heard {
  std::mutex mu;
  std::vector<GroupVersion> got;
  ChangeFeed::Listener Listener() {
    return [this](const GroupVersion& v) {
      std::lock_guard<std::mutex> lock(mu);
      got.push_back(v);
    };
  }
  std::vector<GroupVersion> Take() {
    std::lock_guard<std::mutex> lock(mu);
    return std::exchange(got, {});
  }
};

TEST(ChangeFeed, DeliversOnlyTheSubscribedGroups) {
  ChangeFeed feed;
  Heard a, b;
  uint64_t ida = feed.Subscribe({"gate_a", "gate_b", "gate_a"}, a.Listener());
  uint64_t idb = feed.Subscribe({"gate_b"}, b.Listener());
  EXPECT_NE(ida, 0u);
  EXPECT_NE(ida, idb);
  EXPECT_EQ(feed.subscriptions(), 2u);
  EXPECT_EQ(feed.subscribers("gate_a"), 1u);  // the repeated name counts once
  EXPECT_EQ(feed.subscribers("gate_b"), 2u);

  feed.Publish({"gate_a", 5, 12, false});
  feed.Publish({"gate_b", 6, 3, false});
  feed.Publish({"other", 7, 1, false});
  auto got_a = a.Take();
  ASSERT_EQ(got_a.size(), 2u);
  EXPECT_EQ(got_a[0].group_name, "gate_a");
  EXPECT_EQ(got_a[0].group_id, 5);
  EXPECT_EQ(got_a[0].version, 12);
  EXPECT_EQ(got_a[1].group_name, "gate_b");
  auto got_b = b.Take();
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0].version, 3);
}

TEST(ChangeFeed, UnsubscribeStopsDeliveryAndIsIdempotent) {
  ChangeFeed feed;
  Heard a;
  uint64_t id = feed.Subscribe({"gate_a"}, a.Listener());
  feed.Unsubscribe(id);
  feed.Unsubscribe(id);
  feed.Unsubscribe(12345);
  feed.Publish({"gate_a", 1, 2, false});
  EXPECT_TRUE(a.Take().empty());
  EXPECT_EQ(feed.subscriptions(), 0u);
  EXPECT_EQ(feed.subscribers("gate_a"), 0u);
}

TEST(ChangeFeed, ConcurrentPublishAndSubscribeLoseNothingForLiveSubscribers) {
  ChangeFeed feed;
  std::atomic<int> heard{0};
  uint64_t keep = feed.Subscribe({"gate_a"}, [&](const GroupVersion&) { heard.fetch_add(1); });
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop) feed.Unsubscribe(feed.Subscribe({"gate_a", "gate_b"}, [](const GroupVersion&) {}));
  });
  constexpr int kPublishers = 4, kEach = 2000;
  std::vector<std::thread> pubs;
  for (int t = 0; t < kPublishers; ++t)
    pubs.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) feed.Publish({"gate_a", 1, i, false});
    });
  for (auto& t : pubs) t.join();
  stop = true;
  churn.join();
  EXPECT_EQ(heard.load(), kPublishers * kEach);
  feed.Unsubscribe(keep);
  EXPECT_EQ(feed.subscriptions(), 0u);
}

TEST(ChangeFeed, AfterUnsubscribeReturnsTheListenerIsNotRunning) {
  ChangeFeed feed;
  std::atomic<bool> in_listener{false}, released{false};
  uint64_t id = feed.Subscribe({"gate_a"}, [&](const GroupVersion&) {
    in_listener = true;
    while (!released) std::this_thread::yield();
    in_listener = false;
  });
  std::thread pub([&] { feed.Publish({"gate_a", 1, 1, false}); });
  while (!in_listener) std::this_thread::yield();
  std::thread unsub([&] { feed.Unsubscribe(id); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  released = true;
  unsub.join();
  EXPECT_FALSE(in_listener);
  pub.join();
}

// The Catalog publishes each committed change with the version the store now holds.
class CatalogFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = facepass::testing::MakeTempDir("facepass-feed");
    auto sqlite = store::SqliteStorage::Open(dir_);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
    storage_ = std::move(*sqlite);
    index::IndexOptions o;
    o.dim = 4;
    o.threads = 1;
    o.huge_pages = false;
    o.metrics = nullptr;
    catalog_ = std::make_unique<Catalog>(*storage_, std::make_unique<index::FaceIndex>(o), CatalogGauges(),
                                         &feed_);
    sub_ = feed_.Subscribe({"gate_a", "gate_b"}, heard_.Listener());
  }
  void TearDown() override {
    feed_.Unsubscribe(sub_);
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t NewFace() {
    auto image = storage_->images().AddImage(store::ImageKind::kEnrol, "jpeg", "x", 10, 10, 0);
    EXPECT_TRUE(image.ok());
    const float f[4] = {1, 0, 0, 0};
    auto id = catalog_->AddFace(*image, {0, 0, 5, 5}, f, 0);
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : 0;
  }
  int64_t StoreVersion(const std::string& g) {
    auto r = storage_->groups().GetGroupByName(g);
    return r.ok() ? r->version : -1;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStorage> storage_;
  ChangeFeed feed_;
  Heard heard_;
  uint64_t sub_ = 0;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogFeedTest, EveryGroupChangeIsPublishedWithTheStoresVersion) {
  ASSERT_TRUE(catalog_->CreateGroup("gate_a", 0).ok());
  auto got = heard_.Take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].group_name, "gate_a");
  EXPECT_EQ(got[0].version, StoreVersion("gate_a"));
  EXPECT_GT(got[0].group_id, 0);
  const int64_t gid = got[0].group_id;

  const int64_t face = NewFace();
  EXPECT_TRUE(heard_.Take().empty()) << "a new unbound face changes no group";
  ASSERT_TRUE(catalog_->Bind("gate_a", face, 0).ok());
  got = heard_.Take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].version, StoreVersion("gate_a"));
  EXPECT_EQ(got[0].group_id, gid);
  ASSERT_TRUE(catalog_->Bind("gate_a", face, 0).ok());
  EXPECT_TRUE(heard_.Take().empty()) << "binding a bound face changes nothing";

  ASSERT_TRUE(catalog_->Unbind("gate_a", face, 0).ok());
  got = heard_.Take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].version, StoreVersion("gate_a"));
  EXPECT_FALSE(catalog_->Unbind("gate_a", face, 0).ok());
  EXPECT_TRUE(heard_.Take().empty()) << "a refused change publishes nothing";

  // A face delete unbinds it from each group: one notice per group.
  ASSERT_TRUE(catalog_->CreateGroup("gate_b", 0).ok());
  ASSERT_TRUE(catalog_->Bind("gate_a", face, 0).ok());
  ASSERT_TRUE(catalog_->Bind("gate_b", face, 0).ok());
  heard_.Take();
  ASSERT_TRUE(catalog_->DeleteFace(face, 0).ok());
  got = heard_.Take();
  ASSERT_EQ(got.size(), 2u);
  for (const GroupVersion& v : got) EXPECT_EQ(v.version, StoreVersion(v.group_name)) << v.group_name;

  const int64_t before = StoreVersion("gate_b");
  ASSERT_TRUE(catalog_->DeleteGroup("gate_b", 0).ok());
  got = heard_.Take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].deleted);
  EXPECT_EQ(got[0].group_id, 0);
  EXPECT_EQ(got[0].version, before + 1);
}

TEST_F(CatalogFeedTest, UnsubscribedGroupsAreNotHeard) {
  ASSERT_TRUE(catalog_->CreateGroup("gate_c", 0).ok());
  EXPECT_TRUE(heard_.Take().empty());
}

}  // namespace
}  // namespace facepass::service
