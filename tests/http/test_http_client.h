// A small blocking HTTP client over libcurl for tests: GET, POST JSON, POST
// multipart (files and fields, in order), POST urlencoded, raw requests. One
// client keeps one curl handle, so consecutive requests reuse the connection
// (keep-alive) unless the server closes it. Not thread-safe: one per thread.
//
//   facepass::http::TestHttpClient c("http://127.0.0.1:" + std::to_string(port));
//   auto r = c.PostMultipart("/api/face/v1/add",
//                            {TestPart::Field("group_name", "g1"),
//                             TestPart::File("image", "a.jpg", bytes, "image/jpeg")});
//   EXPECT_EQ(r.status, 200);
//   EXPECT_EQ(r.Json()["code"], 0);
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace facepass::http {

using TestHeaders = std::vector<std::pair<std::string, std::string>>;

struct TestResponse {
  long status = 0;      // HTTP status; 0 when the exchange failed
  std::string error;    // curl's message when it failed, else ""
  TestHeaders headers;  // names as sent by the server, in order
  std::string body;
  long new_connections = 0;  // connections curl opened for this request

  bool ok() const { return error.empty(); }
  const std::string* Header(std::string_view name) const;  // case-insensitive
  // The body parsed as JSON; a discarded value when it is not JSON.
  nlohmann::json Json() const;
};

// One part of a multipart/form-data body.
struct TestPart {
  std::string name;
  std::string data;
  bool is_file = false;
  std::string filename;      // sent as filename="..." when is_file
  std::string content_type;  // sent when not empty

  static TestPart Field(std::string name, std::string value, std::string content_type = "");
  static TestPart File(std::string name, std::string filename, std::string data,
                       std::string content_type = "application/octet-stream");
};

class TestHttpClient {
 public:
  // base_url like "http://127.0.0.1:8080"; timeout for a whole request.
  explicit TestHttpClient(std::string base_url, long timeout_ms = 15000);
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  // path may carry a query string: "/api/image/v1/query?image_id=x".
  TestResponse Get(const std::string& path, const TestHeaders& headers = {});
  TestResponse PostJson(const std::string& path, const nlohmann::json& body);
  TestResponse PostMultipart(const std::string& path, const std::vector<TestPart>& parts);
  // application/x-www-form-urlencoded, names and values percent-encoded.
  TestResponse PostForm(const std::string& path, const TestHeaders& fields);
  // Any method and body; content_type "" sends no Content-Type.
  TestResponse Send(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& content_type, const TestHeaders& headers = {});

  // Send "Expect: 100-continue" for large bodies as curl does by default
  // (off by default: the server does not answer 100 Continue).
  void set_expect_continue(bool on) { expect_continue_ = on; }
  // Sends "Authorization: Bearer <key>" with every request ("" sends none):
  // a real `facepass serve` wants a key (ServerProcess::api_key()).
  void set_api_key(std::string key) { api_key_ = std::move(key); }
  // Drop the kept-alive connection; the next request opens a new one.
  void Reset();

 private:
  TestResponse Perform(const std::string& method, const std::string& path, const std::string* body,
                       const std::string& content_type, const TestHeaders& headers, void* mime);

  std::string base_url_;
  long timeout_ms_;
  bool expect_continue_ = false;
  std::string api_key_;
  void* curl_ = nullptr;  // CURL*
};

}  // namespace facepass::http
