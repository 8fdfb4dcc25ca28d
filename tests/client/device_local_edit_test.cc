// Local edits of the device's groups (the spec's offline mode, 底库同步 point 9),
// without HTTP: the version rule (every edit sets the group's local_version to
// 0, with the change), the local id scheme, how the next sync answers treat an
// edited group, and a SIGKILL during edits leaving the store before or after one.
#include "client/device_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "client/device_store_fixture.h"
#include "client/local_face.h"
#include "client/local_index.h"
#include "store/token_cipher.h"

namespace facepass::client {
namespace {

using sync::FaceEntry;
using sync::GroupAction;
using sync::GroupPayload;
using sync::SyncResult;
using testing_util::kDim;
using testing_util::UnitFeature;

constexpr char kModel[] = "model_a";

SyncResult Answer(std::vector<GroupPayload> groups) {
  SyncResult r;
  r.search_model = kModel;
  r.dim = kDim;
  r.recognize_threshold = 80;
  r.server_time_ms = 1234;
  r.groups = std::move(groups);
  return r;
}

GroupPayload Group(const std::string& name, GroupAction action, int64_t id, int64_t local_version,
                   int64_t cloud_version, std::vector<std::string> added = {}) {
  GroupPayload g;
  g.group_name = name;
  g.group_id = id;
  g.local_version = local_version;
  g.cloud_version = cloud_version;
  g.action = action;
  for (size_t i = 0; i < added.size(); ++i) g.added.push_back({added[i], UnitFeature(static_cast<int>(i) + 1)});
  return g;
}

class LocalEditTest : public testing_util::DeviceStoreFixture {
 protected:
  // gate_a: id 5 at cloud version 3 with C1, C2; gate_b: id 6 at version 7 with C3.
  void Seed() {
    ASSERT_TRUE(store_->AddGroup("gate_a").ok());
    ASSERT_TRUE(store_->AddGroup("gate_b").ok());
    Result<ApplyReport> r = store_->Apply(Answer({Group("gate_a", GroupAction::kFull, 5, 0, 3, {"C1", "C2"}),
                                                  Group("gate_b", GroupAction::kFull, 6, 0, 7, {"C3"})}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::vector<std::string> Tokens(const std::string& group) {
    std::vector<std::string> out;
    Result<std::vector<LocalFace>> faces = store_->ListFaces(group);
    EXPECT_TRUE(faces.ok()) << faces.status().ToString();
    if (faces.ok()) {
      for (const LocalFace& f : *faces) out.push_back(f.face_token);
    }
    return out;
  }
};

TEST(LocalFaceId, NeverACloudToken) {
  EXPECT_EQ(LocalFaceToken(1), "local:1");
  EXPECT_TRUE(IsLocalFaceToken("local:42"));
  EXPECT_FALSE(IsLocalFaceToken("C1"));
  // The cloud's tokens (the server's cipher) never carry the prefix nor a ':'.
  std::array<uint8_t, 16> aes{};
  std::array<uint8_t, 32> mac{};
  for (size_t i = 0; i < aes.size(); ++i) aes[i] = static_cast<uint8_t>(i * 13 + 1);
  for (size_t i = 0; i < mac.size(); ++i) mac[i] = static_cast<uint8_t>(i * 7 + 3);
  store::TokenCipher cipher(aes, mac);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const int64_t id = i < 1000 ? i + 1 : static_cast<int64_t>(rng() >> 1);
    const std::string token = cipher.Encode(store::TokenKind::kFace, id);
    EXPECT_EQ(token.find(':'), std::string::npos) << token;
    EXPECT_FALSE(IsLocalFaceToken(token)) << token;
  }
}

TEST_F(LocalEditTest, EnrolSetsOnlyThatGroupsVersionToZero) {
  Seed();
  Result<std::string> t = store_->AddLocalFace("gate_a", kModel, UnitFeature(9));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, "local:1");
  auto groups = GroupMap();
  EXPECT_EQ(groups["gate_a"].local_version, 0);
  EXPECT_EQ(groups["gate_a"].group_id, 5);  // the id stays: the next sync names the same group
  EXPECT_EQ(groups["gate_a"].face_count, 3);
  EXPECT_EQ(groups["gate_b"].local_version, 7);
  EXPECT_GT(store_->Info()->last_local_edit_ms, 0);

  Result<sync::SyncRequest> req = store_->MakeSyncRequest();
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->groups[0].group_name, "gate_a");
  EXPECT_EQ(req->groups[0].group_id, 5);
  EXPECT_EQ(req->groups[0].local_version, 0);
  EXPECT_EQ(req->groups[1].local_version, 7);

  // Listed, local ones marked; the next id counts on.
  Result<std::vector<LocalFace>> faces = store_->ListFaces("gate_a");
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 3u);
  EXPECT_EQ((*faces)[2].face_token, "local:1");
  EXPECT_TRUE((*faces)[2].local);
  EXPECT_FALSE((*faces)[0].local);
  EXPECT_EQ(*store_->AddLocalFace("gate_b", kModel, UnitFeature(10)), "local:2");
  EXPECT_EQ(GroupMap()["gate_b"].local_version, 0);

  // And the local index finds it.
  Result<LocalIndex> index = LocalIndex::Load(*store_);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index->Search("gate_a", UnitFeature(9), 1))[0].face_token, "local:1");
}

TEST_F(LocalEditTest, DeleteSetsVersionToZeroAMissingFaceChangesNothing) {
  Seed();
  EXPECT_EQ(store_->DeleteFace("gate_a", "nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteFace("no_group", "C1").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteFace("gate_a", "C3").code(), StatusCode::kNotFound);  // C3 is gate_b's
  EXPECT_EQ(GroupMap()["gate_a"].local_version, 3);
  EXPECT_EQ(store_->Info()->last_local_edit_ms, 0);

  ASSERT_TRUE(store_->DeleteFace("gate_a", "C1").ok());  // a synced face may be deleted locally too
  EXPECT_EQ(Tokens("gate_a"), std::vector<std::string>{"C2"});
  EXPECT_EQ(GroupMap()["gate_a"].local_version, 0);
  EXPECT_EQ(GroupMap()["gate_b"].local_version, 7);
}

TEST_F(LocalEditTest, NextFullSyncRestoresTheCloudsCopy) {
  Seed();
  ASSERT_TRUE(store_->AddLocalFace("gate_a", kModel, UnitFeature(9)).ok());
  ASSERT_TRUE(store_->DeleteFace("gate_a", "C1").ok());
  // The server answers local_version 0 with FULL (see sync_repo's SyncDelta).
  Result<ApplyReport> r = store_->Apply(Answer({Group("gate_a", GroupAction::kFull, 5, 0, 3, {"C1", "C2"})}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Tokens("gate_a"), (std::vector<std::string>{"C1", "C2"}));
  EXPECT_EQ(GroupMap()["gate_a"].local_version, 3);
  // Ids are never reused on this store.
  EXPECT_EQ(*store_->AddLocalFace("gate_a", kModel, UnitFeature(9)), "local:2");
}

TEST_F(LocalEditTest, AnswersComputedBeforeTheEditDoNotHideIt) {
  Seed();
  ASSERT_TRUE(store_->AddLocalFace("gate_a", kModel, UnitFeature(9)).ok());
  // An INCREMENTAL for version 3 (requested before the edit) is stale now.
  GroupPayload inc = Group("gate_a", GroupAction::kIncremental, 5, 3, 4, {"C4"});
  Result<ApplyReport> r = store_->Apply(Answer({inc}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->groups[0].skipped);
  // A NONE for version 3 does not restore the version either.
  r = store_->Apply(Answer({Group("gate_a", GroupAction::kNone, 5, 3, 3)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GroupMap()["gate_a"].local_version, 0);
  EXPECT_EQ(GroupMap()["gate_a"].face_count, 3);
  // KEEP_LOCAL (the cloud lost the group) keeps the edit and version 0.
  r = store_->Apply(Answer({Group("gate_a", GroupAction::kKeepLocal, 0, 0, 0)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(GroupMap()["gate_a"].local_version, 0);
  EXPECT_EQ(Tokens("gate_a").back(), "local:1");
}

TEST_F(LocalEditTest, ACloudTokenWithTheLocalPrefixIsRefused) {
  Seed();
  Result<ApplyReport> r = store_->Apply(Answer({Group("gate_a", GroupAction::kFull, 5, 0, 4, {"local:1"})}));
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  EXPECT_EQ(Tokens("gate_a"), (std::vector<std::string>{"C1", "C2"}));
}

TEST_F(LocalEditTest, NeverSyncedStoreTakesTheEnginesModel) {
  ASSERT_TRUE(store_->AddGroup("gate_a").ok());
  EXPECT_EQ(store_->AddLocalFace("gate_x", kModel, UnitFeature(1)).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->AddLocalFace("gate_a", kModel, UnitFeature(1)).ok());
  Result<StoreInfo> info = store_->Info();
  EXPECT_EQ(info->search_model, kModel);
  EXPECT_EQ(info->dim, kDim);
  EXPECT_EQ(info->last_sync_ms, 0);
  EXPECT_EQ(store_->MakeSyncRequest()->search_model, kModel);
  // Features of another model or length are not mixed in.
  EXPECT_EQ(store_->AddLocalFace("gate_a", "model_b", UnitFeature(2)).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AddLocalFace("gate_a", kModel, std::vector<float>(8, 0.5f)).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(GroupMap()["gate_a"].face_count, 1);
}

// Edit i of a fixed sequence: every third deletes the face the edit before added.
bool IsDelete(int i) { return i % 3 == 2; }
int AddsBefore(int i) {
  int n = 0;
  for (int k = 0; k < i; ++k) n += IsDelete(k) ? 0 : 1;
  return n;
}

// The local faces of gate_a after the first n edits (local ids count from 1 per add).
std::set<std::string> ExpectedAfter(int n) {
  std::set<std::string> out;
  for (int i = 0; i < n; ++i) {
    if (IsDelete(i)) {
      out.erase(LocalFaceToken(AddsBefore(i)));
    } else {
      out.insert(LocalFaceToken(AddsBefore(i) + 1));
    }
  }
  return out;
}

// The child: edits from `first` on, writing 'o' once the store is open, 'h'
// when inside an edit's transaction and 'd' after each committed edit.
[[noreturn]] void EditForever(const std::filesystem::path& path, int first, int fd, unsigned hook_us) {
  Result<std::unique_ptr<DeviceStore>> s = DeviceStore::Open(path);
  if (!s.ok()) ::_exit(3);
  (void)!::write(fd, "o", 1);
  (*s)->SetEditHookForTesting([&] {
    (void)!::write(fd, "h", 1);
    if (hook_us) ::usleep(hook_us);
  });
  for (int i = first;; ++i) {
    if (IsDelete(i)) {
      if (!(*s)->DeleteFace("gate_a", LocalFaceToken(AddsBefore(i))).ok()) ::_exit(4);
    } else {
      Result<std::string> t = (*s)->AddLocalFace("gate_a", kModel, UnitFeature(i));
      if (!t.ok() || *t != LocalFaceToken(AddsBefore(i) + 1)) ::_exit(5);
    }
    (void)!::write(fd, "d", 1);
  }
}

// A child process edits in a loop and is killed with SIGKILL at random points,
// often inside an edit's transaction (the hook sleeps there). After each kill
// the reopened store is exactly the state before or after one edit, and the
// edited group's version is 0 with it.
TEST_F(LocalEditTest, KillDuringLocalEditsLeavesBeforeOrAfter) {
  Seed();
  store_.reset();
  std::mt19937 rng(12345);
  int done = 0;  // edits the store holds
  int inside_kills = 0;
  for (int round = 0; round < 25; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const unsigned hook_us = rng() % 2000;
    const unsigned kill_after_us = 2000 + rng() % 30000;
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      EditForever(path_, done, fds[1], hook_us);
    }
    ::close(fds[1]);
    // The kill's delay counts from the open store, not from the fork: on a
    // loaded box (sanitizers, a build beside) opening alone took the delay.
    char opened = 0;
    ASSERT_EQ(::read(fds[0], &opened, 1), 1) << "round " << round << ": the child did not open the store";
    ASSERT_EQ(opened, 'o');
    ::usleep(kill_after_us);
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exit " << WEXITSTATUS(status);
    std::string trace;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) trace.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    const int committed = static_cast<int>(std::count(trace.begin(), trace.end(), 'd'));
    if (!trace.empty() && trace.back() == 'h') ++inside_kills;

    store_ = Open();
    ASSERT_TRUE(store_);
    std::set<std::string> local;
    for (const std::string& t : Tokens("gate_a")) {
      if (IsLocalFaceToken(t)) local.insert(t);
    }
    const int before = done + committed;
    if (local == ExpectedAfter(before)) {
      done = before;
    } else {
      ASSERT_EQ(local, ExpectedAfter(before + 1)) << "round " << round << ": neither before nor after edit " << before;
      done = before + 1;  // committed, killed before it could say so
    }
    auto groups = GroupMap();
    EXPECT_EQ(groups["gate_a"].local_version, done > 0 ? 0 : 3);
    EXPECT_EQ(groups["gate_a"].group_id, 5);
    EXPECT_EQ(groups["gate_a"].face_count, static_cast<int64_t>(local.size()) + 2);  // + C1, C2
    EXPECT_EQ(groups["gate_b"].local_version, 7);
    store_.reset();
  }
  EXPECT_GT(done, 10) << "the child hardly edited";
  EXPECT_GT(inside_kills, 0) << "no kill landed inside an edit";
  // The store still works: the next id follows the last one used.
  store_ = Open();
  Result<std::string> t = store_->AddLocalFace("gate_a", kModel, UnitFeature(1000));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, LocalFaceToken(AddsBefore(done) + 1));
}

}  // namespace
}  // namespace facepass::client
