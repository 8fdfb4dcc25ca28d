// Crash safety: a child process writes in a loop and is SIGKILLed; the
// database must reopen and pass CheckIntegrity every time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "store/database.h"
#include "store/file_store.h"
#include "temp_dir.h"

namespace facepass::store {
namespace {

using testing_util::TempDir;

// Runs in the child: never returns.
[[noreturn]] void WriteForever(const std::filesystem::path& file, int ready_fd, unsigned seed) {
  Database::Options options;
  options.change_log_keep = 16;  // prune constantly, so pruning is crash-tested too
  auto db = Database::Open(file, options);
  if (!db.ok()) _exit(2);
  char one = 1;
  if (::write(ready_fd, &one, 1) != 1) _exit(3);
  std::mt19937 rng(seed);
  std::vector<int64_t> faces;
  const char* names[] = {"group_a", "group_b", "group_c"};
  for (int64_t now = 1;; ++now) {
    const std::string name = names[rng() % 3];
    auto g = (*db)->GetGroupByName(name);
    switch (rng() % 8) {
      case 0:
        if (g.ok()) (void)(*db)->DeleteGroup(name, now); else (void)(*db)->CreateGroup(name, now);
        break;
      case 1:
      case 2: {
        auto img = (*db)->InsertImage(ImageKind::kEnrol, "jpeg", "x", 1, 100, 100, now);
        if (!img.ok()) break;
        std::vector<float> f(128, static_cast<float>(now));
        auto face = (*db)->InsertFace(*img, Rect{}, now, f);
        if (face.ok()) {
          faces.push_back(*face);
          // Report the commit; the parent checks it survived the kill.
          if (::write(ready_fd, &*face, sizeof(int64_t)) != sizeof(int64_t)) _exit(4);
        }
        break;
      }
      case 3:
      case 4:
        if (g.ok() && !faces.empty()) (void)(*db)->Bind(g->id, faces[rng() % faces.size()], now);
        break;
      case 5:
        if (g.ok() && !faces.empty()) (void)(*db)->Unbind(g->id, faces[rng() % faces.size()], now);
        break;
      case 6:
        if (!faces.empty()) (void)(*db)->DeleteFace(faces[rng() % faces.size()], now);
        break;
      default:
        (void)(*db)->SaveConfig({{"recognize_threshold", static_cast<double>(now % 100)}, {"x", 1}});
        (void)(*db)->UpsertDevice(DeviceRecord{"10.0.0." + std::to_string(rng() % 4), "v1", "m", now,
                                               {DeviceGroupStatus{name, 1, 2, 3, 0, 3, 1, 0}}});
        break;
    }
  }
}

TEST(StoreCrashTest, SigkillDuringWritesLeavesConsistentDatabase) {
  TempDir tmp;
  const auto file = tmp.path() / "crash.db";
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      WriteForever(file, fds[1], 1000 + round);
    }
    ::close(fds[1]);
    char c = 0;
    ASSERT_EQ(::read(fds[0], &c, 1), 1) << "child failed to open the database";
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + 100 * round));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << status;
    std::string reported;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) reported.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);

    auto db = Database::Open(file);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    Status st = (*db)->CheckIntegrity();
    EXPECT_TRUE(st.ok()) << "round " << round << ": " << st.ToString();
    // Every face the child saw committed is there.
    for (size_t off = 0; off + sizeof(int64_t) <= reported.size(); off += sizeof(int64_t)) {
      int64_t id;
      std::memcpy(&id, reported.data() + off, sizeof(id));
      EXPECT_TRUE((*db)->GetFace(id).ok()) << "committed face " << id << " lost";
    }
  }
  auto db = Database::Open(file).value();
  EXPECT_TRUE(db->GetFace(1).ok()) << "the child never got a face written";
  EXPECT_TRUE(db->ForEachBinding([](int64_t, int64_t, std::span<const float> f) { EXPECT_EQ(f.size(), 128u); }).ok());
}

// Files: after a SIGKILL mid-write, every file in the store is complete and
// no temp file survives the next Open.
TEST(StoreCrashTest, SigkillDuringFileWritesLeavesOnlyCompleteFiles) {
  TempDir tmp;
  const std::string payload(64 * 1024, 'p');
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto store = FileStore::Open(tmp.path());
    if (!store.ok()) _exit(2);
    char one = 1;
    if (::write(fds[1], &one, 1) != 1) _exit(3);
    for (;;) (void)(*store)->Write(payload, "jpg");
  }
  ::close(fds[1]);
  char c = 0;
  ASSERT_EQ(::read(fds[0], &c, 1), 1);
  ::close(fds[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);

  auto store = FileStore::Open(tmp.path());
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path() / "tmp"));
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp.path())) {
    if (!e.is_regular_file()) continue;
    ++files;
    const std::string rel = std::filesystem::relative(e.path(), tmp.path()).string();
    auto bytes = (*store)->Read(rel);
    ASSERT_TRUE(bytes.ok()) << rel;
    EXPECT_EQ(*bytes, payload) << rel;
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace facepass::store
