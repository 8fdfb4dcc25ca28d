// End to end: the real `facepass serve` binary, two simulated devices (two
// stores, two loopback source addresses) using the device SDK.
//
// One scenario in order, sharing one server: enrol + bind, FULL sync, offline
// recognise; unbind, INCREMENTAL sync (only the change travels); group deleted
// on the server -> KEEP_LOCAL; the server's sync status; online recognise
// through the SDK equals the offline answer; search_model changed -> clear-all
// and reload.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "client/device.h"
#include "http/test_http_client.h"
#include "support/server_process.h"
#include "vision/engine.h"

namespace facepass::client {
namespace {

namespace fs = std::filesystem;
using facepass::http::TestHttpClient;
using facepass::http::TestPart;
using sync::GroupAction;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path Faces() { return fs::path(FACEPASS_SHARED_DIR) / "faces"; }

const ApplyReport::Group* Find(const ApplyReport& r, const std::string& name) {
  for (const ApplyReport::Group& g : r.groups) {
    if (g.group_name == name) return &g;
  }
  return nullptr;
}

LocalGroup Local(Device& d, const std::string& name) {
  Result<std::vector<LocalGroup>> groups = d.store().Groups();
  EXPECT_TRUE(groups.ok());
  if (groups.ok()) {
    for (const LocalGroup& g : *groups) {
      if (g.group_name == name) return g;
    }
  }
  ADD_FAILURE() << "group not configured: " << name;
  return {};
}

class DeviceE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(Faces() / "obama" / "1.jpg")) {
      skip_ = "dev photos not found under " + Faces().string();
      return;
    }
    if (!fs::exists(fs::path(FACEPASS_MODELS_DIR) / "faceres.onnx")) {
      skip_ = std::string("models not found in ") + FACEPASS_MODELS_DIR;
      return;
    }
    if (!fs::exists(testing::ServerBinary())) {
      skip_ = "server binary not built: " + testing::ServerBinary().string();
      return;
    }
    dir_ = testing::MakeTempDir("fp-device-e2e");
    server_ = testing::ServerProcess::Start(dir_ / "server").release();
    vision::EngineOptions opts;
    opts.models_dir = FACEPASS_MODELS_DIR;
    opts.pool_size = 1;
    auto engine = vision::Engine::Create(opts);
    if (engine.ok()) engine_ = engine->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete engine_;
    engine_ = nullptr;
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_NE(server_, nullptr) << "server did not start";
    ASSERT_NE(engine_, nullptr) << "engine did not load";
  }

  std::string Enrol(const std::string& photo) {
    TestHttpClient c(server_->base_url(), 60000);
    c.set_api_key(server_->api_key());
    auto r = c.PostMultipart("/api/face/v1/add", {TestPart::File("image", "f.jpg", ReadFile(Faces() / photo), "image/jpeg")});
    nlohmann::json j = r.Json();
    EXPECT_EQ(r.status, 200) << r.body;
    return j.is_object() && j["data"].contains("face_token") ? j["data"]["face_token"].get<std::string>() : "";
  }
  nlohmann::json Admin(const std::string& path, const nlohmann::json& body) {
    TestHttpClient c(server_->base_url(), 60000);
    c.set_api_key(server_->api_key());
    auto r = c.PostJson(path, body);
    EXPECT_EQ(r.status, 200) << path << " " << body.dump() << " -> " << r.body;
    return r.Json();
  }
  std::unique_ptr<Device> OpenDevice(const std::string& name, std::vector<std::string> groups) {
    Result<std::unique_ptr<Device>> d = Device::Open(dir_ / (name + ".db"), engine_);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return nullptr;
    for (const std::string& g : groups) EXPECT_TRUE((*d)->store().AddGroup(g).ok());
    return std::move(*d);
  }
  static HttpClient From(const std::string& ip) {
    HttpOptions o;
    o.source_ip = ip;
    o.api_key = server_->api_key();
    return HttpClient(o);
  }
  std::vector<Capture> Frame(Device& d, const std::string& photo) {
    Result<std::vector<Capture>> c = d.Captures(ReadFile(Faces() / photo));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : std::vector<Capture>{};
  }

  static inline std::string skip_;
  static inline fs::path dir_;
  static inline testing::ServerProcess* server_ = nullptr;
  static inline vision::Engine* engine_ = nullptr;
};

TEST_F(DeviceE2E, SyncRecogniseAndStatusScenario) {
  const std::string url = server_->base_url();
  // --- Cloud: three faces, two groups.
  const std::string obama = Enrol("obama/1.jpg");
  const std::string biden = Enrol("biden/2.jpg");
  const std::string alex = Enrol("alex_lacamoire/1.jpg");
  ASSERT_FALSE(obama.empty() || biden.empty() || alex.empty());
  Admin("/api/group/v1/create", {{"group_name", "gate_main"}});
  Admin("/api/group/v1/create", {{"group_name", "gate_temp"}});
  for (const std::string& t : {obama, biden, alex}) Admin("/api/group/v1/bind", {{"group_name", "gate_main"}, {"face_token", t}});
  Admin("/api/group/v1/bind", {{"group_name", "gate_temp"}, {"face_token", biden}});

  // Both devices ask for format 1, the spec's stream (float32 features, no
  // labels): a device of before issue 29 keeps syncing exactly as it did.
  auto dev_a = OpenDevice("device_a", {"gate_main", "gate_temp"});
  auto dev_b = OpenDevice("device_b", {"gate_main"});
  ASSERT_TRUE(dev_a && dev_b);
  ASSERT_TRUE(dev_a->store().SetSyncFormat(sync::kFormatV1).ok());
  ASSERT_TRUE(dev_b->store().SetSyncFormat(sync::kFormatV1).ok());
  HttpClient http_a = From("127.0.0.2"), http_b = From("127.0.0.3");

  // --- First sync: FULL, features included.
  Result<SyncOutcome> s1 = dev_a->Sync(http_a, url);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  const ApplyReport::Group* main1 = Find(s1->report, "gate_main");
  ASSERT_NE(main1, nullptr);
  EXPECT_EQ(main1->action, GroupAction::kFull);
  EXPECT_EQ(main1->added, 3);
  EXPECT_GT(main1->group_id, 0);
  EXPECT_GT(main1->local_version, 0);
  EXPECT_EQ(Find(s1->report, "gate_temp")->action, GroupAction::kFull);
  EXPECT_EQ(Local(*dev_a, "gate_main").face_count, 3);
  EXPECT_EQ(Local(*dev_a, "gate_temp").face_count, 1);
  Result<StoreInfo> info = dev_a->store().Info();
  EXPECT_EQ(info->search_model, engine_->search_model());
  EXPECT_EQ(info->dim, static_cast<uint32_t>(engine_->feature_dim()));
  EXPECT_GT(info->recognize_threshold, 0);
  // 4 faces of float32 features: the stream is a few header bytes over 4 x 4 x dim.
  EXPECT_GT(s1->response_bytes, 4u * 4 * engine_->feature_dim());
  EXPECT_LT(s1->response_bytes, 4u * 4 * engine_->feature_dim() + 1024);

  // A second sync right away changes nothing.
  Result<SyncOutcome> s1b = dev_a->Sync(http_a, url);
  ASSERT_TRUE(s1b.ok());
  EXPECT_EQ(Find(s1b->report, "gate_main")->action, GroupAction::kNone);

  // --- Offline recognise finds the right token; online gives the same answer.
  std::vector<Capture> frame = Frame(*dev_a, "obama/1.jpg");
  ASSERT_EQ(frame.size(), 1u);
  Result<RecognizeAnswer> off = dev_a->RecognizeOffline("gate_main", frame);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  ASSERT_EQ(off->results.size(), 1u);
  EXPECT_EQ(off->results[0].face_token.value_or(""), obama);
  EXPECT_TRUE(off->results[0].passed) << off->results[0].score;
  EXPECT_FLOAT_EQ(off->recognize_threshold, info->recognize_threshold);

  std::vector<Capture> other = Frame(*dev_a, "obama/2.jpg");
  ASSERT_FALSE(other.empty());
  Result<RecognizeAnswer> off2 = dev_a->RecognizeOffline("gate_main", other);
  Result<RecognizeAnswer> on2 = dev_a->RecognizeOnline(http_a, url, "gate_main", other);
  ASSERT_TRUE(off2.ok()) << off2.status().ToString();
  ASSERT_TRUE(on2.ok()) << on2.status().ToString();
  ASSERT_EQ(off2->results.size(), on2->results.size());
  for (size_t i = 0; i < off2->results.size(); ++i) {
    EXPECT_EQ(off2->results[i].face_token, on2->results[i].face_token);
    EXPECT_NEAR(off2->results[i].score, on2->results[i].score, 0.01);
    EXPECT_EQ(off2->results[i].passed, on2->results[i].passed);
    EXPECT_FALSE(on2->results[i].image_id.empty());
  }
  EXPECT_EQ(off2->results[0].face_token.value_or(""), obama);
  EXPECT_FLOAT_EQ(on2->recognize_threshold, off2->recognize_threshold);

  // --- Unbind: INCREMENTAL, only the change travels.
  const int64_t v_before = Local(*dev_a, "gate_main").local_version;
  Admin("/api/group/v1/unbind", {{"group_name", "gate_main"}, {"face_token", obama}});
  Result<SyncOutcome> s2 = dev_a->Sync(http_a, url);
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  const ApplyReport::Group* main2 = Find(s2->report, "gate_main");
  EXPECT_EQ(main2->action, GroupAction::kIncremental);
  EXPECT_EQ(main2->added, 0);
  EXPECT_EQ(main2->deleted, 1);
  EXPECT_EQ(main2->local_version, v_before + 1);
  EXPECT_LT(s2->response_bytes, 300u) << "an unbind must not resend features";
  EXPECT_EQ(Local(*dev_a, "gate_main").face_count, 2);
  Result<RecognizeAnswer> off3 = dev_a->RecognizeOffline("gate_main", frame);
  ASSERT_TRUE(off3.ok());
  EXPECT_NE(off3->results[0].face_token.value_or(""), obama);
  EXPECT_FALSE(off3->results[0].passed);

  // Device B syncs for the first time: FULL with the current two faces.
  Result<SyncOutcome> b1 = dev_b->Sync(http_b, url);
  ASSERT_TRUE(b1.ok()) << b1.status().ToString();
  EXPECT_EQ(Find(b1->report, "gate_main")->action, GroupAction::kFull);
  EXPECT_EQ(Find(b1->report, "gate_main")->added, 2);

  // --- The server deletes gate_temp: the device keeps its copy, no error.
  const LocalGroup temp_before = Local(*dev_a, "gate_temp");
  Admin("/api/group/v1/delete", {{"group_name", "gate_temp"}});
  Result<SyncOutcome> s3 = dev_a->Sync(http_a, url);
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  EXPECT_EQ(Find(s3->report, "gate_temp")->action, GroupAction::kKeepLocal);
  EXPECT_EQ(Find(s3->report, "gate_main")->action, GroupAction::kNone);
  const LocalGroup temp_after = Local(*dev_a, "gate_temp");
  EXPECT_EQ(temp_after.face_count, 1);
  EXPECT_EQ(temp_after.local_version, temp_before.local_version);
  EXPECT_EQ(temp_after.group_id, temp_before.group_id);
  Result<RecognizeAnswer> kept = dev_a->RecognizeOffline("gate_temp", Frame(*dev_a, "biden/2.jpg"));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->results.at(0).face_token.value_or(""), biden);

  // --- Sync status lists both devices with what they were last sent.
  TestHttpClient admin(url, 60000);
  admin.set_api_key(server_->api_key());
  auto st = admin.Get("/api/service/sync/v1/status");
  ASSERT_EQ(st.status, 200) << st.body;
  std::map<std::string, nlohmann::json> devices;
  const nlohmann::json status = st.Json();
  for (const nlohmann::json& d : status["data"]["devices"]) devices[d["ip"].get<std::string>()] = d;
  ASSERT_TRUE(devices.count("127.0.0.2")) << st.body;
  ASSERT_TRUE(devices.count("127.0.0.3")) << st.body;
  auto status_group = [&](const std::string& ip, const std::string& name) {
    for (const nlohmann::json& g : devices[ip]["sync_status"]["groups"]) {
      if (g["group_name"] == name) return g;
    }
    return nlohmann::json();
  };
  nlohmann::json a_main = status_group("127.0.0.2", "gate_main");
  EXPECT_EQ(a_main["result_version"], Local(*dev_a, "gate_main").local_version);
  EXPECT_EQ(a_main["cloud_version"], Local(*dev_a, "gate_main").local_version);
  EXPECT_EQ(a_main["group_id"], Local(*dev_a, "gate_main").group_id);
  EXPECT_EQ(a_main["result_code"], 0);
  nlohmann::json a_temp = status_group("127.0.0.2", "gate_temp");
  EXPECT_EQ(a_temp["cloud_version"], 0);
  EXPECT_EQ(a_temp["result_code"], 1);
  EXPECT_EQ(a_temp["result_version"], temp_after.local_version);
  nlohmann::json b_main = status_group("127.0.0.3", "gate_main");
  EXPECT_EQ(b_main["result_version"], Local(*dev_b, "gate_main").local_version);
  EXPECT_EQ(b_main["local_version"], 0);
  EXPECT_EQ(b_main["result"]["facetoken_added"], 2);
  EXPECT_EQ(b_main["result"]["facetoken_deleted"], 0);
  EXPECT_EQ(devices["127.0.0.3"]["version"], FACEPASS_VERSION);

  // --- search_model changed (the device's copy is of another model):
  // clear-all, then everything the cloud has comes FULL.
  ASSERT_TRUE(dev_a->store().OverrideSearchModelForTesting("old_model_v0").ok());
  // Features of another model are never searched with this engine's features.
  EXPECT_EQ(dev_a->RecognizeOffline("gate_main", frame).status().code(), StatusCode::kFailedPrecondition);
  Result<SyncOutcome> s4 = dev_a->Sync(http_a, url);
  ASSERT_TRUE(s4.ok()) << s4.status().ToString();
  EXPECT_TRUE(s4->report.clear_all);
  EXPECT_EQ(Find(s4->report, "gate_main")->action, GroupAction::kFull);
  EXPECT_EQ(Find(s4->report, "gate_main")->added, 2);
  EXPECT_EQ(Find(s4->report, "gate_temp")->action, GroupAction::kKeepLocal);
  EXPECT_EQ(Local(*dev_a, "gate_main").face_count, 2);
  EXPECT_EQ(Local(*dev_a, "gate_temp").face_count, 0);  // old-model features are gone
  EXPECT_EQ(dev_a->store().Info()->search_model, engine_->search_model());
  Result<RecognizeAnswer> reloaded = dev_a->RecognizeOffline("gate_main", Frame(*dev_a, "biden/2.jpg"));
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ(reloaded->results.at(0).face_token.value_or(""), biden);
  EXPECT_TRUE(reloaded->results.at(0).passed);
}

// Issue 29: a device asking for format 2 (the SDK's default) gets each face's
// label and float16 features; its offline answers name the match and score
// within 0.1 of the server's on every dev photo. A request without a format
// still gets format 1's bytes.
TEST_F(DeviceE2E, Format2BringsLabelsAndScoresLikeTheServer) {
  const std::string url = server_->base_url();
  Admin("/api/group/v1/create", {{"group_name", "gate_names"}});
  std::map<std::string, std::string> label_of;  // face token -> label
  for (const char* person : {"obama", "biden", "kit_harington", "alex_lacamoire", "angelina_jolie"}) {
    const std::string token = Enrol(std::string(person) + "/1.jpg");
    ASSERT_FALSE(token.empty()) << person;
    const std::string label = std::string(person) + " (gate 3)";
    Admin("/api/face/v1/update", {{"face_token", token}, {"label", label}});
    Admin("/api/group/v1/bind", {{"group_name", "gate_names"}, {"face_token", token}});
    label_of[token] = label;
  }
  const std::string unlabelled = Enrol("biden/2.jpg");  // a second face of one person, without a label
  Admin("/api/group/v1/bind", {{"group_name", "gate_names"}, {"face_token", unlabelled}});

  auto dev = OpenDevice("device_names", {"gate_names"});
  ASSERT_TRUE(dev);
  HttpClient http = From("127.0.0.5");
  Result<SyncOutcome> s = dev->Sync(http, url);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Find(s->report, "gate_names")->added, 6);
  // 6 faces of float16 features: about half of format 1's 6 x 4 x dim.
  EXPECT_GT(s->response_bytes, 6u * 2 * engine_->feature_dim());
  EXPECT_LT(s->response_bytes, 6u * 2 * engine_->feature_dim() + 1024);

  std::vector<std::string> photos;
  for (const auto& person : fs::directory_iterator(Faces())) {
    if (!person.is_directory()) continue;
    for (const auto& photo : fs::directory_iterator(person.path())) photos.push_back(photo.path().lexically_relative(Faces()).string());
  }
  std::sort(photos.begin(), photos.end());
  int compared = 0;
  for (const std::string& photo : photos) {
    std::vector<Capture> frame = Frame(*dev, photo);
    if (frame.empty()) continue;
    Result<RecognizeAnswer> off = dev->RecognizeOffline("gate_names", frame);
    Result<RecognizeAnswer> on = dev->RecognizeOnline(http, url, "gate_names", frame);
    ASSERT_TRUE(off.ok() && on.ok()) << photo;
    ASSERT_EQ(off->results.size(), on->results.size()) << photo;
    for (size_t i = 0; i < off->results.size(); ++i) {
      const TrackResult& o = off->results[i];
      const TrackResult& n = on->results[i];
      if (!o.error.empty() || !n.error.empty()) continue;
      EXPECT_NEAR(o.score, n.score, 0.1) << photo << " track " << o.track_id;
      if (std::fabs(o.score - n.score) < 0.05) {  // a near tie between two candidates may pick either
        EXPECT_EQ(o.face_token, n.face_token) << photo;
        EXPECT_EQ(o.label, n.label) << photo;  // the server's recognise answer carries it too
      }
      if (o.face_token && label_of.count(*o.face_token)) {
        EXPECT_EQ(o.label.value_or(""), label_of[*o.face_token]) << photo;
      } else if (o.face_token) {
        EXPECT_FALSE(o.label) << photo;
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 20);
  Result<RecognizeAnswer> obama = dev->RecognizeOffline("gate_names", Frame(*dev, "obama/2.jpg"));
  ASSERT_TRUE(obama.ok());
  EXPECT_TRUE(obama->results.at(0).passed);
  EXPECT_EQ(obama->results.at(0).label.value_or(""), "obama (gate 3)");

  // A request without info.format (a device of before) gets format 1: float32, no labels.
  TestHttpClient old(url, 60000);
  old.set_api_key(server_->api_key());
  auto raw = old.PostJson("/api/service/sync/v1",
                          {{"info", {{"search_model", engine_->search_model()}, {"version", "v1.0.0"}}},
                           {"groups", {{{"group_name", "gate_names"}, {"group_id", 0}, {"local_version", 0}}}}});
  ASSERT_EQ(raw.status, 200);
  ASSERT_GT(raw.body.size(), 6u);
  EXPECT_EQ(raw.body[4], 1) << "format version";
  Result<sync::SyncResult> v1 = sync::Decode(raw.body);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->format, sync::kFormatV1);
  ASSERT_EQ(v1->groups.at(0).added.size(), 6u);
  size_t faces_bytes = 0;
  for (const sync::FaceEntry& f : v1->groups[0].added) {
    EXPECT_TRUE(f.label.empty());
    faces_bytes += 2 + f.face_token.size() + 4 * size_t{v1->dim};
  }
  // The format-1 layout exactly: header, one group record, the faces, the CRC.
  EXPECT_EQ(raw.body.size(), 30 + v1->search_model.size() + 35 + std::string("gate_names").size() + faces_bytes + 4);
}

TEST_F(DeviceE2E, UnreachableServerIsUnavailableAndStoreUntouched) {
  auto dev = OpenDevice("device_offline", {"gate_none"});
  ASSERT_TRUE(dev);
  HttpOptions o;
  o.connect_timeout_ms = 500;
  o.api_key = server_->api_key();
  HttpClient http(o);
  Result<SyncOutcome> s = dev->Sync(http, "http://127.0.0.1:" + std::to_string(testing::PickFreePort()));
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable) << s.status().ToString();
  EXPECT_EQ(Local(*dev, "gate_none").local_version, 0);
  // A group the cloud never had: KEEP_LOCAL, not an error.
  Result<SyncOutcome> ok = dev->Sync(http, server_->base_url());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(Find(ok->report, "gate_none")->action, GroupAction::kKeepLocal);
}

// Local edits (spec 底库同步 point 9): a local enrolment is recognised offline
// at once; the edit sets the group's version to 0, so the next sync gets it
// FULL and the group becomes exactly the cloud's again.
TEST_F(DeviceE2E, LocalEditIsRecognisedThenOverwrittenByTheCloud) {
  const std::string url = server_->base_url();
  const std::string obama = Enrol("obama/1.jpg");
  const std::string biden = Enrol("biden/2.jpg");
  ASSERT_FALSE(obama.empty() || biden.empty());
  Admin("/api/group/v1/create", {{"group_name", "gate_local"}});
  for (const std::string& t : {obama, biden}) Admin("/api/group/v1/bind", {{"group_name", "gate_local"}, {"face_token", t}});

  auto dev = OpenDevice("device_local", {"gate_local"});
  ASSERT_TRUE(dev);
  HttpClient http = From("127.0.0.5");
  ASSERT_TRUE(dev->Sync(http, url).ok());
  const LocalGroup synced = Local(*dev, "gate_local");
  ASSERT_GT(synced.local_version, 0);
  ASSERT_EQ(synced.face_count, 2);

  // Offline: enrol a stranger, delete a synced face. Both count at once.
  Result<Device::Enrolled> e = dev->EnrolLocal("gate_local", ReadFile(Faces() / "alex_lacamoire" / "1.jpg"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(IsLocalFaceToken(e->face_token)) << e->face_token;
  EXPECT_EQ(e->face.feature.size(), static_cast<size_t>(engine_->feature_dim()));
  // The server's face add gates: a photo without a face is refused the same way.
  Result<Device::Enrolled> none = dev->EnrolLocal("gate_local", ReadFile(Faces() / "README.md"));
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "UNSUPPORTED_IMAGE_FORMAT") << none.status().ToString();
  const std::vector<Capture> alex = Frame(*dev, "alex_lacamoire/2.jpg");
  ASSERT_FALSE(alex.empty());
  Result<RecognizeAnswer> found = dev->RecognizeOffline("gate_local", alex);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->results.at(0).face_token.value_or(""), e->face_token);
  EXPECT_TRUE(found->results.at(0).passed) << found->results.at(0).score;
  ASSERT_TRUE(dev->DeleteLocal("gate_local", obama).ok());
  EXPECT_EQ(Local(*dev, "gate_local").face_count, 2);  // biden + the local face

  // The request carries version 0 and the group's id; the answer is FULL.
  Result<sync::SyncRequest> req = dev->MakeSyncRequest();
  ASSERT_TRUE(req.ok());
  ASSERT_EQ(req->groups.size(), 1u);
  EXPECT_EQ(req->groups[0].local_version, 0);
  EXPECT_EQ(req->groups[0].group_id, synced.group_id);
  Result<SyncOutcome> s = dev->Sync(http, url);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const ApplyReport::Group* g = Find(s->report, "gate_local");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->action, GroupAction::kFull);
  EXPECT_EQ(g->added, 2);
  EXPECT_EQ(g->local_version, synced.local_version);

  // The group now equals the cloud's exactly: the local face is gone, obama is back.
  nlohmann::json cloud = Admin("/api/group/v1/query", {{"group_name", "gate_local"}});
  std::set<std::string> cloud_faces, local_faces;
  for (const auto& t : cloud["data"]["faces"]) cloud_faces.insert(t.get<std::string>());
  Result<std::vector<LocalFace>> listed = dev->ListLocal("gate_local");
  ASSERT_TRUE(listed.ok());
  for (const LocalFace& f : *listed) {
    EXPECT_FALSE(f.local) << f.face_token;
    local_faces.insert(f.face_token);
  }
  EXPECT_EQ(local_faces, cloud_faces);
  EXPECT_EQ(local_faces, (std::set<std::string>{obama, biden}));
  Result<RecognizeAnswer> gone = dev->RecognizeOffline("gate_local", alex);
  ASSERT_TRUE(gone.ok());
  EXPECT_NE(gone->results.at(0).face_token.value_or(""), e->face_token);
  EXPECT_FALSE(gone->results.at(0).passed);
  // Back in step: the next sync changes nothing.
  Result<SyncOutcome> again = dev->Sync(http, url);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Find(again->report, "gate_local")->action, GroupAction::kNone);
}

// A device that never synced manages a group the cloud does not have (the
// spec's offline mode): recognised at once, and sync keeps it (KEEP_LOCAL).
TEST_F(DeviceE2E, NeverSyncedDeviceEditsLocallyAndSyncKeepsAGroupTheCloudLacks) {
  auto dev = OpenDevice("device_offline", {"gate_offline"});
  ASSERT_TRUE(dev);
  Result<Device::Enrolled> e = dev->EnrolLocal("gate_offline", ReadFile(Faces() / "biden" / "2.jpg"));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  Result<RecognizeAnswer> r = dev->RecognizeOffline("gate_offline", Frame(*dev, "biden/1.jpg"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->results.at(0).face_token.value_or(""), e->face_token);
  EXPECT_TRUE(r->results.at(0).passed);
  Result<SyncOutcome> s = dev->Sync(From("127.0.0.6"), server_->base_url());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Find(s->report, "gate_offline")->action, GroupAction::kKeepLocal);
  EXPECT_EQ(Local(*dev, "gate_offline").face_count, 1);
  EXPECT_EQ(Local(*dev, "gate_offline").local_version, 0);
}

// The CLI is a thin shell over the SDK: one pass through every command.
std::string RunCli(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

TEST_F(DeviceE2E, CliSimulatesADevice) {
  const fs::path cli = fs::path(FACEPASS_BINARY_DIR) / "tools" / "device" / "facepass-device";
  if (!fs::exists(cli)) GTEST_SKIP() << "facepass-device not built";
  const std::string token = Enrol("alex_lacamoire/2.jpg");
  ASSERT_FALSE(token.empty());
  Admin("/api/face/v1/update", {{"face_token", token}, {"label", "Alex Lacamoire"}});
  Admin("/api/group/v1/create", {{"group_name", "gate_cli"}});
  Admin("/api/group/v1/bind", {{"group_name", "gate_cli"}, {"face_token", token}});
  const std::string store = (dir_ / "cli.db").string();
  const std::string base = cli.string() + " ";
  const std::string key = " --api-key " + server_->api_key();
  int rc = -1;

  nlohmann::json sync = nlohmann::json::parse(
      RunCli(base + "sync --server " + server_->base_url() + " --group gate_cli --store " + store +
              " --source-ip 127.0.0.4" + key,
          &rc),
      nullptr, false);
  ASSERT_EQ(rc, 0);
  ASSERT_TRUE(sync.is_object());
  EXPECT_EQ(sync["groups"][0]["action"], "FULL");
  EXPECT_EQ(sync["groups"][0]["facetoken_added"], 1);

  nlohmann::json status = nlohmann::json::parse(RunCli(base + "status --store " + store, &rc), nullptr, false);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(status["groups"][0]["group_name"], "gate_cli");
  EXPECT_EQ(status["groups"][0]["face_count"], 1);
  EXPECT_GT(status["groups"][0]["local_version"].get<int64_t>(), 0);

  const std::string photo = (Faces() / "alex_lacamoire" / "1.jpg").string();
  for (const char* mode : {"--offline", "--online"}) {
    nlohmann::json r = nlohmann::json::parse(
        RunCli(base + "recognize " + photo + " " + mode + " --group gate_cli --store " + store + " --models-dir " +
                FACEPASS_MODELS_DIR + " --server " + server_->base_url() + key,
            &rc),
        nullptr, false);
    ASSERT_EQ(rc, 0) << mode;
    ASSERT_TRUE(r.is_object()) << mode;
    EXPECT_EQ(r["results"][0]["face_token"], token) << mode;
    EXPECT_EQ(r["results"][0]["label"], "Alex Lacamoire") << mode;  // offline: from the format-2 sync
  }

  // Local edits: enrol, list, delete; the next sync restores the cloud's copy.
  nlohmann::json enrolled = nlohmann::json::parse(
      RunCli(base + "enrol " + (Faces() / "biden" / "2.jpg").string() + " --group gate_cli --store " + store +
                 " --models-dir " + FACEPASS_MODELS_DIR,
             &rc),
      nullptr, false);
  ASSERT_EQ(rc, 0);
  const std::string local_token = enrolled.value("face_token", "");
  EXPECT_TRUE(IsLocalFaceToken(local_token)) << enrolled.dump();
  EXPECT_EQ(enrolled["group"]["local_version"], 0);
  nlohmann::json listed =
      nlohmann::json::parse(RunCli(base + "list --group gate_cli --store " + store, &rc), nullptr, false);
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(listed["faces"].size(), 2u) << listed.dump();
  RunCli(base + "delete --group gate_cli --face-token " + token + " --store " + store, &rc);
  EXPECT_EQ(rc, 0);
  RunCli(base + "delete --group gate_cli --face-token " + token + " --store " + store + " 2>/dev/null", &rc);
  EXPECT_EQ(rc, 1) << "a second delete finds nothing";
  sync = nlohmann::json::parse(RunCli(base + "sync --server " + server_->base_url() + " --group gate_cli --store " +
                                          store + " --source-ip 127.0.0.4" + key,
                                      &rc),
                               nullptr, false);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(sync["groups"][0]["action"], "FULL") << sync.dump();
  listed = nlohmann::json::parse(RunCli(base + "list --group gate_cli --store " + store, &rc), nullptr, false);
  ASSERT_EQ(listed["faces"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["faces"][0]["face_token"], token);
  EXPECT_EQ(listed["faces"][0]["local"], false);

  // watch: two rounds against a dead port fail with backoff and exit 2.
  RunCli(base + "watch --rounds 2 --interval 1 --server http://127.0.0.1:" + std::to_string(testing::PickFreePort()) +
          " --store " + store + " 2>/dev/null",
      &rc);
  EXPECT_EQ(rc, 2);
}

}  // namespace
}  // namespace facepass::client
