// Groups and bindings: the name rule, each error row of create, delete,
// query, bind and unbind, and the group version every event adds 1 to.
#include "service/groups.h"

#include <gtest/gtest.h>

#include "index/face_index.h"
#include "service/service_fixture.h"
#include "store/database.h"

namespace facepass::service::testing {
namespace {

using GroupsTest = ServiceFixture;

TEST_F(GroupsTest, CreateMakesAnEmptyGroupAtVersionOne) {
  ASSERT_TRUE(groups_->Create("staff_a").ok());
  auto q = groups_->Query("staff_a");
  ASSERT_TRUE(q.ok()) << MessageOf(q);
  EXPECT_EQ(q->name, "staff_a");
  EXPECT_TRUE(q->face_ids.empty());
  EXPECT_EQ(Version("staff_a"), 1);
  EXPECT_EQ(*groups_->List(), std::vector<std::string>{"staff_a"});
}

TEST_F(GroupsTest, CreatingALiveNameIsAConflict) {
  ASSERT_TRUE(groups_->Create("staff_a").ok());
  auto again = groups_->Create("staff_a");
  EXPECT_EQ(CodeOf(again), ErrorCode::kGroupNameConflict);
  EXPECT_EQ(MessageOf(again), "GROUP_NAME_CONFLICT");
  EXPECT_EQ(Version("staff_a"), 1);
}

TEST_F(GroupsTest, NamesOutsideTheRuleAreIllegalEverywhere) {
  ASSERT_TRUE(groups_->Create("staff_a").ok());
  const int64_t alice = Enrol("alice");
  // ^[A-Za-z0-9_]{4,16}$
  for (const std::string bad : {"abc", "abcdefghijklmnopq", "staff-a", "staff a", "staffé", "staff_a\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(MessageOf(groups_->Create(bad)), "ILLEGAL_ARGUMENT: group_name");
    EXPECT_EQ(MessageOf(groups_->Delete(bad)), "ILLEGAL_ARGUMENT: group_name");
    EXPECT_EQ(MessageOf(groups_->Query(bad)), "ILLEGAL_ARGUMENT: group_name");
    EXPECT_EQ(MessageOf(groups_->Bind(bad, alice)), "ILLEGAL_ARGUMENT: group_name");
    EXPECT_EQ(MessageOf(groups_->Unbind(bad, alice)), "ILLEGAL_ARGUMENT: group_name");
  }
  EXPECT_EQ(MessageOf(groups_->Create("")), "MISSING_ARGUMENT: group_name");
  EXPECT_EQ(MessageOf(groups_->Bind("", alice)), "MISSING_ARGUMENT: group_name");
  // The edges of the rule are fine.
  EXPECT_TRUE(groups_->Create("ab_9").ok());
  EXPECT_TRUE(groups_->Create("ABCDEFGHIJKLMNOP").ok());
  EXPECT_EQ(*groups_->List(), (std::vector<std::string>{"ABCDEFGHIJKLMNOP", "ab_9", "staff_a"}));
}

TEST_F(GroupsTest, UnknownGroupsAreNotExist) {
  const int64_t alice = Enrol("alice");
  EXPECT_EQ(CodeOf(groups_->Delete("staff_a")), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(groups_->Query("staff_a")), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(groups_->Bind("staff_a", alice)), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(groups_->Unbind("staff_a", alice)), ErrorCode::kGroupNameNotExist);
  // The group is judged before the face: both unknown is GROUP_NAME_NOT_EXIST.
  EXPECT_EQ(MessageOf(groups_->Bind("staff_a", alice + 100)), "GROUP_NAME_NOT_EXIST");
}

TEST_F(GroupsTest, DeletedGroupIsGoneAndItsNameCanBeReused) {
  const int64_t alice = Enrol("alice");
  MakeGroup("staff_a", {alice});
  const int64_t old_id = GroupId("staff_a");
  ASSERT_EQ(Version("staff_a"), 2);
  ASSERT_TRUE(groups_->Delete("staff_a").ok());
  EXPECT_EQ(CodeOf(groups_->Query("staff_a")), ErrorCode::kGroupNameNotExist);
  EXPECT_EQ(CodeOf(groups_->Delete("staff_a")), ErrorCode::kGroupNameNotExist);
  EXPECT_TRUE(groups_->List()->empty());
  auto old = store().groups().GetGroupById(old_id);
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->deleted);
  EXPECT_EQ(old->version, 3);  // the delete is an event too

  // Create again: a new id, empty, and the version goes on from the delete.
  ASSERT_TRUE(groups_->Create("staff_a").ok());
  EXPECT_NE(GroupId("staff_a"), old_id);
  EXPECT_EQ(Version("staff_a"), 4);
  EXPECT_TRUE(groups_->Query("staff_a")->face_ids.empty());
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 0u);
}

TEST_F(GroupsTest, BindNeedsALiveFace) {
  MakeGroup("staff_a");
  EXPECT_EQ(MessageOf(groups_->Bind("staff_a", 987654)), "FACE_TOKEN_NOT_EXIST");
  const int64_t alice = Enrol("alice");
  ASSERT_TRUE(faces_->Delete(alice).ok());
  EXPECT_EQ(CodeOf(groups_->Bind("staff_a", alice)), ErrorCode::kFaceTokenNotExist);
  EXPECT_EQ(Version("staff_a"), 1);
  EXPECT_TRUE(groups_->Query("staff_a")->face_ids.empty());
}

TEST_F(GroupsTest, BindingTwiceIsIdempotent) {
  const int64_t alice = Enrol("alice");
  MakeGroup("staff_a");
  ASSERT_TRUE(groups_->Bind("staff_a", alice).ok());
  EXPECT_EQ(Version("staff_a"), 2);
  auto again = groups_->Bind("staff_a", alice);
  EXPECT_TRUE(again.ok()) << MessageOf(again);
  EXPECT_EQ(Version("staff_a"), 2);
  EXPECT_EQ(groups_->Query("staff_a")->face_ids, std::vector<int64_t>{alice});
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 1u);
}

TEST_F(GroupsTest, QueryListsTheBoundFacesByFaceId) {
  const int64_t alice = Enrol("alice"), bob = Enrol("bob"), carol = Enrol("carol");
  MakeGroup("staff_a", {carol, alice, bob});
  MakeGroup("staff_b", {bob});
  EXPECT_EQ(groups_->Query("staff_a")->face_ids, (std::vector<int64_t>{alice, bob, carol}));
  EXPECT_EQ(groups_->Query("staff_b")->face_ids, std::vector<int64_t>{bob});
  ExpectIndexMatchesDatabase();
}

TEST_F(GroupsTest, UnbindOfAPairNotBoundIsBindingNotExist) {
  const int64_t alice = Enrol("alice"), bob = Enrol("bob");
  MakeGroup("staff_a", {alice});
  auto never_bound = groups_->Unbind("staff_a", bob);
  EXPECT_EQ(MessageOf(never_bound), "GROUP_BINDING_NOT_EXIST");
  EXPECT_EQ(CodeOf(groups_->Unbind("staff_a", 987654)), ErrorCode::kGroupBindingNotExist);
  EXPECT_EQ(Version("staff_a"), 2);

  ASSERT_TRUE(groups_->Unbind("staff_a", alice).ok());
  EXPECT_EQ(Version("staff_a"), 3);
  EXPECT_TRUE(groups_->Query("staff_a")->face_ids.empty());
  EXPECT_EQ(live_index().GroupSize(GroupId("staff_a")), 0u);
  EXPECT_EQ(CodeOf(groups_->Unbind("staff_a", alice)), ErrorCode::kGroupBindingNotExist);
  EXPECT_EQ(Version("staff_a"), 3);
  // Unbound, not deleted: it can be bound again.
  ASSERT_TRUE(groups_->Bind("staff_a", alice).ok());
  EXPECT_EQ(Version("staff_a"), 4);
}

TEST_F(GroupsTest, EveryEventAddsExactlyOneToTheVersion) {
  const int64_t alice = Enrol("alice"), bob = Enrol("bob");
  MakeGroup("staff_a");                                   // 1
  ASSERT_TRUE(groups_->Bind("staff_a", alice).ok());      // 2
  ASSERT_TRUE(groups_->Bind("staff_a", bob).ok());        // 3
  ASSERT_TRUE(groups_->Bind("staff_a", bob).ok());        // already bound: 3
  ASSERT_TRUE(groups_->Unbind("staff_a", bob).ok());      // 4
  ASSERT_TRUE(faces_->Delete(alice).ok());                // the delete's unbind: 5
  EXPECT_EQ(Version("staff_a"), 5);
  ASSERT_TRUE(faces_->Delete(bob).ok());                  // not bound here: 5
  EXPECT_EQ(Version("staff_a"), 5);
}

TEST_F(GroupsTest, ListHasTheLiveGroupsByName) {
  MakeGroup("zeta_grp");
  MakeGroup("alpha_grp");
  MakeGroup("Mid_grp");
  MakeGroup("gone_grp");
  ASSERT_TRUE(groups_->Delete("gone_grp").ok());
  EXPECT_EQ(*groups_->List(), (std::vector<std::string>{"Mid_grp", "alpha_grp", "zeta_grp"}));
}

}  // namespace
}  // namespace facepass::service::testing
