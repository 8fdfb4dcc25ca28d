#include "e2e/server_env.h"

namespace facepass::e2e {

namespace {

std::unique_ptr<testing::ServerProcess> g_process;
std::unique_ptr<Api> g_api;
std::filesystem::path g_data_dir;

class ServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!HaveModels() || !HaveSharedFaces()) return;
    g_data_dir = testing::MakeTempDir("facepass-e2e");
    g_process = testing::ServerProcess::Start(g_data_dir);
    if (g_process) g_api = std::make_unique<Api>(*g_process);
  }
  void TearDown() override {
    std::filesystem::path log;
    if (g_process) {
      EXPECT_EQ(g_process->Stop(), 0) << "graceful stop failed; log: " << g_process->log_path();
      log = g_process->log_path();
    }
    g_api.reset();
    g_process.reset();
    // Keep the evidence of a failed run; otherwise leave /tmp as it was.
    if (!g_data_dir.empty() && !::testing::UnitTest::GetInstance()->Failed()) {
      std::error_code ec;
      std::filesystem::remove_all(g_data_dir, ec);
      if (!log.empty()) std::filesystem::remove(log, ec);
    }
  }
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

}  // namespace

const Api* Server() { return g_api.get(); }
testing::ServerProcess* ServerProcessHandle() { return g_process.get(); }
const std::filesystem::path& ServerDataDir() { return g_data_dir; }

}  // namespace facepass::e2e
