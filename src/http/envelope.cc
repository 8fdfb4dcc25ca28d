#include "http/envelope.h"

namespace facepass::http {

namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string EnvelopeJson(int code, const std::string& message, const nlohmann::json& data,
                         int64_t timestamp_ms, int64_t timecost_ms) {
  std::string out;
  out.reserve(96 + message.size());
  out += "{\"code\":";
  out += std::to_string(code);
  out += ",\"message\":";
  out += Dump(nlohmann::json(message));
  out += ",\"timestamp\":";
  out += std::to_string(timestamp_ms);
  out += ",\"timecost\":";
  out += std::to_string(timecost_ms);
  out += ",\"data\":";
  out += data.is_null() ? std::string("{}") : Dump(data);
  out += '}';
  return out;
}

HttpResponse BuildResponse(ApiReply reply, int64_t timestamp_ms, int64_t timecost_ms) {
  HttpResponse r;
  r.status = reply.http_status;
  r.headers = std::move(reply.headers);
  if (reply.raw_body) {
    r.content_type = reply.raw_content_type.empty() ? "application/octet-stream" : reply.raw_content_type;
    r.body = std::move(*reply.raw_body);
  } else {
    r.content_type = kJsonContentType;
    r.body = EnvelopeJson(reply.code, reply.message, reply.data, timestamp_ms, timecost_ms);
  }
  return r;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace facepass::http
