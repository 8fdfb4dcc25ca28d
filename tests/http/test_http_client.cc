#include "test_http_client.h"

#include <strings.h>

#include "client/curl_easy.h"

namespace facepass::http {

namespace {

// Header lines of the final response only (a 100 Continue block is dropped).
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<TestHeaders*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new status line starts a new header block
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return size * n;
}

std::string Escape(CURL* c, const std::string& s) {
  char* e = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

}  // namespace

const std::string* TestResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return &v;
  }
  return nullptr;
}

nlohmann::json TestResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

TestPart TestPart::Field(std::string name, std::string value, std::string content_type) {
  TestPart p;
  p.name = std::move(name);
  p.data = std::move(value);
  p.content_type = std::move(content_type);
  return p;
}

TestPart TestPart::File(std::string name, std::string filename, std::string data, std::string content_type) {
  TestPart p;
  p.name = std::move(name);
  p.data = std::move(data);
  p.is_file = true;
  p.filename = std::move(filename);
  p.content_type = std::move(content_type);
  return p;
}

TestHttpClient::TestHttpClient(std::string base_url, long timeout_ms)
    : base_url_(std::move(base_url)), timeout_ms_(timeout_ms) {
  client::curl::GlobalInit();
  curl_ = curl_easy_init();
}

TestHttpClient::~TestHttpClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

void TestHttpClient::Reset() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_ = curl_easy_init();
}

TestResponse TestHttpClient::Get(const std::string& path, const TestHeaders& headers) {
  return Perform("GET", path, nullptr, "", headers, nullptr);
}

TestResponse TestHttpClient::PostJson(const std::string& path, const nlohmann::json& body) {
  std::string text = body.dump();
  return Perform("POST", path, &text, "application/json", {}, nullptr);
}

TestResponse TestHttpClient::PostForm(const std::string& path, const TestHeaders& fields) {
  std::string text;
  for (const auto& [k, v] : fields) {
    if (!text.empty()) text += '&';
    text += Escape(static_cast<CURL*>(curl_), k) + "=" + Escape(static_cast<CURL*>(curl_), v);
  }
  return Perform("POST", path, &text, "application/x-www-form-urlencoded", {}, nullptr);
}

TestResponse TestHttpClient::PostMultipart(const std::string& path, const std::vector<TestPart>& parts) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_mime* mime = curl_mime_init(c);
  for (const TestPart& p : parts) {
    client::curl::AddPart(mime, p.name, p.data, p.is_file ? &p.filename : nullptr, p.content_type);
  }
  TestResponse r = Perform("POST", path, nullptr, "", {}, mime);
  curl_mime_free(mime);
  return r;
}

TestResponse TestHttpClient::Send(const std::string& method, const std::string& path, const std::string& body,
                                  const std::string& content_type, const TestHeaders& headers) {
  return Perform(method, path, &body, content_type, headers, nullptr);
}

TestResponse TestHttpClient::Perform(const std::string& method, const std::string& path, const std::string* body,
                                     const std::string& content_type, const TestHeaders& headers, void* mime) {
  TestResponse r;
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) {
    r.error = "curl_easy_init failed";
    return r;
  }
  curl_easy_reset(c);  // keeps the connection cache
  std::string url = base_url_ + path;
  client::curl::SetExchange(c, url, timeout_ms_, timeout_ms_, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);

  struct curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  if (!api_key_.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + api_key_).c_str());
  if (!content_type.empty()) list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
  if (!expect_continue_) list = curl_slist_append(list, "Expect:");

  if (mime) {
    curl_easy_setopt(c, CURLOPT_MIMEPOST, static_cast<curl_mime*>(mime));
  } else if (body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    if (content_type.empty()) list = curl_slist_append(list, "Content-Type:");
  }
  if (method != "GET" && method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else if (method == "GET" && body) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "GET");
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r.new_connections);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  return r;
}

}  // namespace facepass::http
