// DeviceStore: every sync action on hand-made answers, clear-all, crash
// atomicity, and the local search over what was synced.
#include "client/device_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "client/device_store_fixture.h"
#include "client/local_index.h"

namespace facepass::client {
namespace {

using sync::FaceEntry;
using sync::GroupAction;
using sync::GroupPayload;
using sync::SyncResult;
using testing_util::kDim;
using testing_util::UnitFeature;

FaceEntry Face(const std::string& token, int seed) { return {token, UnitFeature(seed)}; }

SyncResult Answer(std::vector<GroupPayload> groups, bool clear_all = false) {
  SyncResult r;
  r.search_model = "model_a";
  r.dim = kDim;
  r.clear_all = clear_all;
  r.recognize_threshold = 80.5f;
  r.server_time_ms = 1234;
  r.groups = std::move(groups);
  return r;
}

GroupPayload Full(const std::string& name, int64_t id, int64_t version, std::vector<FaceEntry> faces) {
  GroupPayload g;
  g.group_name = name;
  g.group_id = id;
  g.cloud_version = version;
  g.action = GroupAction::kFull;
  g.added = std::move(faces);
  return g;
}

class DeviceStoreTest : public testing_util::DeviceStoreFixture {
 protected:
  Result<ApplyReport> ApplyBytes(const SyncResult& r) {
    Result<std::string> bytes = sync::Encode(r);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return store_->ApplySyncResult(*bytes);
  }
  std::vector<std::string> Tokens(const std::string& group) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->ForEachFace([&](const std::string& g, const std::string& t, std::span<const float>) {
      if (g == group) out.push_back(t);
    }).ok());
    return out;
  }
  // A store with group_a (id 10, v3: A1 A2 A3) and group_b (id 20, v1: B1).
  void Seed() {
    ASSERT_TRUE(store_->AddGroup("group_a").ok());
    ASSERT_TRUE(store_->AddGroup("group_b").ok());
    Result<ApplyReport> r = ApplyBytes(Answer({Full("group_a", 10, 3, {Face("A1", 1), Face("A2", 2), Face("A3", 3)}),
                                               Full("group_b", 20, 1, {Face("B1", 4)})}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
};

TEST_F(DeviceStoreTest, NewGroupsStartAtZeroAndRequestMatchesSpec) {
  ASSERT_TRUE(store_->SetDefaultSearchModel("model_a").ok());
  ASSERT_TRUE(store_->AddGroup("group_a").ok());
  ASSERT_TRUE(store_->AddGroup("group_b").ok());
  ASSERT_TRUE(store_->AddGroup("group_a").ok());  // idempotent
  EXPECT_FALSE(store_->AddGroup("ab").ok());      // too short
  EXPECT_FALSE(store_->AddGroup("bad-name").ok());
  Result<sync::SyncRequest> req = store_->MakeSyncRequest();
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->search_model, "model_a");
  EXPECT_EQ(req->client_version, FACEPASS_VERSION);
  ASSERT_EQ(req->groups.size(), 2u);
  EXPECT_EQ(req->groups[0].group_name, "group_a");
  EXPECT_EQ(req->groups[0].group_id, 0);
  EXPECT_EQ(req->groups[0].local_version, 0);
  nlohmann::json j = sync::ToJson(*req);
  EXPECT_EQ(j["groups"][1]["group_name"], "group_b");
}

// Issue 29: the store asks for format 2 unless told 1, and keeps the labels a
// format-2 answer brings (a format-1 answer brings none).
TEST_F(DeviceStoreTest, AskedFormatAndLabelsOfAFormat2Answer) {
  EXPECT_EQ(store_->MakeSyncRequest()->format, sync::kFormatV2);
  ASSERT_TRUE(store_->SetSyncFormat(sync::kFormatV1).ok());
  EXPECT_EQ(store_->MakeSyncRequest()->format, sync::kFormatV1);
  EXPECT_EQ(store_->SetSyncFormat(3).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open()->MakeSyncRequest()->format, sync::kFormatV1) << "kept in the store";

  ASSERT_TRUE(store_->AddGroup("group_a").ok());
  FaceEntry alice = Face("tokA", 1);
  alice.label = "Alice";
  SyncResult v2 = Answer({Full("group_a", 10, 3, {alice, Face("tokB", 2)})});
  v2.format = sync::kFormatV2;
  ASSERT_TRUE(ApplyBytes(v2).ok());
  EXPECT_EQ(store_->LabelOf("group_a", "tokA")->value_or(""), "Alice");
  EXPECT_FALSE(*store_->LabelOf("group_a", "tokB"));
  EXPECT_FALSE(*store_->LabelOf("group_a", "nope"));

  SyncResult v1 = Answer({Full("group_a", 10, 4, {alice})});  // format 1 drops the label
  ASSERT_TRUE(ApplyBytes(v1).ok());
  EXPECT_FALSE(*store_->LabelOf("group_a", "tokA"));
}

// A store of before labels (schema 1) gains the column; its faces keep no
// label until a format-2 sync brings them.
TEST_F(DeviceStoreTest, ASchema1StoreGainsLabels) {
  ASSERT_TRUE(store_->AddGroup("group_a").ok());
  ASSERT_TRUE(ApplyBytes(Answer({Full("group_a", 10, 3, {Face("tokA", 1)})})).ok());
  store_.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "ALTER TABLE faces DROP COLUMN label; UPDATE meta SET value = '1' WHERE key = 'schema_version'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_EQ(Tokens("group_a"), std::vector<std::string>{"tokA"});
  EXPECT_FALSE(*store_->LabelOf("group_a", "tokA"));
  FaceEntry alice = Face("tokA", 1);
  alice.label = "Alice";
  SyncResult v2 = Answer({Full("group_a", 10, 4, {alice})});
  v2.format = sync::kFormatV2;
  ASSERT_TRUE(ApplyBytes(v2).ok());
  EXPECT_EQ(store_->LabelOf("group_a", "tokA")->value_or(""), "Alice");
}

TEST_F(DeviceStoreTest, FullStoresFacesIdVersionAndThreshold) {
  Seed();
  auto groups = GroupMap();
  EXPECT_EQ(groups["group_a"].group_id, 10);
  EXPECT_EQ(groups["group_a"].local_version, 3);
  EXPECT_EQ(groups["group_a"].face_count, 3);
  EXPECT_EQ(groups["group_b"].face_count, 1);
  Result<StoreInfo> info = store_->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->search_model, "model_a");
  EXPECT_EQ(info->dim, kDim);
  EXPECT_FLOAT_EQ(info->recognize_threshold, 80.5f);
  EXPECT_EQ(info->server_time_ms, 1234);
  EXPECT_GT(info->last_sync_ms, 0);
  Result<sync::SyncRequest> req = store_->MakeSyncRequest();
  EXPECT_EQ(req->groups[0].group_id, 10);
  EXPECT_EQ(req->groups[0].local_version, 3);
  EXPECT_EQ(req->search_model, "model_a");

  // A second FULL (e.g. the group was recreated: new id) replaces the copy.
  Result<ApplyReport> r = ApplyBytes(Answer({Full("group_a", 11, 5, {Face("A9", 9)})}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->groups[0].added, 1);
  EXPECT_EQ(r->groups[0].deleted, 3);
  EXPECT_EQ(Tokens("group_a"), std::vector<std::string>{"A9"});
  EXPECT_EQ(GroupMap()["group_a"].group_id, 11);
  EXPECT_EQ(GroupMap()["group_b"].face_count, 1);  // untouched
}

TEST_F(DeviceStoreTest, IncrementalDeletesThenUpserts) {
  Seed();
  GroupPayload inc;
  inc.group_name = "group_a";
  inc.group_id = 10;
  inc.local_version = 3;
  inc.cloud_version = 6;
  inc.action = GroupAction::kIncremental;
  inc.added = {Face("A4", 5), Face("A1", 6)};  // A1 re-bound: replaced, not duplicated
  inc.deleted = {"A2", "nonexistent"};
  Result<ApplyReport> r = ApplyBytes(Answer({inc}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->groups[0].deleted, 1);
  EXPECT_EQ(r->groups[0].added, 2);
  EXPECT_EQ(Tokens("group_a"), (std::vector<std::string>{"A1", "A3", "A4"}));
  EXPECT_EQ(GroupMap()["group_a"].local_version, 6);
  EXPECT_EQ(GroupMap()["group_a"].group_id, 10);
}

TEST_F(DeviceStoreTest, StaleIncrementIsSkipped) {
  Seed();
  GroupPayload inc;
  inc.group_name = "group_a";
  inc.group_id = 10;
  inc.local_version = 2;  // computed for an older copy
  inc.cloud_version = 6;
  inc.action = GroupAction::kIncremental;
  inc.deleted = {"A1"};
  Result<ApplyReport> r = ApplyBytes(Answer({inc}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->groups[0].skipped);
  EXPECT_EQ(GroupMap()["group_a"].local_version, 3);
  EXPECT_EQ(Tokens("group_a").size(), 3u);
}

TEST_F(DeviceStoreTest, KeepLocalAndNoneChangeNothing) {
  Seed();
  GroupPayload keep;
  keep.group_name = "group_a";
  keep.local_version = 3;
  keep.action = GroupAction::kKeepLocal;
  GroupPayload none;
  none.group_name = "group_b";
  none.group_id = 20;
  none.local_version = 1;
  none.cloud_version = 1;
  none.action = GroupAction::kNone;
  Result<ApplyReport> r = ApplyBytes(Answer({keep, none}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto groups = GroupMap();
  EXPECT_EQ(groups["group_a"].group_id, 10);
  EXPECT_EQ(groups["group_a"].local_version, 3);
  EXPECT_EQ(groups["group_a"].face_count, 3);
  EXPECT_EQ(groups["group_b"].local_version, 1);
  EXPECT_EQ(groups["group_b"].face_count, 1);
  EXPECT_EQ(r->total_added(), 0);
  EXPECT_EQ(r->total_deleted(), 0);
}

TEST_F(DeviceStoreTest, ClearAllWipesEverythingThenLoads) {
  Seed();
  ASSERT_TRUE(store_->AddGroup("group_c").ok());
  SyncResult r = Answer({Full("group_a", 10, 3, {Face("N1", 11)})}, /*clear_all=*/true);
  r.search_model = "model_b";
  r.dim = kDim;
  Result<ApplyReport> rep = ApplyBytes(r);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_TRUE(rep->clear_all);
  auto groups = GroupMap();
  EXPECT_EQ(Tokens("group_a"), std::vector<std::string>{"N1"});
  EXPECT_EQ(groups["group_b"].face_count, 0);  // not in the answer: cleared, refetched next time
  EXPECT_EQ(groups["group_b"].group_id, 0);
  EXPECT_EQ(groups["group_b"].local_version, 0);
  EXPECT_EQ(store_->Info()->search_model, "model_b");
  EXPECT_EQ(store_->MakeSyncRequest()->search_model, "model_b");
}

TEST_F(DeviceStoreTest, OtherDimensionWithoutClearAllIsRefused) {
  Seed();
  SyncResult r;
  r.search_model = "model_a";
  r.dim = 4;
  r.groups = {Full("group_a", 10, 9, {{"X", {1, 0, 0, 0}}})};
  Result<ApplyReport> rep = ApplyBytes(r);
  EXPECT_EQ(rep.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Tokens("group_a").size(), 3u);
}

TEST_F(DeviceStoreTest, UnconfiguredGroupsAreIgnored) {
  Seed();
  Result<ApplyReport> r = ApplyBytes(Answer({Full("stranger", 99, 1, {Face("S1", 1)})}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->groups[0].skipped);
  EXPECT_EQ(GroupMap().count("stranger"), 0u);
}

TEST_F(DeviceStoreTest, CorruptStreamChangesNothing) {
  Seed();
  std::string bytes = *sync::Encode(Answer({Full("group_a", 10, 9, {})}));
  bytes[bytes.size() / 2] ^= 1;
  Result<ApplyReport> r = store_->ApplySyncResult(bytes);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(GroupMap()["group_a"].local_version, 3);
  EXPECT_EQ(store_->ApplySyncResult("").status().code(), StatusCode::kCorruption);
}

TEST_F(DeviceStoreTest, FailureMidApplyRollsBack) {
  Seed();
  store_->SetApplyHookForTesting([](size_t gi) {
    return gi == 1 ? Status::IoError("simulated failure") : Status::OK();
  });
  Result<ApplyReport> r = ApplyBytes(Answer({Full("group_a", 10, 7, {Face("Z1", 1)}),
                                             Full("group_b", 20, 7, {Face("Z2", 2)})},
                                            /*clear_all=*/true));
  EXPECT_FALSE(r.ok());
  auto groups = GroupMap();
  EXPECT_EQ(groups["group_a"].local_version, 3);
  EXPECT_EQ(Tokens("group_a"), (std::vector<std::string>{"A1", "A2", "A3"}));
  EXPECT_EQ(Tokens("group_b"), std::vector<std::string>{"B1"});
}

// A process killed with SIGKILL in the middle of a large apply leaves the old copy.
TEST_F(DeviceStoreTest, CrashMidApplyLeavesOldCopy) {
  Seed();
  store_.reset();
  std::vector<FaceEntry> many;
  for (int i = 0; i < 500; ++i) many.push_back(Face("K" + std::to_string(i), i));
  std::string bytes = *sync::Encode(Answer({Full("group_a", 10, 50, many), Full("group_b", 20, 50, many)},
                                           /*clear_all=*/true));
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Result<std::unique_ptr<DeviceStore>> s = DeviceStore::Open(path_);
    if (!s.ok()) ::_exit(3);
    (*s)->SetApplyHookForTesting([](size_t gi) {
      if (gi == 1) ::raise(SIGKILL);  // group_a written, group_b written, not committed
      return Status::OK();
    });
    (void)(*s)->ApplySyncResult(bytes);
    ::_exit(4);  // never reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exit " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  store_ = Open();
  ASSERT_TRUE(store_);
  auto groups = GroupMap();
  EXPECT_EQ(groups["group_a"].local_version, 3);
  EXPECT_EQ(groups["group_b"].local_version, 1);
  EXPECT_EQ(Tokens("group_a"), (std::vector<std::string>{"A1", "A2", "A3"}));
  EXPECT_EQ(Tokens("group_b"), std::vector<std::string>{"B1"});
  // And the store still works: the same answer applies cleanly now.
  Result<ApplyReport> r = store_->ApplySyncResult(bytes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(GroupMap()["group_b"].face_count, 500);
}

TEST_F(DeviceStoreTest, SurvivesReopen) {
  Seed();
  store_ = Open();
  EXPECT_EQ(GroupMap()["group_a"].face_count, 3);
  EXPECT_FLOAT_EQ(store_->Info()->recognize_threshold, 80.5f);
}

TEST_F(DeviceStoreTest, RemoveGroupDropsFaces) {
  Seed();
  ASSERT_TRUE(store_->RemoveGroup("group_a").ok());
  EXPECT_EQ(GroupMap().count("group_a"), 0u);
  EXPECT_TRUE(Tokens("group_a").empty());
  EXPECT_EQ(store_->RemoveGroup("group_a").code(), StatusCode::kNotFound);
}

TEST_F(DeviceStoreTest, LocalIndexFindsSyncedFaces) {
  Seed();
  Result<LocalIndex> index = LocalIndex::Load(*store_);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->dim(), kDim);
  EXPECT_EQ(index->size("group_a"), 3u);
  for (int seed = 1; seed <= 3; ++seed) {
    Result<std::vector<LocalMatch>> m = index->Search("group_a", UnitFeature(seed), 2);
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->size(), 2u);
    EXPECT_EQ((*m)[0].face_token, "A" + std::to_string(seed));
    EXPECT_NEAR((*m)[0].similarity, 1.0f, 1e-5);
    EXPECT_LT((*m)[1].similarity, (*m)[0].similarity);
  }
  // Group B's face is not a candidate in group A.
  EXPECT_NE((*index->Search("group_a", UnitFeature(4), 1))[0].face_token, "B1");
  EXPECT_TRUE(index->Search("nogroup", UnitFeature(1), 1)->empty());
  EXPECT_FALSE(index->Search("group_a", std::vector<float>(3, 0.f), 1).ok());
}

}  // namespace
}  // namespace facepass::client
