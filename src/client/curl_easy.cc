#include "client/curl_easy.h"

#include <mutex>

namespace facepass::client::curl {

namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void SetExchange(CURL* c, const std::string& url, long connect_timeout_ms, long timeout_ms, std::string* body) {
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
}

void AddPart(curl_mime* mime, const std::string& name, const std::string& data, const std::string* filename,
             const std::string& content_type) {
  curl_mimepart* part = curl_mime_addpart(mime);
  curl_mime_name(part, name.c_str());
  curl_mime_data(part, data.data(), data.size());
  if (filename) curl_mime_filename(part, filename->c_str());
  if (!content_type.empty()) curl_mime_type(part, content_type.c_str());
}

}  // namespace facepass::client::curl
