// A full disk through the real server (issue 13), by the store's test-only
// seam (store/write_fault.h): while FACEPASS_TEST_ENOSPC_FILE exists every
// durable file write fails with ENOSPC. A face add then answers 500
// INTERNAL_ERROR (105000) and leaves nothing behind; what was acknowledged
// stays readable; writes succeed again once space returns; a kill -9 after
// all that loses nothing and the data directory passes `facepass check`.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "e2e/api_fixture.h"
#include "store/data_check.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;

// Image files in the store (tmp/ included: a failed write must not leave one there).
int CountFiles(const fs::path& images) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(images, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file()) ++n;
  return n;
}

int OpenFds(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

TEST(DiskFullE2E, WritesFailCleanlyNothingAcknowledgedIsLostAndSpaceReturning) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-enospc");
  const fs::path full = dir.string() + ".disk-full";
  ::setenv("FACEPASS_TEST_ENOSPC_FILE", full.c_str(), 1);
  auto server = testing::ServerProcess::Start(dir);
  ::unsetenv("FACEPASS_TEST_ENOSPC_FILE");
  ASSERT_NE(server, nullptr);
  Api api(*server);
  const std::string photo_a = SharedFace("obama/1.jpg"), photo_b = SharedFace("biden/2.jpg");
  Reply added = api.AddFace(photo_a);
  ASSERT_EQ(added.status, 200) << added.body;
  const std::string token_a = added.data()["face_token"], image_a = added.data()["image_id"];
  ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "full_g"}}).status, 200);
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "full_g"}, {"face_token", token_a}}).status, 200);

  // The disk fills up.
  const int files_before = CountFiles(dir / "images");
  const int fds_before = OpenFds(server->pid());
  std::ofstream(full).put('x');
  for (int i = 0; i < 5; ++i) {
    Reply r = api.AddFace(photo_b);
    EXPECT_EQ(r.status, 500) << r.body;
    EXPECT_EQ(r.code(), 105000) << r.body;
    EXPECT_EQ(r.message(), "INTERNAL_ERROR") << r.body;
  }
  EXPECT_EQ(CountFiles(dir / "images"), files_before) << "a failed write left a file (or a temp file) behind";
  EXPECT_LE(OpenFds(server->pid()), fds_before + 2) << "failed writes leak descriptors";
  // What was acknowledged is still served, and the server still answers.
  EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", token_a}}).status, 200);
  EXPECT_EQ(api.Get("/api/image/v1/query?image_id=" + image_a).body, photo_a);
  EXPECT_EQ(api.PostJson("/api/group/v1/query", {{"group_name", "full_g"}}).data()["faces"],
            nlohmann::json::array({token_a}));
  EXPECT_EQ(api.Get("/api/version/v1").status, 200);

  // Space returns: writes succeed again without a restart.
  fs::remove(full);
  Reply again = api.AddFace(photo_b);
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string token_b = again.data()["face_token"], image_b = again.data()["image_id"];
  ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "full_g"}, {"face_token", token_b}}).status, 200);

  // kill -9, restart: everything acknowledged is there, the directory checks clean.
  server->Kill(SIGKILL);
  server = testing::ServerProcess::Start(dir);
  ASSERT_NE(server, nullptr);
  Api after(*server);
  for (const auto& [token, image, bytes] : {std::tuple{token_a, image_a, photo_a}, std::tuple{token_b, image_b, photo_b}}) {
    EXPECT_EQ(after.PostJson("/api/face/v1/query", {{"face_token", token}}).status, 200);
    EXPECT_TRUE(after.Get("/api/image/v1/query?image_id=" + image).body == bytes) << "original changed";
  }
  auto faces = after.PostJson("/api/group/v1/query", {{"group_name", "full_g"}}).data()["faces"];
  EXPECT_EQ(faces.size(), 2u);
  ASSERT_EQ(server->Stop(), 0);
  auto check = store::CheckDataDir(dir);
  EXPECT_TRUE(check.ok()) << check.status().ToString();
  server.reset();
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
