#include "client/http_client.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

#include "client/curl_easy.h"

namespace facepass::client {

namespace {

// Keeps only Retry-After: callers back off by what the server asks.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  const std::string line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() &&
      std::equal(kName.begin(), kName.end(), line.begin(), [](char a, char b) { return a == std::tolower(b); })) {
    std::string v = line.substr(kName.size());
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(v.begin());
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
    *static_cast<std::string*>(user) = v;
  }
  return size * n;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct MimeDeleter {
  void operator()(curl_mime* m) const { curl_mime_free(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// The call's own headers plus the key; an empty `Expect:` everywhere
// (the server does not answer 100 Continue).
Slist Headers(const HttpOptions& o, const char* content_type) {
  curl_slist* l = curl_slist_append(nullptr, "Expect:");
  if (content_type) l = curl_slist_append(l, content_type);
  if (!o.api_key.empty()) l = curl_slist_append(l, ("Authorization: Bearer " + o.api_key).c_str());
  return Slist(l);
}

Easy NewEasy(const std::string& url, const HttpOptions& o, HttpResponse* resp) {
  curl::GlobalInit();
  Easy c(curl_easy_init());
  if (!c) return c;
  curl::SetExchange(c.get(), url, o.connect_timeout_ms, o.timeout_ms, &resp->body);
  curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &resp->retry_after);
  if (!o.ca_file.empty()) curl_easy_setopt(c.get(), CURLOPT_CAINFO, o.ca_file.c_str());
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  if (!o.source_ip.empty()) {
    std::string iface = "host!" + o.source_ip;
    curl_easy_setopt(c.get(), CURLOPT_INTERFACE, iface.c_str());  // libcurl copies the string
  }
  return c;
}

// `resp->body` is where the easy handle writes (set up by NewEasy).
Result<HttpResponse> Perform(CURL* c, HttpResponse* resp) {
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string msg = std::string("http: ") + curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_OPERATION_TIMEDOUT:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
        return Status::Unavailable(msg);
      default:
        return Status::IoError(msg);
    }
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
  char* ct = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
  if (ct) resp->content_type = ct;
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &resp->seconds);
  return std::move(*resp);
}

}  // namespace

std::string JoinUrl(const std::string& base, const std::string& path) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  if (b.find("://") == std::string::npos) b = "http://" + b;
  return path.empty() || path.front() == '/' ? b + path : b + "/" + path;
}

HttpClient::HttpClient(HttpOptions opts) : opts_(opts) {}

Result<HttpResponse> HttpClient::PostJson(const std::string& url, const std::string& json) const {
  HttpResponse resp;
  Easy c = NewEasy(url, opts_, &resp);
  if (!c) return Status::Internal("http: curl_easy_init failed");
  Slist headers = Headers(opts_, "Content-Type: application/json");
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, json.data());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
  return Perform(c.get(), &resp);
}

Result<HttpResponse> HttpClient::PostMultipart(const std::string& url, const std::vector<MultipartPart>& parts) const {
  HttpResponse resp;
  Easy c = NewEasy(url, opts_, &resp);
  if (!c) return Status::Internal("http: curl_easy_init failed");
  std::unique_ptr<curl_mime, MimeDeleter> mime(curl_mime_init(c.get()));
  for (const MultipartPart& p : parts) {
    curl::AddPart(mime.get(), p.name, p.data, p.filename.empty() ? nullptr : &p.filename, p.content_type);
  }
  Slist headers = Headers(opts_, nullptr);
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_MIMEPOST, mime.get());
  return Perform(c.get(), &resp);
}

Result<HttpResponse> HttpClient::Get(const std::string& url) const {
  HttpResponse resp;
  Easy c = NewEasy(url, opts_, &resp);
  if (!c) return Status::Internal("http: curl_easy_init failed");
  Slist headers = Headers(opts_, nullptr);
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  return Perform(c.get(), &resp);
}

}  // namespace facepass::client
