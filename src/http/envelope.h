// Turns an ApiReply into the bytes and headers of an HTTP response: the
// FacePass JSON envelope {code, message, data, timestamp, timecost}, or the
// reply's raw bytes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "http/reply.h"

namespace facepass::http {

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

inline constexpr char kJsonContentType[] = "application/json; charset=utf-8";

// Envelope unless reply.raw_body is set; reply.headers and reply.http_status
// are used in both cases. A null `data` becomes {}. Strings that are not valid
// UTF-8 are written with U+FFFD replacements instead of failing.
HttpResponse BuildResponse(ApiReply reply, int64_t timestamp_ms, int64_t timecost_ms);

// The envelope text alone, keys in the spec's order.
std::string EnvelopeJson(int code, const std::string& message, const nlohmann::json& data,
                         int64_t timestamp_ms, int64_t timecost_ms);

// "Not Found" for 404 etc.; "Unknown" for codes without a phrase here.
const char* ReasonPhrase(int status);

}  // namespace facepass::http
