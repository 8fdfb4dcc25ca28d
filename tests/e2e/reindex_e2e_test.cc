// `facepass reindex` on the real binary and models: a data directory enrolled
// with one embedder is refused by a server running another, re-extracted, and
// then served with its face tokens and groups intact.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "e2e/api_fixture.h"
#include "store/database.h"
#include "store/file_store.h"

namespace facepass::e2e {
namespace {

using nlohmann::json;

const std::vector<std::string> kOldEmbedder = {"--embedder-kind", "faceapi"};

// The embedder the data directory moves to: the default one when its model
// is there (arcface.onnx is fetched separately), else faceres.
std::vector<std::string> NewEmbedder() {
  if (std::filesystem::exists(std::filesystem::path(FACEPASS_MODELS_DIR) / "arcface.onnx")) return {};
  return {"--embedder-kind", "faceres"};
}

std::vector<std::string> Plus(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

using testing::CommandRun;
using testing::RunFacepass;

CommandRun Reindex(const std::filesystem::path& dir, const std::vector<std::string>& extra) {
  return RunFacepass(Plus({"reindex", "--data-dir", dir.string(), "--models-dir", FACEPASS_MODELS_DIR}, extra), dir);
}

std::string ReadLine(const std::filesystem::path& p) {
  std::string s = ReadFile(p);
  return s.substr(0, s.find('\n'));
}


float Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  float dot = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) dot += a[i] * b[i];
  return dot;  // features are unit length
}

TEST(ReindexE2E, EmbedderChangeIsRefusedThenReindexedAndServed) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const auto dir = testing::MakeTempDir("facepass-reindex");
  std::string obama, biden;
  {
    auto server = testing::ServerProcess::Start(dir, kOldEmbedder);
    ASSERT_NE(server, nullptr);
    Api api(*server);
    obama = api.Enrol(SharedFace("obama/1.jpg"));
    biden = api.Enrol(SharedFace("biden/2.jpg"));
    ASSERT_FALSE(obama.empty());
    ASSERT_FALSE(biden.empty());
    ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "staff"}}).status, 200);
    ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "staff"}, {"face_token", obama}}).status, 200);
    ASSERT_EQ(api.PostJson("/api/group/v1/bind", {{"group_name", "staff"}, {"face_token", biden}}).status, 200);

    // Not while the server holds the directory.
    CommandRun busy = Reindex(dir, NewEmbedder());
    EXPECT_NE(busy.rc, 0);
    EXPECT_NE(busy.err.find("in use"), std::string::npos) << busy.err;
    EXPECT_EQ(server->Stop(), 0);
  }
  const std::string old_model = ReadLine(dir / "search_model");

  // Another embedder: refused, and told how to upgrade.
  CommandRun refused = RunFacepass(Plus({"serve", "--listen", "127.0.0.1:" + std::to_string(testing::PickFreePort()),
                                  "--data-dir", dir.string(), "--models-dir", FACEPASS_MODELS_DIR},
                                 NewEmbedder()),
                            dir, 120);
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE((refused.out + refused.err).find("facepass reindex --data-dir " + dir.string()), std::string::npos)
      << refused.out << refused.err;  // spdlog writes to stdout

  CommandRun reindex = Reindex(dir, Plus({"--threads", "2"}, NewEmbedder()));
  ASSERT_EQ(reindex.rc, 0) << reindex.out << reindex.err;
  EXPECT_NE(reindex.out.find("2 faces re-extracted"), std::string::npos) << reindex.out;
  EXPECT_NE(reindex.err.find("2/2"), std::string::npos) << reindex.err;  // progress, plain lines off a terminal
  EXPECT_NE(ReadLine(dir / "search_model"), old_model);

  auto server = testing::ServerProcess::Start(dir, NewEmbedder());
  ASSERT_NE(server, nullptr) << "the server must start on the reindexed directory";
  Api api(*server);
  EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", obama}}).status, 200);
  EXPECT_EQ(api.PostJson("/api/face/v1/query", {{"face_token", biden}}).status, 200);
  EXPECT_EQ(api.PostJson("/api/group/v1/query", {{"group_name", "staff"}}).data()["faces"].size(), 2u);
  Reply r = api.Recognize("staff", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_FALSE(r.data()["results"].empty()) << r.body;
  EXPECT_EQ(r.data()["results"][0]["face_token"], obama) << r.body;
  EXPECT_EQ(server->Stop(), 0);
  server.reset();

  // A rerun (e.g. after an interrupted one) just re-extracts again.
  CommandRun again = Reindex(dir, NewEmbedder());
  EXPECT_EQ(again.rc, 0) << again.err;
  RemoveUnlessFailed(dir);
}

// Faces planted straight in the store: one whose original has no face, and
// two on one group photo, the smaller of which Analyze does not embed.
TEST(ReindexE2E, FailedFacesBlockUnlessDroppedAndNonLargestFacesAreCropped) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const auto dir = testing::MakeTempDir("facepass-reindex-fail");
  const std::string group_photo = std::string(FACEPASS_SHARED_DIR) + "/faces/group/obama-biden-side-by-side.jpg";
  CommandRun analyzed = RunFacepass(
      {"analyze", "--models-dir", FACEPASS_MODELS_DIR, "--embedder", "faceapi", "--no-feature", group_photo}, dir);
  ASSERT_EQ(analyzed.rc, 0) << analyzed.err;
  const json faces_on_photo = json::parse(analyzed.out)["faces"];
  ASSERT_EQ(faces_on_photo.size(), 2u) << analyzed.out;
  {
    auto server = testing::ServerProcess::Start(dir, kOldEmbedder);
    ASSERT_NE(server, nullptr);
    Api api(*server);
    ASSERT_FALSE(api.Enrol(SharedFace("obama/1.jpg")).empty());
    ASSERT_FALSE(api.Enrol(SharedFace("biden/2.jpg")).empty());
    ASSERT_EQ(api.PostJson("/api/group/v1/create", {{"group_name", "planted"}}).status, 200);
    EXPECT_EQ(server->Stop(), 0);
  }
  int64_t blank = 0, photo_a = 0, photo_b = 0;
  std::vector<float> obama_old;
  int64_t group_id = 0;
  {
    auto db = store::Database::Open(dir / "facepass.db").value();
    auto files = store::FileStore::Open(dir / "images").value();
    obama_old = db->GetFace(1).value().feature;
    auto plant = [&](const std::string& bytes, const store::Rect& rect) {
      std::string path = files->Write(bytes, "jpg").value();
      int64_t image = db->InsertImage(store::ImageKind::kEnrol, "jpeg", path, bytes.size(), 0, 0, 1).value();
      return db->InsertFace(image, rect, 1, obama_old).value();
    };
    blank = plant(GreyJpeg(400, 400), store::Rect{100, 100, 300, 300});
    const std::string photo = ReadFile(group_photo);
    auto rect_of = [&](const json& f) {
      const json& r = f["rect"];
      return store::Rect{r["left"], r["top"], r["right"], r["bottom"]};
    };
    photo_a = plant(photo, rect_of(faces_on_photo[0]));
    photo_b = plant(photo, rect_of(faces_on_photo[1]));
    group_id = db->GetGroupByName("planted").value().id;
    ASSERT_TRUE(db->Bind(group_id, blank, 2).ok());
    ASSERT_TRUE(db->Bind(group_id, photo_a, 3).ok());
  }
  const std::string old_model = ReadLine(dir / "search_model");

  CommandRun failed = Reindex(dir, NewEmbedder());
  EXPECT_EQ(failed.rc, 1);
  EXPECT_NE(failed.err.find("(face " + std::to_string(blank) + ","), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("nothing was written"), std::string::npos) << failed.err;
  EXPECT_EQ(ReadLine(dir / "search_model"), old_model);
  {
    auto db = store::Database::Open(dir / "facepass.db").value();
    EXPECT_EQ(db->GetFace(1).value().feature, obama_old);
    EXPECT_FALSE(db->GetFace(blank).value().deleted);
  }

  CommandRun dropped = Reindex(dir, Plus({"--drop-failed"}, NewEmbedder()));
  ASSERT_EQ(dropped.rc, 0) << dropped.err;
  EXPECT_NE(dropped.out.find("1 failed faces deleted"), std::string::npos) << dropped.out;
  EXPECT_NE(ReadLine(dir / "search_model"), old_model);
  auto db = store::Database::Open(dir / "facepass.db").value();
  EXPECT_TRUE(db->GetFace(blank).value().deleted);
  EXPECT_EQ(db->GroupFaceIds(group_id).value(), std::vector<int64_t>{photo_a});
  EXPECT_TRUE(db->CheckIntegrity().ok());
  // Each face on the group photo got its own person's feature: the two match
  // different enrolled people (face 1 obama, face 2 biden).
  const auto obama_new = db->GetFace(1).value().feature, biden_new = db->GetFace(2).value().feature;
  const auto a = db->GetFace(photo_a).value().feature, b = db->GetFace(photo_b).value().feature;
  ASSERT_NE(obama_new.size(), obama_old.size());
  const bool a_is_obama = Cosine(a, obama_new) > Cosine(a, biden_new);
  const bool b_is_obama = Cosine(b, obama_new) > Cosine(b, biden_new);
  EXPECT_NE(a_is_obama, b_is_obama) << "a: " << Cosine(a, obama_new) << "/" << Cosine(a, biden_new)
                                    << " b: " << Cosine(b, obama_new) << "/" << Cosine(b, biden_new);
  db.reset();
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
