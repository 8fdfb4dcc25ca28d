// `facepass enrol` against the real server: a copy of the dev photos plus a
// folder of bad files (not an image, a truncated JPEG, a flat grey picture
// with no face, a file over the 16 MB body limit). The results CSV, a rerun
// that skips everything, --bind into a new group, and Ctrl-C mid-run.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "client/http_client.h"
#include "e2e/api_fixture.h"
#include "enrol/image_files.h"
#include "enrol/results_csv.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;

fs::path SharedFacesDir() {
  const char* env = std::getenv("FACEPASS_SHARED_DIR");
  return fs::path(env ? env : FACEPASS_SHARED_DIR) / "faces";
}

void Write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

// The dev photos' folders are read-only: the copy is made writable so it can
// be removed.
void CopyFaces(const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy(SharedFacesDir(), to, fs::copy_options::recursive);
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(to)) {
    fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
    if (e.is_directory()) fs::permissions(e.path(), fs::perms::owner_exec, fs::perm_options::add);
  }
}

// Photos: faces/ (a copy of the dev photos) and bad/ (generated).
void MakePhotos(const fs::path& root) {
  CopyFaces(root / "faces");
  const std::string photo = SharedFace("obama/1.jpg");
  Write(root / "bad/not-an-image.jpg", "this is text, not a JPEG\n");
  Write(root / "bad/truncated.jpg", photo.substr(0, 600));
  Write(root / "bad/grey.jpg", GreyJpeg(640, 480));
  Write(root / "bad/too-large.jpg", GreyJpeg(640, 480) + std::string(17u << 20, '\0'));
  Write(root / "bad/notes.txt", "not an image by name or content: never uploaded\n");
}

// The bootstrap admin key when the server has auth on ("" otherwise).
std::string AdminKey(const fs::path& data_dir) {
  std::ifstream in(data_dir / "admin.key");
  std::string key;
  std::getline(in, key);
  return key;
}

std::string EnrolArgs(const testing::ServerProcess& server, const std::string& key, const std::string& rest) {
  return "enrol --server " + server.base_url() + (key.empty() ? "" : " --key " + key) + " " + rest;
}

int RunCli(const std::string& args, const fs::path& log) {
  const std::string cmd = testing::ServerBinary().string() + " " + args + " >" + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::map<std::string, enrol::Row> ReadCsv(const fs::path& p, size_t* rows = nullptr) {
  std::map<std::string, enrol::Row> out;
  const auto recs = enrol::ParseCsv(ReadFile(p));
  if (rows) *rows = recs.size();
  for (const auto& r : recs) {
    EXPECT_EQ(r.size(), 6u);
    if (r.size() == 6 && r[0] != "file") out[r[0]] = {r[0], r[1], r[2], r[3], r[4], r[5]};
  }
  return out;
}

std::set<std::string> GroupFaces(const testing::ServerProcess& server, const std::string& key, const std::string& g) {
  client::HttpOptions o;
  o.api_key = key;
  auto r = client::HttpClient(o).PostJson(client::JoinUrl(server.base_url(), "/api/group/v1/query"),
                                          nlohmann::json{{"group_name", g}}.dump());
  EXPECT_TRUE(r.ok());
  std::set<std::string> faces;
  if (!r.ok()) return faces;
  const auto j = nlohmann::json::parse(r->body, nullptr, false);
  EXPECT_EQ(r->status, 200) << r->body;
  if (j.is_object() && j.contains("data") && j["data"].contains("faces")) {
    for (const auto& t : j["data"]["faces"]) faces.insert(t.get<std::string>());
  }
  return faces;
}

TEST(EnrolE2E, EnrolsAFolderRecordsEveryOutcomeResumesAndBinds) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-enrol");
  const fs::path photos = dir / "photos", csv = dir / "results.csv";
  MakePhotos(photos);
  // One inference worker and a queue of one: --jobs 4 meets real 503s.
  auto server = testing::ServerProcess::Start(dir / "data", {"--workers", "1", "--queue-limit", "1"});
  ASSERT_NE(server, nullptr);
  const std::string key = AdminKey(dir / "data");

  const std::string args =
      EnrolArgs(*server, key, "--group staff_bulk --bind --jobs 4 --csv " + csv.string() + " " + photos.string());
  ASSERT_EQ(RunCli(args, dir / "enrol1.log"), 0) << ReadFile(dir / "enrol1.log");
  const std::string log1 = ReadFile(dir / "enrol1.log");

  auto files = enrol::CollectImages({photos.string()});
  ASSERT_TRUE(files.ok());
  size_t rows = 0;
  auto results = ReadCsv(csv, &rows);
  EXPECT_EQ(rows, files->size() + 1) << "a header and one row per image file";
  EXPECT_EQ(results.size(), files->size());
  EXPECT_EQ(results.count((photos / "bad/notes.txt").string()), 0u) << "a .txt without image bytes is not taken";

  auto outcome = [&](const std::string& rel) { return results[(photos / rel).lexically_normal().string()]; };
  EXPECT_EQ(outcome("bad/not-an-image.jpg").outcome, "refused");
  EXPECT_EQ(outcome("bad/not-an-image.jpg").reason, "UNSUPPORTED_IMAGE_FORMAT");
  EXPECT_EQ(outcome("bad/truncated.jpg").outcome, "refused") << outcome("bad/truncated.jpg").reason;
  EXPECT_EQ(outcome("bad/grey.jpg").outcome, "refused");
  EXPECT_EQ(outcome("bad/grey.jpg").reason, "FACE_NOT_FOUND");
  EXPECT_FALSE(outcome("bad/grey.jpg").image_id.empty()) << "a judged image still has its image_id";
  EXPECT_EQ(outcome("bad/too-large.jpg").outcome, "refused");
  EXPECT_EQ(outcome("bad/too-large.jpg").reason, "INVALID_IMAGE_FILE_SIZE");
  EXPECT_EQ(outcome("faces/obama/1.jpg").outcome, "enrolled");
  EXPECT_EQ(outcome("faces/obama/1.jpg").face_token.size(), 24u);

  std::set<std::string> enrolled;
  int refused = 0;
  for (const auto& [file, row] : results) {
    EXPECT_NE(row.outcome, "failed") << file << ": " << row.reason;
    if (row.outcome == "enrolled") enrolled.insert(row.face_token);
    if (row.outcome == "refused") ++refused;
    if (row.reason.rfind("BAD_QUALITY: ", 0) == 0) {
      EXPECT_NE(log1.find(row.reason.substr(0, row.reason.find_first_of("=<>"))), std::string::npos) << log1;
    }
  }
  EXPECT_GE(enrolled.size(), 20u);
  EXPECT_NE(log1.find("enrolled " + std::to_string(enrolled.size()) + ", refused " + std::to_string(refused) +
                      ", failed 0"),
            std::string::npos)
      << log1;
  EXPECT_NE(log1.find("FACE_NOT_FOUND"), std::string::npos) << "the summary lists refusals by reason";
  EXPECT_EQ(GroupFaces(*server, key, "staff_bulk"), enrolled) << "--bind created the group and bound every face";

  // A rerun with the same CSV uploads nothing.
  ASSERT_EQ(RunCli(args, dir / "enrol2.log"), 0) << ReadFile(dir / "enrol2.log");
  const std::string log2 = ReadFile(dir / "enrol2.log");
  EXPECT_NE(log2.find("enrolled 0, refused 0, failed 0, skipped " + std::to_string(files->size())), std::string::npos)
      << log2;
  size_t rows_after = 0;
  ReadCsv(csv, &rows_after);
  EXPECT_EQ(rows_after, rows);
  EXPECT_EQ(GroupFaces(*server, key, "staff_bulk"), enrolled);

  server.reset();
  RemoveUnlessFailed(dir);
}

// Lines "N/M outcome file" the CLI printed (stdout is not a terminal here).
int ResultLines(const std::string& log) {
  int n = 0;
  for (const char* o : {" enrolled /", " refused /", " failed /"}) {
    for (size_t at = log.find(o); at != std::string::npos; at = log.find(o, at + 1)) ++n;
  }
  return n;
}

TEST(EnrolE2E, CtrlCFinishesInFlightUploadsWritesTheCsvAndExits130) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-enrol-int");
  const fs::path photos = dir / "photos", csv = dir / "results.csv", log = dir / "enrol.log";
  for (int i = 0; i < 4; ++i) CopyFaces(photos / std::to_string(i));
  auto server = testing::ServerProcess::Start(dir / "data");
  ASSERT_NE(server, nullptr);
  const std::string key = AdminKey(dir / "data");

  std::vector<std::string> args = {testing::ServerBinary().string(), "enrol", "--server", server->base_url(),
                                   "--group", "staff", "--jobs", "1", "--csv", csv.string(), photos.string()};
  if (!key.empty()) args.insert(args.begin() + 2, {"--key", key});
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (ResultLines(ReadFile(log)) < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string out = ReadFile(log);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 130) << out;
  EXPECT_NE(out.find("interrupted: enrolled"), std::string::npos) << out;
  size_t rows = 0;
  const auto done = ReadCsv(csv, &rows);
  EXPECT_EQ(static_cast<int>(rows) - 1, ResultLines(out)) << "every finished upload is in the CSV";
  auto files = enrol::CollectImages({photos.string()});
  ASSERT_TRUE(files.ok());
  EXPECT_LT(done.size(), files->size()) << "it stopped early";

  // The rerun does the rest and only the rest.
  ASSERT_EQ(RunCli(EnrolArgs(*server, key, "--group staff --csv " + csv.string() + " " + photos.string()),
                   dir / "rest.log"),
            0)
      << ReadFile(dir / "rest.log");
  EXPECT_NE(ReadFile(dir / "rest.log").find("skipped " + std::to_string(done.size()) + " "), std::string::npos)
      << ReadFile(dir / "rest.log");
  size_t rows_after = 0;
  EXPECT_EQ(ReadCsv(csv, &rows_after).size(), files->size());
  EXPECT_EQ(rows_after, files->size() + 1) << "no file uploaded twice";

  server.reset();
  RemoveUnlessFailed(dir);
}

// Issue 29: --label-from folder names each face after its folder
// (people/<name>/1.jpg), the CSV records it, and the server finds it by name;
// --label-from csv:FILE takes a file,label list.
TEST(EnrolE2E, LabelsFromTheFolderOrACsv) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-enrol-labels");
  const fs::path people = dir / "people";
  for (const char* who : {"obama", "biden"}) {
    Write(people / who / "1.jpg", SharedFace(std::string(who) + "/1.jpg"));
    Write(people / who / "2.jpg", SharedFace(std::string(who) + "/2.jpg"));
  }
  auto server = testing::ServerProcess::Start(dir / "data");
  ASSERT_NE(server, nullptr);
  const std::string key = AdminKey(dir / "data");
  const fs::path csv = dir / "results.csv";
  ASSERT_EQ(RunCli(EnrolArgs(*server, key, "--group staff --label-from folder --csv " + csv.string() + " " +
                                               people.string()),
                   dir / "enrol.log"),
            0)
      << ReadFile(dir / "enrol.log");
  const auto results = ReadCsv(csv);
  ASSERT_EQ(results.size(), 4u);
  for (const auto& [file, row] : results) {
    EXPECT_EQ(row.outcome, "enrolled") << file << " " << row.reason;
    EXPECT_EQ(row.label, fs::path(file).parent_path().filename().string()) << file;
  }
  Api api(server->base_url(), key);
  Reply found = api.Get("/api/face/v1/search?label=OBA");
  ASSERT_EQ(found.code(), 0) << found.body;
  ASSERT_EQ(found.data()["items"].size(), 2u);
  for (const auto& item : found.data()["items"]) EXPECT_EQ(item["label"], "obama");

  // A CSV of file,label (paths relative to the CSV), into a fresh results file.
  Write(dir / "labels.csv", "file,label\npeople/obama/1.jpg,\"Obama, Barack\"\npeople/biden/1.jpg,Joe Biden\n");
  const fs::path csv2 = dir / "results2.csv";
  ASSERT_EQ(RunCli(EnrolArgs(*server, key, "--group staff --label-from csv:" + (dir / "labels.csv").string() +
                                               " --csv " + csv2.string() + " " + (people / "obama/1.jpg").string() +
                                               " " + (people / "biden/1.jpg").string()),
                   dir / "enrol2.log"),
            0)
      << ReadFile(dir / "enrol2.log");
  const auto labelled = ReadCsv(csv2);
  EXPECT_EQ(labelled.at((people / "obama/1.jpg").string()).label, "Obama, Barack");
  EXPECT_EQ(labelled.at((people / "biden/1.jpg").string()).label, "Joe Biden");
  EXPECT_EQ(api.Get("/api/face/v1/search?label=joe").data()["items"].size(), 1u);
  // A bad --label-from stops before anything is sent.
  EXPECT_EQ(RunCli(EnrolArgs(*server, key, "--group staff --label-from surname " + people.string()), dir / "bad.log"), 2)
      << ReadFile(dir / "bad.log");
  server.reset();
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
