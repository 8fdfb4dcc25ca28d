// Device sync plans without HTTP: the action per group (FULL, INCREMENTAL,
// NONE, KEEP_LOCAL), clear_all on another model, the name rule, and the
// status record of the device.
#include "service/device_sync.h"

#include <gtest/gtest.h>

#include "service/service_fixture.h"
#include "store/database.h"

namespace facepass::service::testing {
namespace {

using sync::GroupAction;

class DeviceSyncTest : public ServiceFixture {
 protected:
  sync::SyncRequest Request(std::vector<sync::SyncRequest::Group> groups) {
    sync::SyncRequest r;
    r.search_model = analyzer_.search_model();
    r.client_version = "v1.0.0";
    r.groups = std::move(groups);
    return r;
  }
  SyncPlan Plan(const sync::SyncRequest& r, const std::string& ip = "10.0.0.9") {
    auto p = sync_->Sync(r, ip);
    EXPECT_TRUE(p.ok()) << MessageOf(p);
    return p.ok() ? *p : SyncPlan{};
  }
};

TEST_F(DeviceSyncTest, NeverSyncedDeviceGetsTheWholeGroup) {
  const int64_t alice = Enrol("alice"), bob = Enrol("bob");
  MakeGroup("gate_a", {alice, bob});
  SyncPlan p = Plan(Request({{"gate_a", 0, 0}}));
  ASSERT_EQ(p.groups.size(), 1u);
  EXPECT_FALSE(p.clear_all);
  EXPECT_EQ(p.groups[0].action, GroupAction::kFull);
  EXPECT_EQ(p.groups[0].group_id, GroupId("gate_a"));
  EXPECT_EQ(p.groups[0].cloud_version, Version("gate_a"));
  EXPECT_EQ(p.groups[0].added.size(), 2u);
  EXPECT_EQ(p.recognize_threshold, 78);
}

TEST_F(DeviceSyncTest, UpToDateIsNoneAndAnOlderVersionGetsTheDelta) {
  const int64_t alice = Enrol("alice"), bob = Enrol("bob");
  MakeGroup("gate_a", {alice, bob});
  const int64_t id = GroupId("gate_a"), v = Version("gate_a");
  EXPECT_EQ(Plan(Request({{"gate_a", id, v}})).groups.at(0).action, GroupAction::kNone);

  ASSERT_TRUE(groups_->Unbind("gate_a", bob).ok());
  const int64_t carol = Enrol("carol");
  ASSERT_TRUE(groups_->Bind("gate_a", carol).ok());
  SyncPlan p = Plan(Request({{"gate_a", id, v}}));
  const SyncGroupPlan& g = p.groups.at(0);
  EXPECT_EQ(g.action, GroupAction::kIncremental);
  EXPECT_EQ(g.cloud_version, v + 2);
  ASSERT_EQ(g.added.size(), 1u);
  EXPECT_EQ(g.added[0].first, carol);
  EXPECT_EQ(g.deleted, std::vector<int64_t>{bob});
}

TEST_F(DeviceSyncTest, ARecreatedGroupOrAVersionAheadIsFull) {
  MakeGroup("gate_a", {Enrol("alice")});
  const int64_t old_id = GroupId("gate_a"), v = Version("gate_a");
  EXPECT_EQ(Plan(Request({{"gate_a", old_id, v + 5}})).groups.at(0).action, GroupAction::kFull);
  ASSERT_TRUE(groups_->Delete("gate_a").ok());
  MakeGroup("gate_a", {Enrol("bob")});
  SyncPlan p = Plan(Request({{"gate_a", old_id, v}}));
  EXPECT_EQ(p.groups.at(0).action, GroupAction::kFull);
  EXPECT_NE(p.groups.at(0).group_id, old_id);
}

TEST_F(DeviceSyncTest, AGroupTheCloudLacksIsKeptLocally) {
  SyncPlan p = Plan(Request({{"gate_x", 7, 3}}));
  EXPECT_EQ(p.groups.at(0).action, GroupAction::kKeepLocal);
  EXPECT_TRUE(p.groups.at(0).added.empty());
  auto status = sync_->DeviceStatus();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->size(), 1u);
  ASSERT_EQ(status->at(0).groups.size(), 1u);
  EXPECT_EQ(status->at(0).groups[0].result_code, 1);
  EXPECT_EQ(status->at(0).groups[0].group_id, 7) << "the status records the device's own id";
}

TEST_F(DeviceSyncTest, AnotherModelClearsAllAndGetsFull) {
  MakeGroup("gate_a", {Enrol("alice")});
  sync::SyncRequest r = Request({{"gate_a", GroupId("gate_a"), Version("gate_a")}});
  r.search_model = "some-other-embedder";
  SyncPlan p = Plan(r);
  EXPECT_TRUE(p.clear_all);
  EXPECT_EQ(p.search_model, analyzer_.search_model());
  EXPECT_EQ(p.groups.at(0).action, GroupAction::kFull);
}

TEST_F(DeviceSyncTest, IllegalNamesAreRefusedByIndexAndNothingIsRecorded) {
  auto r = sync_->Sync(Request({{"gate_a", 0, 0}, {"no", 0, 0}, {"bad-name", 0, 0}}), "10.0.0.9");
  EXPECT_EQ(CodeOf(r), ErrorCode::kIllegalArgument);
  EXPECT_NE(MessageOf(r).find("groups[1].group_name"), std::string::npos) << MessageOf(r);
  EXPECT_NE(MessageOf(r).find("groups[2].group_name"), std::string::npos) << MessageOf(r);
  EXPECT_EQ(MessageOf(r).find("groups[0]"), std::string::npos) << MessageOf(r);
  auto status = sync_->DeviceStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->empty());
}

TEST_F(DeviceSyncTest, StatusRecordsEachDeviceByIp) {
  MakeGroup("gate_a", {Enrol("alice")});
  Plan(Request({{"gate_a", 0, 0}}), "10.0.0.2");
  Plan(Request({{"gate_a", 0, 0}}), "10.0.0.1");
  auto status = sync_->DeviceStatus();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->size(), 2u);
  EXPECT_EQ(status->at(0).ip, "10.0.0.1");
  EXPECT_EQ(status->at(1).ip, "10.0.0.2");
  EXPECT_EQ(status->at(0).client_version, "v1.0.0");
  EXPECT_GT(status->at(0).sync_time_ms, 0);
}

}  // namespace
}  // namespace facepass::service::testing
