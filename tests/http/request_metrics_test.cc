// The server's request metrics through a real http::Server and libcurl: the
// route pattern (never the raw path) and status of every answer, latency and
// body bytes, queue depth and 503s; GET /metrics parses as text format 0.0.4.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/request_metrics.h"
#include "http/server.h"
#include "http/test_http_client.h"
#include "metrics/exposition_parser.h"
#include "metrics/text_format.h"

namespace facepass::http {
namespace {

using metrics::testing::Exposition;
using metrics::testing::ParseExposition;

// Holds handlers until opened.
class Gate {
 public:
  void Pass() {
    std::unique_lock<std::mutex> l(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(l, [this] { return open_; });
  }
  bool WaitEntered(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(30), [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

class RequestMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { spdlog::set_level(spdlog::level::err); }
  void TearDown() override {
    gate_.Open();
    if (server_) server_->Stop();
  }
  void Start(ServerOptions o) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.access_log = false;
    o.metrics = &registry_;
    std::vector<Route> routes = {
        {"GET", "/ok", BodyKind::kNone, [](const Request&) { return ApiReply::Ok({{"x", 1}}); }},
        {"POST", "/json", BodyKind::kJson, [](const Request&) { return ApiReply::Ok(); }},
        {"GET", "/slow", BodyKind::kNone, [this](const Request&) { gate_.Pass(); return ApiReply::Ok(); }},
        MetricsRoute(registry_),
    };
    server_ = std::make_unique<Server>(o, std::move(routes));
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  Exposition Scrape() {
    TestResponse r = TestHttpClient(base_).Get("/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.Header("Content-Type"), nullptr);
    if (r.Header("Content-Type")) {
      EXPECT_EQ(*r.Header("Content-Type"), metrics::kTextContentType);
    }
    Exposition e = ParseExposition(r.body);
    EXPECT_TRUE(e.ok()) << e.error << "\n" << r.body;
    return e;
  }

  metrics::Registry registry_;
  Gate gate_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(RequestMetricsTest, RoutePatternStatusLatencyAndBytes) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  Start(o);
  TestHttpClient c(base_);
  EXPECT_EQ(c.Get("/ok").status, 200);
  EXPECT_EQ(c.Get("/ok/").status, 200);  // the trailing slash is the same route
  EXPECT_EQ(c.Get("/ok?a=1").status, 200);
  EXPECT_EQ(c.Get("/no/such/path-123").status, 404);
  EXPECT_EQ(c.Send("DELETE", "/ok", "", "").status, 405);
  EXPECT_EQ(c.Send("POST", "/json", "not json", "application/json").status, 400);
  EXPECT_EQ(c.Send("POST", "/json", std::string(4096, 'x'), "application/json").status, 413);

  const Exposition e = Scrape();
  auto requests = [&](const char* method, const char* endpoint, const char* code) {
    return e.Value("facepass_http_requests_total", {{"method", method}, {"endpoint", endpoint}, {"code", code}});
  };
  EXPECT_EQ(requests("GET", "/ok", "200"), 3);
  EXPECT_EQ(requests("GET", "unmatched", "404"), 1);
  EXPECT_EQ(requests("DELETE", "unmatched", "405"), 1);  // no route has DELETE /ok
  EXPECT_EQ(requests("POST", "/json", "400"), 1);
  EXPECT_EQ(requests("POST", "/json", "413"), 1);  // refused before the body was read, still its route
  EXPECT_EQ(e.Value("facepass_http_request_duration_seconds_count", {{"method", "GET"}, {"endpoint", "/ok"}}), 3);
  EXPECT_GT(e.Value("facepass_http_request_duration_seconds_sum", {{"method", "GET"}, {"endpoint", "/ok"}}), 0);
  // The envelope {"code":0,...,"data":{"x":1}} three times.
  EXPECT_GT(e.Value("facepass_http_response_bytes_total", {{"method", "GET"}, {"endpoint", "/ok"}}), 3 * 40);
  EXPECT_EQ(e.Value("facepass_http_queue_depth"), 0);
  EXPECT_EQ(e.Value("facepass_http_service_busy_total"), 0);
  for (const auto& [name, f] : e.families)
    for (const auto& s : f.samples) EXPECT_NE(s.labels.count("endpoint") ? s.labels.at("endpoint") : "", "/no/such/path-123");

  // A scrape counts itself once it is answered: the next one sees it.
  EXPECT_EQ(Scrape().Value("facepass_http_requests_total",
                           {{"method", "GET"}, {"endpoint", "/metrics"}, {"code", "200"}}),
            1);
}

TEST_F(RequestMetricsTest, QueueDepthAndServiceBusy) {
  ServerOptions o;
  o.workers = 1;
  o.queue_limit = 1;
  Start(o);
  metrics::Gauge& depth = registry_.AddGauge("facepass_http_queue_depth", "Requests waiting for a worker.").With({});
  metrics::Counter& busy =
      registry_.AddCounter("facepass_http_service_busy_total",
                           "Requests refused with 503 SERVICE_BUSY (queue full or stopping).").With({});
  std::vector<std::thread> clients;
  std::vector<long> status(2);
  for (int i = 0; i < 2; ++i) clients.emplace_back([&, i] { status[i] = TestHttpClient(base_).Get("/slow").status; });
  ASSERT_TRUE(gate_.WaitEntered(1));  // one runs on the only worker...
  for (int i = 0; i < 3000 && depth.Value() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(depth.Value(), 1);  // ...one waits
  // The third is refused at once; /metrics itself would be too, so read the registry directly.
  EXPECT_EQ(TestHttpClient(base_).Get("/ok").status, 503);
  EXPECT_EQ(busy.Value(), 1u);
  gate_.Open();
  for (auto& t : clients) t.join();
  EXPECT_EQ(status[0], 200);
  EXPECT_EQ(status[1], 200);
  EXPECT_EQ(depth.Value(), 0);
  const Exposition e = Scrape();
  EXPECT_EQ(e.Value("facepass_http_requests_total", {{"method", "GET"}, {"endpoint", "/ok"}, {"code", "503"}}), 1);
  EXPECT_EQ(e.Value("facepass_http_requests_total", {{"method", "GET"}, {"endpoint", "/slow"}, {"code", "200"}}), 2);
}

// ServerOptions::metrics defaults to the process registry; nullptr records nothing.
TEST(RequestMetricsDefault, ProcessRegistryUnlessNull) {
  spdlog::set_level(spdlog::level::err);
  auto serve = [](metrics::Registry* registry, const std::string& path) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.access_log = false;
    if (registry != &metrics::DefaultRegistry()) o.metrics = registry;
    Server s(o, {{"GET", path, BodyKind::kNone, [](const Request&) { return ApiReply::Ok(); }}});
    ASSERT_TRUE(s.Start().ok());
    EXPECT_EQ(TestHttpClient("http://127.0.0.1:" + std::to_string(s.port())).Get(path).status, 200);
    s.Stop();
  };
  serve(nullptr, "/not-recorded");
  serve(&metrics::DefaultRegistry(), "/recorded");
  const std::string text = metrics::EncodeText(metrics::DefaultRegistry());
  EXPECT_EQ(text.find("endpoint=\"/not-recorded\""), std::string::npos) << text;
  EXPECT_NE(text.find("endpoint=\"/recorded\""), std::string::npos) << text;
}

}  // namespace
}  // namespace facepass::http
