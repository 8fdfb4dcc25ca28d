// The FacePass API's error catalogue (spec tables + DECISIONS.md) and the reply
// a handler gives back. The HTTP layer wraps an ApiReply in the JSON envelope.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace facepass {

struct ApiError {
  int http_status = 400;
  int code = 0;
  std::string message;  // e.g. "MISSING_ARGUMENT: group_name,face_token"
};

namespace api_error {
inline std::string WithArgs(const char* tag, const std::string& args) {
  return args.empty() ? std::string(tag) : std::string(tag) + ": " + args;
}
inline ApiError IllegalJsonBody() { return {400, 104000, "ILLEGAL_JSON_BODY"}; }
inline ApiError IllegalArgument(const std::string& args) { return {400, 104001, WithArgs("ILLEGAL_ARGUMENT", args)}; }
inline ApiError MissingArgument(const std::string& args) { return {400, 104002, WithArgs("MISSING_ARGUMENT", args)}; }
inline ApiError UnsupportedImageFormat() { return {400, 104100, "UNSUPPORTED_IMAGE_FORMAT"}; }
inline ApiError InvalidImageResolution() { return {400, 104101, "INVALID_IMAGE_RESOLUTION"}; }
inline ApiError InvalidImageFileSize() { return {400, 104102, "INVALID_IMAGE_FILE_SIZE"}; }
inline ApiError ImageValidateFailed(const std::string& args) { return {400, 104103, WithArgs("IMAGE_VALIDATE_FAILED", args)}; }
inline ApiError FaceNotFound(const std::string& args = "") { return {400, 104200, WithArgs("FACE_NOT_FOUND", args)}; }
inline ApiError BadQuality(const std::string& reason) { return {400, 104201, WithArgs("BAD_QUALITY", reason)}; }
inline ApiError FaceTokenNotExist() { return {400, 104202, "FACE_TOKEN_NOT_EXIST"}; }
inline ApiError ImageIdNotExist() { return {400, 104203, "IMAGE_ID_NOT_EXIST"}; }
inline ApiError GroupNameConflict() { return {400, 104300, "GROUP_NAME_CONFLICT"}; }
inline ApiError GroupNameNotExist() { return {400, 104301, "GROUP_NAME_NOT_EXIST"}; }
inline ApiError GroupBindingNotExist() { return {400, 104303, "GROUP_BINDING_NOT_EXIST"}; }
inline ApiError CompareLivenessFailed() { return {400, 104901, "COMPARE_LIVENESS_FAILED"}; }
inline ApiError NotFound() { return {404, 104404, "NOT_FOUND"}; }
inline ApiError MethodNotAllowed() { return {405, 104405, "METHOD_NOT_ALLOWED"}; }
inline ApiError InternalError() { return {500, 105000, "INTERNAL_ERROR"}; }
inline ApiError ServiceBusy() { return {503, 105003, "SERVICE_BUSY"}; }
}  // namespace api_error

// What a route handler returns. By default the HTTP layer sends the JSON envelope
// {code, message, data, timestamp, timecost}; with raw_body set it sends those
// bytes as they are (image download, sync stream).
struct ApiReply {
  int http_status = 200;
  int code = 0;
  std::string message;
  nlohmann::json data = nlohmann::json::object();
  std::optional<std::string> raw_body;
  std::string raw_content_type;
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiReply Ok(nlohmann::json d = nlohmann::json::object()) {
    ApiReply r;
    r.data = std::move(d);
    return r;
  }
  static ApiReply Error(const ApiError& e, nlohmann::json d = nlohmann::json::object()) {
    ApiReply r;
    r.http_status = e.http_status;
    r.code = e.code;
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
