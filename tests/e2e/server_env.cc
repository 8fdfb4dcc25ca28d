#include "e2e/server_env.h"

#include <cstdlib>

#include "store/pg_schema.h"

namespace facepass::e2e {

namespace {

std::unique_ptr<testing::ServerProcess> g_process;
std::unique_ptr<Api> g_api;
std::filesystem::path g_data_dir;
std::unique_ptr<store::testing_util::PgSchema> g_schema;  // FACEPASS_TEST_BACKEND=postgresql
std::string g_missing;

class ServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!HaveModels() || !HaveSharedFaces()) return;
    g_data_dir = testing::MakeTempDir("facepass-e2e");
    std::vector<std::string> args;
    const char* backend = std::getenv("FACEPASS_TEST_BACKEND");
    if (backend != nullptr && std::string(backend) == "postgresql") {
      // The same tests, the server on PostgreSQL (a private schema of the test cluster).
      g_schema = store::testing_util::PgSchema::Create();
      if (g_schema == nullptr) {
        g_missing = store::testing_util::kNoPgCluster;
        return;
      }
      args = {"--database", g_schema->uri()};
    }
    g_process = testing::ServerProcess::Start(g_data_dir, args);
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
    g_schema.reset();
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
const std::string& MissingBackend() { return g_missing; }
testing::ServerProcess* ServerProcessHandle() { return g_process.get(); }
const std::filesystem::path& ServerDataDir() { return g_data_dir; }

}  // namespace facepass::e2e
