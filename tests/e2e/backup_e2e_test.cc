// `facepass backup` while the real server takes a burst of enrolments, then
// `facepass restore` into a new directory: a server on the restored copy
// answers every face query and image download acknowledged before the
// backup began, with the same bytes.
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "e2e/api_fixture.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;

int RunCli(const std::string& args, const fs::path& log) {
  const std::string cmd = testing::ServerBinary().string() + " " + args + " >" + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

struct Acked {
  std::string face_token, image_id, bytes;
};

TEST(BackupE2E, RestoredCopyAnswersEverythingAcknowledgedBeforeTheBackup) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-backup");
  const fs::path data = dir / "data", restored = dir / "restored", archive = dir / "backup.tar";
  std::vector<Acked> before;
  {
    auto server = testing::ServerProcess::Start(data);
    ASSERT_NE(server, nullptr);
    Api api(*server);
    for (const char* photo : {"obama/1.jpg", "obama/2.jpg", "obama/4.jpg"}) {
      const std::string bytes = SharedFace(photo);
      Reply r = api.AddFace(bytes);
      ASSERT_EQ(r.status, 200) << r.body;
      before.push_back({r.data()["face_token"], r.data()["image_id"], bytes});
    }
    ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "staff"}}).status, 200);
    for (const Acked& a : before) {
      ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "staff"}, {"face_token", a.face_token}}).status,
                200);
    }
    std::atomic<bool> stop{false};
    std::atomic<int> during{0};
    std::thread burst([&] {
      const std::string photo = SharedFace("obama/1.jpg");
      while (!stop) {
        if (api.AddFace(photo).status == 200) ++during;
      }
    });
    const int rc = RunCli("backup --data-dir " + data.string() + " --out " + archive.string(), dir / "backup.log");
    stop = true;
    burst.join();
    ASSERT_EQ(rc, 0) << ReadFile(dir / "backup.log");
    EXPECT_NE(ReadFile(dir / "backup.log").find("secret"), std::string::npos) << "the warning about the secret";
    EXPECT_EQ(server->Stop(), 0);
  }
  ASSERT_EQ(RunCli("restore " + archive.string() + " --data-dir " + restored.string(), dir / "restore.log"), 0)
      << ReadFile(dir / "restore.log");
  EXPECT_NE(RunCli("restore " + archive.string() + " --data-dir " + data.string(), dir / "refused.log"), 0)
      << "a non-empty target is refused";

  auto server = testing::ServerProcess::Start(restored);
  ASSERT_NE(server, nullptr);
  Api api(*server);
  for (const Acked& a : before) {
    EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", a.face_token}}).status, 200) << a.face_token;
    Reply img = api.Get("/api/image/v1/query?image_id=" + a.image_id);
    ASSERT_EQ(img.status, 200) << a.image_id;
    EXPECT_EQ(img.body, a.bytes);
  }
  Reply r = api.Recognize("staff", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.data()["results"][0]["passed"].get<bool>()) << r.body;
  server.reset();
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
