// The storage contract under concurrent writers on different connections (as
// two nodes, or two processes, would be): one group's versions stay gapless
// and read the same from every connection.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/contract_fixture.h"

namespace facepass::store::testing_util {
namespace {

class ContractConcurrency : public ContractTest {};

// Replays a group's change log from its create: the bound set it gives.
std::set<int64_t> Replay(const std::vector<domain::GroupChange>& changes) {
  std::set<int64_t> bound;
  for (const auto& c : changes) {
    if (c.bound) bound.insert(c.face_id);
    else bound.erase(c.face_id);
  }
  return bound;
}

TEST_P(ContractConcurrency, BindAndUnbindFromTwoConnectionsStayGapless) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  auto g = s().groups().CreateGroup("door", 1);
  ASSERT_TRUE(g.ok());
  constexpr int kFaces = 24;
  std::vector<int64_t> faces;
  for (int i = 0; i < kFaces; ++i) faces.push_back(AddFace(static_cast<float>(i)));
  // The second connection's half starts bound, so it has something to unbind.
  for (int i = kFaces / 2; i < kFaces; ++i) ASSERT_TRUE(s().groups().Bind(g->id, faces[i], 2).ok());
  const int64_t start = s().groups().GetGroupById(g->id)->version;

  std::atomic<int> changes{0}, failures{0};
  auto work = [&](domain::Storage& st, bool binder) {
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < kFaces / 2; ++i) {
        const int64_t face = binder ? faces[i] : faces[kFaces / 2 + i];
        // Binder: bind, unbind, bind... its half; unbinder: the mirror image.
        const bool bind = binder ? round % 2 == 0 : round % 2 == 1;
        if (bind) {
          auto r = st.groups().Bind(g->id, face, 10);
          if (!r.ok()) ++failures;
          else if (*r) ++changes;
        } else {
          auto r = st.groups().Unbind(g->id, face, 10);
          if (!r.ok()) ++failures;
          else ++changes;
        }
      }
    }
  };
  std::thread a(work, std::ref(s()), true);
  std::thread b(work, std::ref(*other), false);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(changes.load(), 3 * kFaces);

  auto here = s().groups().ChangesSince(g->id, start);
  auto there = other->groups().ChangesSince(g->id, start);
  ASSERT_TRUE(here.ok() && here->has_value());
  ASSERT_TRUE(there.ok() && there->has_value());
  ASSERT_EQ((*here)->size(), static_cast<size_t>(changes.load()));
  for (size_t i = 0; i < (*here)->size(); ++i) {
    EXPECT_EQ((**here)[i].version, start + 1 + static_cast<int64_t>(i));  // gapless
    EXPECT_EQ((**here)[i].face_id, (**there)[i].face_id);                 // the same for every reader
    EXPECT_EQ((**here)[i].bound, (**there)[i].bound);
  }
  EXPECT_EQ(other->groups().GetGroupById(g->id)->version, start + changes.load());

  auto log = s().groups().ChangesSince(g->id, 1);
  auto bound = s().groups().GroupFaceIds(g->id);
  ASSERT_TRUE(log.ok() && log->has_value() && bound.ok());
  const std::set<int64_t> replayed = Replay(**log);
  EXPECT_EQ(std::vector<int64_t>(replayed.begin(), replayed.end()), *bound);
  EXPECT_EQ(bound->size(), static_cast<size_t>(kFaces / 2));  // bind-unbind-bind, unbind-bind-unbind
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

TEST_P(ContractConcurrency, OneOfTwoRacingCreatesOfANameWins) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  for (int round = 0; round < 5; ++round) {
    const std::string name = "race" + std::to_string(round);
    Result<domain::GroupRecord> r1 = Status::Internal("not run"), r2 = Status::Internal("not run");
    std::thread a([&] { r1 = s().groups().CreateGroup(name, 1); });
    std::thread b([&] { r2 = other->groups().CreateGroup(name, 1); });
    a.join();
    b.join();
    EXPECT_NE(r1.ok(), r2.ok()) << name;
    const Result<domain::GroupRecord>& lost = r1.ok() ? r2 : r1;
    EXPECT_EQ(lost.status().code(), StatusCode::kAlreadyExists) << lost.status().ToString();
  }
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

TEST_P(ContractConcurrency, FaceDeleteRacingBindsLeavesNoBindingToADeletedFace) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  std::vector<int64_t> groups;
  for (int i = 0; i < 4; ++i) groups.push_back(s().groups().CreateGroup("g" + std::to_string(i), 1)->id);
  for (int round = 0; round < 6; ++round) {
    const int64_t face = AddFace(static_cast<float>(round));
    std::thread binder([&] {
      for (int64_t g : groups) (void)other->groups().Bind(g, face, 2);
    });
    std::thread deleter([&] { (void)s().faces().DeleteFace(face, 3); });
    binder.join();
    deleter.join();
  }
  EXPECT_TRUE(s().CheckIntegrity(domain::IntegrityCheck::kFull).ok());
  EXPECT_TRUE(other->CheckIntegrity(domain::IntegrityCheck::kFull).ok());
}

FP_INSTANTIATE_CONTRACT(ContractConcurrency);

}  // namespace
}  // namespace facepass::store::testing_util
