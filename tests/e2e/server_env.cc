#include "e2e/server_env.h"

#include <cstdlib>

#include "balancer_child.h"
#include "store/pg_schema.h"

namespace facepass::e2e {

namespace {

std::unique_ptr<testing::ServerProcess> g_process;
std::unique_ptr<testing::ServerProcess> g_second;  // FACEPASS_TEST_BACKEND=cluster
bench::BalancerChild g_balancer;
std::filesystem::path g_cluster_dir;  // the second node's data and haproxy.cfg
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
    const char* env = std::getenv("FACEPASS_TEST_BACKEND");
    const std::string backend = env ? env : "";
    if (backend == "postgresql" || backend == "cluster") {
      // The same tests, the server on PostgreSQL (a private schema of the test cluster).
      g_schema = store::testing_util::PgSchema::Create();
      if (g_schema == nullptr) {
        g_missing = store::testing_util::kNoPgCluster;
        return;
      }
      args = {"--database", g_schema->uri()};
    }
    g_process = testing::ServerProcess::Start(g_data_dir, args);
    if (!g_process) return;
    if (backend != "cluster") {
      g_api = std::make_unique<Api>(*g_process);
      return;
    }
    // The same tests through HAProxy, round robin over two nodes on one
    // database: each request may land on either node (issue 27).
    g_cluster_dir = testing::MakeTempDir("facepass-e2e-cluster");
    g_second = testing::ServerProcess::Start(g_cluster_dir / "node1", args);
    if (!g_second) return;
    auto balancer = bench::StartBalancer(g_cluster_dir, {g_process->port(), g_second->port()});
    if (!balancer.ok()) {
      g_missing = balancer.status().ToString();
      return;
    }
    g_balancer = *balancer;
    g_api = std::make_unique<Api>(g_balancer.url, g_process->api_key());
  }
  void TearDown() override {
    std::filesystem::path log;
    bench::StopBalancer(g_balancer);
    if (g_second) {
      EXPECT_EQ(g_second->Stop(), 0) << "graceful stop failed; log: " << g_second->log_path();
      g_second.reset();
    }
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
      if (!g_cluster_dir.empty()) std::filesystem::remove_all(g_cluster_dir, ec);
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
