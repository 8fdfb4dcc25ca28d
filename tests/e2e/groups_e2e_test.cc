// Groups and bindings through the real server.
#include "e2e/server_env.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;

json Names(const std::string& group, const std::string& token) {
  return {{"group_name", group}, {"face_token", token}};
}

TEST(GroupsE2E, Lifecycle) {
  FP_REQUIRE_SERVER();
  const std::string g = "life_cycle";
  Reply created = api.PostJson("/api/group/v1/create", {{"group_name", g}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.data(), json::object());
  Reply conflict = api.PostJson("/api/group/v1/create", {{"group_name", g}});
  EXPECT_EQ(conflict.status, 400);
  EXPECT_EQ(conflict.code(), 104300);
  EXPECT_EQ(conflict.message(), "GROUP_NAME_CONFLICT");

  Reply list = api.Get("/api/group/v1/list");
  ASSERT_EQ(list.status, 200);
  const json groups = list.data()["groups"];
  EXPECT_NE(std::find(groups.begin(), groups.end(), g), groups.end());

  Reply query = api.PostJson("/api/group/v1/query", {{"group_name", g}});
  ASSERT_EQ(query.status, 200);
  EXPECT_EQ(query.data()["group_name"], g);
  EXPECT_EQ(query.data()["faces"], json::array());

  Reply deleted = api.PostJson("/api/group/v1/delete", {{"group_name", g}});
  EXPECT_EQ(deleted.status, 200);
  Reply twice = api.PostJson("/api/group/v1/delete", {{"group_name", g}});
  EXPECT_EQ(twice.code(), 104301);
  EXPECT_EQ(twice.message(), "GROUP_NAME_NOT_EXIST");
  EXPECT_EQ(api.PostJson("/api/group/v1/query", {{"group_name", g}}).code(), 104301);
  // The name can be used again.
  EXPECT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", g}}).status, 200);
}

TEST(GroupsE2E, NameValidation) {
  FP_REQUIRE_SERVER();
  EXPECT_EQ(api.PostJson("/api/group/v1/create", json::object()).message(), "MISSING_ARGUMENT: group_name");
  EXPECT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", ""}}).message(), "MISSING_ARGUMENT: group_name");
  for (const char* bad : {"abc", "with-dash", "seventeen_chars_x", "sp ace", "ünï"}) {
    Reply r = api.PostJson("/api/group/v1/create", {{"group_name", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.message(), "ILLEGAL_ARGUMENT: group_name") << bad;
  }
  EXPECT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", 1234}}).message(), "ILLEGAL_ARGUMENT: group_name");
  EXPECT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "Ab_9"}}).status, 200);
  EXPECT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "sixteen_chars_ok"}}).status, 200);
}

TEST(GroupsE2E, BindAndUnbind) {
  FP_REQUIRE_SERVER();
  const std::string g = "bind_unbind";
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", g}}).status, 200);
  const std::string token = api.Enrol(SharedFace("biden/2.jpg"));
  ASSERT_FALSE(token.empty());

  Reply bind = api.PostJson("/api/group/v1/bind", Names(g, token));
  ASSERT_EQ(bind.status, 200) << bind.body;
  EXPECT_EQ(api.PostJson("/api/group/v1/bind", Names(g, token)).status, 200);  // again: accepted
  Reply query = api.PostJson("/api/group/v1/query", {{"group_name", g}});
  EXPECT_EQ(query.data()["faces"], json::array({token}));

  EXPECT_EQ(api.PostJson("/api/group/v1/bind", Names("no_such_group", token)).message(), "GROUP_NAME_NOT_EXIST");
  EXPECT_EQ(api.PostJson("/api/group/v1/bind", Names(g, "not-a-token")).message(), "ILLEGAL_ARGUMENT: face_token");
  EXPECT_EQ(api.PostJson("/api/group/v1/bind", json::object()).message(), "MISSING_ARGUMENT: group_name,face_token");
  EXPECT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "x"}, {"face_token", "y"}}).message(),
            "ILLEGAL_ARGUMENT: group_name,face_token");

  Reply unbind = api.PostJson("/api/group/v1/unbind", Names(g, token));
  EXPECT_EQ(unbind.status, 200) << unbind.body;
  Reply again = api.PostJson("/api/group/v1/unbind", Names(g, token));
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.code(), 104303);
  EXPECT_EQ(again.message(), "GROUP_BINDING_NOT_EXIST");
  EXPECT_EQ(api.PostJson("/api/group/v1/query", {{"group_name", g}}).data()["faces"], json::array());

  // A deleted face cannot be bound and leaves every group it was in.
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", Names(g, token)).status, 200);
  ASSERT_EQ(api.PostJson("/api/face/v1/delete", {{"face_token", token}}).status, 200);
  EXPECT_EQ(api.PostJson("/api/group/v1/query", {{"group_name", g}}).data()["faces"], json::array());
  EXPECT_EQ(api.PostJson("/api/group/v1/bind", Names(g, token)).message(), "FACE_TOKEN_NOT_EXIST");
}

}  // namespace
}  // namespace facepass::e2e
