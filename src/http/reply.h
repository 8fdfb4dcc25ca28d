// What a handler gives back to the HTTP layer, and the one mapping from the
// spec's error codes to HTTP statuses. It lives at the edge because it is an
// HTTP status, headers and a body: the server wraps it in the JSON envelope
// (envelope.h), and src/api builds one per request.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error_code.h"
#include "http/event_stream.h"

namespace facepass {

// The HTTP status of each code in the spec's error table.
inline int HttpStatusOf(ErrorCode c) {
  switch (c) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kRequestTimeout: return 408;
    case ErrorCode::kUriTooLong: return 414;
    case ErrorCode::kMisdirectedRequest: return 421;
    case ErrorCode::kHeaderFieldsTooLarge: return 431;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kInternalError: return 500;
    case ErrorCode::kNotImplemented: return 501;
    case ErrorCode::kServiceBusy: return 503;
    case ErrorCode::kStoreUnavailable: return 503;
    case ErrorCode::kHttpVersionNotSupported: return 505;
    default: return 400;
  }
}

// By default the HTTP layer sends the JSON envelope {code, message, data,
// timestamp, timecost}; with raw_body set it sends those bytes as they are
// (image download, sync stream); with stream set it holds the request as
// server-sent events.
struct ApiReply {
  int http_status = 200;
  int code = 0;
  std::string message;
  nlohmann::json data = nlohmann::json::object();
  std::optional<std::string> raw_body;
  std::string raw_content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set on a 200: the request is held as an event stream (http/event_stream.h).
  http::StreamOpener stream;

  static ApiReply Ok(nlohmann::json d = nlohmann::json::object()) {
    ApiReply r;
    r.data = std::move(d);
    return r;
  }
  static ApiReply Error(const DomainError& e, nlohmann::json d = nlohmann::json::object()) {
    ApiReply r;
    r.http_status = HttpStatusOf(e.code);
    r.code = static_cast<int>(e.code);
    r.message = e.message;
    r.data = std::move(d);
    return r;
  }
  static ApiReply Bytes(std::string body, std::string content_type) {
    ApiReply r;
    r.raw_body = std::move(body);
    r.raw_content_type = std::move(content_type);
    return r;
  }
};

}  // namespace facepass
