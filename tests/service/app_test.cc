// App start-up rules that need no HTTP.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "service/app.h"
#include "support/server_process.h"

namespace facepass::service {
namespace {

bool HaveModels() { return std::filesystem::exists(std::filesystem::path(FACEPASS_MODELS_DIR) / "blazeface.onnx"); }

AppOptions OptionsFor(const std::filesystem::path& dir) {
  AppOptions o;
  o.data_dir = dir;
  o.engine.models_dir = FACEPASS_MODELS_DIR;
  o.engine.pool_size = 1;
  return o;
}

TEST(ServiceApp, RefusesFeaturesOfAnotherModel) {
  if (!HaveModels()) GTEST_SKIP() << "models/ is absent: run scripts/fetch-models.sh";
  const auto dir = facepass::testing::MakeTempDir("facepass-app");
  {
    auto app = App::Open(OptionsFor(dir));
    ASSERT_TRUE(app.ok()) << app.status().ToString();
  }
  // The same models again: fine.
  ASSERT_TRUE(App::Open(OptionsFor(dir)).ok());
  // The data directory says another embedder made its faces.
  std::ofstream(dir / "search_model", std::ios::trunc) << "some-other-embedder\n";
  auto refused = App::Open(OptionsFor(dir));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("some-other-embedder"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace facepass::service
