// The device SDK applies the server's pass rule offline, liveness included: a capture
// whose liveness misses the threshold is not passed, even when its face matches. No
// server: the synced group is one FULL sync answer built here from the capture itself.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "client/device.h"
#include "vision/engine.h"

namespace facepass::client {
namespace {

namespace fs = std::filesystem;

const fs::path kPhoto = fs::path(FACEPASS_SHARED_DIR) / "faces" / "obama" / "1.jpg";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class DeviceLiveness : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPhoto)) GTEST_SKIP() << "dev photos not found: " << kPhoto;
    for (const char* m : {"blazeface.onnx", "arcface.onnx", "antispoof.onnx", "liveness.onnx"}) {
      if (!fs::exists(fs::path(FACEPASS_MODELS_DIR) / m)) GTEST_SKIP() << "model not found: " << m;
    }
    std::string tmpl = ::testing::TempDir() + "fp_device_live_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    vision::EngineOptions opts;
    opts.models_dir = FACEPASS_MODELS_DIR;
    opts.pool_size = 1;
    Result<std::unique_ptr<vision::Engine>> engine = vision::Engine::Create(opts);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    Result<std::unique_ptr<Device>> d = Device::Open(dir_ / "device.db", engine_.get());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    device_ = std::move(*d);
    ASSERT_TRUE(device_->store().AddGroup("gate_live").ok());

    Result<std::vector<Capture>> c = device_->Captures(ReadFile(kPhoto));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    ASSERT_FALSE(c->empty());
    captures_ = std::move(*c);

    // Enrol the capture's own face, as a FULL sync of the group would deliver it.
    Result<vision::Analysis> a = engine_->Analyze(captures_[0].jpeg, vision::Purpose::kRecognise, {.embed = true});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(a->best && !a->best->feature.empty());
    sync::SyncResult r;
    r.search_model = engine_->search_model();
    r.dim = static_cast<uint32_t>(a->best->feature.size());
    r.recognize_threshold = 78;
    r.groups.push_back({.group_name = "gate_live",
                        .group_id = 1,
                        .local_version = 0,
                        .cloud_version = 1,
                        .action = sync::GroupAction::kFull,
                        .added = {{"tok_live", a->best->feature}},
                        .deleted = {}});
    Result<std::string> bytes = sync::Encode(r);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    Result<ApplyReport> applied = device_->ApplySyncResult(*bytes);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }
  void TearDown() override {
    device_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  TrackResult Recognize(const OfflineOptions& opts) {
    Result<RecognizeAnswer> a = device_->RecognizeOffline("gate_live", {captures_[0]}, opts);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok() || a->results.size() != 1) {
      ADD_FAILURE() << "expected one result";
      return {};
    }
    EXPECT_FLOAT_EQ(a->liveness_threshold, static_cast<float>(opts.liveness_threshold));
    return a->results[0];
  }

  fs::path dir_;
  std::unique_ptr<vision::Engine> engine_;
  std::unique_ptr<Device> device_;
  std::vector<Capture> captures_;
};

TEST_F(DeviceLiveness, FailingLivenessIsNotPassed) {
  // Without liveness the matching face passes on its score alone.
  TrackResult plain = Recognize({});
  ASSERT_EQ(plain.face_token, "tok_live");
  ASSERT_TRUE(plain.passed) << plain.score;
  EXPECT_FALSE(plain.liveness_score.has_value());

  TrackResult live = Recognize({.liveness = true});
  ASSERT_TRUE(live.liveness_score.has_value());
  const double s = *live.liveness_score;
  EXPECT_EQ(live.passed, s >= 50) << s;  // the spec's default threshold

  // At its own score the capture is live; just above, it fails liveness and is not
  // passed although the face still matches with the same score.
  EXPECT_TRUE(Recognize({.liveness = true, .liveness_threshold = s}).passed);
  TrackResult spoof = Recognize({.liveness = true, .liveness_threshold = s + 0.5});
  EXPECT_EQ(spoof.face_token, "tok_live");
  EXPECT_FLOAT_EQ(spoof.score, plain.score);
  EXPECT_FALSE(spoof.passed);
}

}  // namespace
}  // namespace facepass::client
