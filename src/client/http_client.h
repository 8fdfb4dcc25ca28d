// A small blocking HTTP client over libcurl for the device SDK: JSON POST,
// multipart POST and GET, over http:// or https://. One easy handle per call;
// safe to use from several threads (each call is independent).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::client {

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::string body;
  double seconds = 0;  // total transfer time
  std::string retry_after;  // the Retry-After header of a 503/429, "" when absent
};

struct MultipartPart {
  std::string name;
  std::string data;
  std::string filename;      // non-empty: sent as a file part
  std::string content_type;  // e.g. "image/jpeg"; empty: libcurl's default
};

struct HttpOptions {
  long connect_timeout_ms = 3000;
  long timeout_ms = 120000;  // whole request (a FULL sync of a big group is tens of MB)
  // Local source address, e.g. "127.0.0.2": the server keys sync status by
  // client IP, so simulated devices on one host each take their own address.
  std::string source_ip;
  // https://: PEM file of the CA(s) to trust instead of the system store, e.g.
  // the server's self-signed certificate. The peer and host name are always
  // verified; there is deliberately no switch to turn that off.
  std::string ca_file;
  // Sent as `Authorization: Bearer <key>` when not empty (issue 10).
  std::string api_key;
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions opts = {});

  // kUnavailable when the server cannot be reached (connect error, timeout):
  // the caller treats it as "offline". Any HTTP status is a successful call.
  Result<HttpResponse> PostJson(const std::string& url, const std::string& json) const;
  Result<HttpResponse> PostMultipart(const std::string& url, const std::vector<MultipartPart>& parts) const;
  Result<HttpResponse> Get(const std::string& url) const;

 private:
  HttpOptions opts_;
};

// "http://host:port" + "/api/..." without doubled slashes.
std::string JoinUrl(const std::string& base, const std::string& path);

}  // namespace facepass::client
