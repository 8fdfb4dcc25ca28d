// GET /metrics through the real `facepass serve` (issue 12): who may scrape
// (viewer and admin yes, device 403, no key 401; --metrics-listen without a
// key), every scrape parses as text format 0.0.4 (the strict parser of
// tests/metrics), and a face add, a recognise and a sync move the counters
// they should, by the amounts they should.
#include <sys/wait.h>

#include <cstdlib>

#include "e2e/api_fixture.h"
#include "metrics/exposition_parser.h"

namespace facepass::e2e {
namespace {

namespace fs = std::filesystem;
using metrics::testing::Exposition;
using metrics::testing::Labels;
using nlohmann::json;

int RunCli(const std::string& args, const fs::path& log) {
  const std::string cmd = testing::ServerBinary().string() + " " + args + " >" + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A key of `role` made by `facepass keys create` on the (stopped) data directory.
std::string MakeKey(const fs::path& dir, const fs::path& data, const std::string& role) {
  const fs::path out = dir / (role + ".key");
  EXPECT_EQ(RunCli("keys --data-dir " + data.string() + " create --role " + role + " --name m_" + role + " --out " +
                       out.string(),
                   dir / "keys.log"),
            0)
      << ReadFile(dir / "keys.log");
  const std::string k = ReadFile(out);
  return k.substr(0, k.find('\n'));
}

Exposition Scrape(const Api& api) {
  Reply r = api.Get("/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  Exposition e = metrics::testing::ParseExposition(r.body);
  EXPECT_TRUE(e.ok()) << e.error;
  return e;
}

Labels Route(const std::string& method, const std::string& endpoint) {
  return {{"method", method}, {"endpoint", endpoint}};
}
Labels Answer(const std::string& method, const std::string& endpoint, const std::string& code) {
  return {{"method", method}, {"endpoint", endpoint}, {"code", code}};
}

TEST(MetricsE2E, AccessFormatAndCountersThatMove) {
  FP_REQUIRE_SHARED_AND_MODELS();
  const fs::path dir = testing::MakeTempDir("facepass-metrics");
  const fs::path data = dir / "data";
  fs::create_directories(data);
  const std::string admin_key = MakeKey(dir, data, "admin");
  const std::string viewer_key = MakeKey(dir, data, "viewer");
  const std::string device_key = MakeKey(dir, data, "device");
  ASSERT_FALSE(admin_key.empty() || viewer_key.empty() || device_key.empty());
  const uint16_t metrics_port = testing::PickFreePort();
  auto server = testing::ServerProcess::Start(data, {"--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port)});
  ASSERT_NE(server, nullptr);
  const Api admin(server->base_url(), admin_key), viewer(server->base_url(), viewer_key);
  // The management port: no key, nothing but /metrics, and its scrapes are not counted.
  const Api management("http://127.0.0.1:" + std::to_string(metrics_port));

  // Who may scrape the main port.
  Reply none = Api(server->base_url()).Get("/metrics");
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(none.code(), 104401);
  Reply device = Api(server->base_url(), device_key).Get("/metrics");
  EXPECT_EQ(device.status, 403) << device.body;
  EXPECT_EQ(device.code(), 104403);
  Scrape(viewer);
  Scrape(admin);
  EXPECT_EQ(management.Get("/api/version/v1").status, 404);
  EXPECT_EQ(management.Get("/api/group/v1/list").status, 404);
  EXPECT_EQ(admin.Get("/api/no/such/thing").status, 404);

  const Exposition before = Scrape(management);
  EXPECT_EQ(before.Value("facepass_http_requests_total", Answer("GET", "/metrics", "401")), 1);
  EXPECT_EQ(before.Value("facepass_http_requests_total", Answer("GET", "/metrics", "403")), 1);
  EXPECT_EQ(before.Value("facepass_http_requests_total", Answer("GET", "/metrics", "200")), 2);
  EXPECT_EQ(before.Value("facepass_http_requests_total", Answer("GET", "unmatched", "404")), 1);
  for (const auto& [name, f] : before.families)
    for (const auto& s : f.samples)
      for (const auto& [label, value] : s.labels) EXPECT_EQ(value.find("/no/such"), std::string::npos) << name;

  // A face add, a bind, a recognise and a sync.
  const std::string token = admin.Enrol(SharedFace("obama/1.jpg"));
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(admin.PostJson("/api/group/v1/create", {{"group_name", "metrics_gate"}}).status, 200);
  ASSERT_EQ(admin.PostJson("/api/group/v1/bind", {{"group_name", "metrics_gate"}, {"face_token", token}}).status, 200);
  Reply recognised = admin.Recognize("metrics_gate", {{1, SharedFace("obama/4.jpg")}});
  ASSERT_EQ(recognised.status, 200) << recognised.body;
  std::string model = ReadFile(data / "search_model");
  model = model.substr(0, model.find('\n'));
  Reply synced = admin.PostJson("/api/service/sync/v1",
                                {{"info", {{"search_model", model}, {"version", "v1"}}},
                                 {"groups", json::array({{{"group_name", "metrics_gate"}, {"local_version", 0}}})}});
  ASSERT_EQ(synced.status, 200) << synced.body;
  ASSERT_GT(synced.body.size(), 512u) << "one 512-D feature at least";

  const Exposition after = Scrape(management);
  auto moved = [&](const std::string& name, const Labels& labels) {
    const double b = before.Value(name, labels);
    return after.Value(name, labels) - (std::isnan(b) ? 0 : b);
  };
  EXPECT_EQ(moved("facepass_http_requests_total", Answer("POST", "/api/face/v1/add", "200")), 1);
  EXPECT_EQ(moved("facepass_http_requests_total", Answer("POST", "/api/service/recognize/v1", "200")), 1);
  EXPECT_EQ(moved("facepass_http_requests_total", Answer("POST", "/api/service/sync/v1", "200")), 1);
  EXPECT_EQ(moved("facepass_http_request_duration_seconds_count", Route("POST", "/api/face/v1/add")), 1);
  EXPECT_GT(moved("facepass_http_request_duration_seconds_sum", Route("POST", "/api/face/v1/add")), 0);
  // The sync bytes are exactly the body the device received.
  EXPECT_EQ(moved("facepass_http_response_bytes_total", Route("POST", "/api/service/sync/v1")),
            double(synced.body.size()));
  // The management port's scrapes are not counted anywhere.
  EXPECT_EQ(moved("facepass_http_requests_total", Answer("GET", "/metrics", "200")), 0);
  // Enrol and recognise each ran every model stage once (recognise without liveness).
  for (const char* stage : {"decode", "detect", "landmarks", "embed"}) {
    SCOPED_TRACE(stage);
    EXPECT_EQ(moved("facepass_vision_stage_duration_seconds_count", {{"stage", stage}}), 2);
    EXPECT_GT(moved("facepass_vision_stage_duration_seconds_sum", {{"stage", stage}}), 0);
  }
  EXPECT_EQ(moved("facepass_index_bindings", {}), 1);
  EXPECT_EQ(moved("facepass_faces", {}), 1);
  EXPECT_EQ(moved("facepass_groups", {}), 1);
  EXPECT_EQ(after.Value("facepass_captures_purged_total"), 0) << "no capture is past retention";
  EXPECT_GT(after.Value("facepass_index_memory_bytes"), 512 * 4);
  EXPECT_EQ(after.Value("facepass_http_queue_depth"), 0);
  EXPECT_EQ(after.Value("facepass_http_service_busy_total"), 0);

  ASSERT_EQ(server->Stop(), 0);
  // A bad address is refused before anything starts.
  EXPECT_EQ(RunCli("serve --data-dir " + data.string() + " --metrics-listen nowhere", dir / "bad.log"), 2);
  EXPECT_NE(ReadFile(dir / "bad.log").find("--metrics-listen"), std::string::npos) << ReadFile(dir / "bad.log");
  RemoveUnlessFailed(dir);
}

}  // namespace
}  // namespace facepass::e2e
