// The FacePass API's error catalogue (the spec's tables + docs/decisions.md) as
// values: a domain call that refuses answers a DomainError, and only the API
// layer (src/api) turns one into an HTTP status and the JSON envelope.
#pragma once

#include <string>

namespace facepass {

enum class ErrorCode : int {
  kOk = 0,
  kIllegalJsonBody = 104000,
  kIllegalArgument = 104001,
  kMissingArgument = 104002,
  kUnsupportedImageFormat = 104100,
  kInvalidImageResolution = 104101,
  kInvalidImageFileSize = 104102,
  kImageValidateFailed = 104103,
  kFaceNotFound = 104200,
  kBadQuality = 104201,
  kFaceTokenNotExist = 104202,
  kImageIdNotExist = 104203,
  kGroupNameConflict = 104300,
  kGroupNameNotExist = 104301,
  kGroupBindingNotExist = 104303,
  kUnauthorized = 104401,
  kForbidden = 104403,
  kNotFound = 104404,
  kMethodNotAllowed = 104405,
  kBadRequest = 104400,  // malformed HTTP request (http/request_head_guard.h)
  kRequestTimeout = 104408,  // request head not complete in time (HTTP 408)
  kUriTooLong = 104414,  // request target longer than the limit (HTTP 414)
  kMisdirectedRequest = 104421,  // Host not in --allowed-hosts (HTTP 421)
  kHeaderFieldsTooLarge = 104431,  // too many or too long header fields (HTTP 431)
  kTooManyRequests = 104429,
  kCompareLivenessFailed = 104901,
  kInternalError = 105000,
  kServiceBusy = 105003,
  kStoreUnavailable = 105004,  // the shared database (PostgreSQL) did not answer in time (HTTP 503; issue 27)
  kNotImplemented = 105001,  // request method not known to the server (HTTP 501)
  kHttpVersionNotSupported = 105005,  // request line's HTTP major version is not 1 (HTTP 505)
};

struct DomainError {
  ErrorCode code = ErrorCode::kInternalError;
  std::string message;  // the envelope's message, e.g. "MISSING_ARGUMENT: group_name,face_token"

  bool operator==(const DomainError&) const = default;
};

// One constructor per row; `args` follows the tag after ": " when not empty.
namespace errors {
inline DomainError Make(ErrorCode c, const char* tag, const std::string& args = "") {
  return {c, args.empty() ? std::string(tag) : std::string(tag) + ": " + args};
}
inline DomainError IllegalJsonBody() { return Make(ErrorCode::kIllegalJsonBody, "ILLEGAL_JSON_BODY"); }
inline DomainError IllegalArgument(const std::string& args) { return Make(ErrorCode::kIllegalArgument, "ILLEGAL_ARGUMENT", args); }
inline DomainError MissingArgument(const std::string& args) { return Make(ErrorCode::kMissingArgument, "MISSING_ARGUMENT", args); }
inline DomainError UnsupportedImageFormat() { return Make(ErrorCode::kUnsupportedImageFormat, "UNSUPPORTED_IMAGE_FORMAT"); }
inline DomainError InvalidImageResolution() { return Make(ErrorCode::kInvalidImageResolution, "INVALID_IMAGE_RESOLUTION"); }
inline DomainError InvalidImageFileSize() { return Make(ErrorCode::kInvalidImageFileSize, "INVALID_IMAGE_FILE_SIZE"); }
inline DomainError ImageValidateFailed(const std::string& args) { return Make(ErrorCode::kImageValidateFailed, "IMAGE_VALIDATE_FAILED", args); }
inline DomainError FaceNotFound(const std::string& args = "") { return Make(ErrorCode::kFaceNotFound, "FACE_NOT_FOUND", args); }
inline DomainError BadQuality(const std::string& reason) { return Make(ErrorCode::kBadQuality, "BAD_QUALITY", reason); }
inline DomainError FaceTokenNotExist() { return Make(ErrorCode::kFaceTokenNotExist, "FACE_TOKEN_NOT_EXIST"); }
inline DomainError ImageIdNotExist() { return Make(ErrorCode::kImageIdNotExist, "IMAGE_ID_NOT_EXIST"); }
inline DomainError GroupNameConflict() { return Make(ErrorCode::kGroupNameConflict, "GROUP_NAME_CONFLICT"); }
inline DomainError GroupNameNotExist() { return Make(ErrorCode::kGroupNameNotExist, "GROUP_NAME_NOT_EXIST"); }
inline DomainError GroupBindingNotExist() { return Make(ErrorCode::kGroupBindingNotExist, "GROUP_BINDING_NOT_EXIST"); }
inline DomainError Unauthorized() { return Make(ErrorCode::kUnauthorized, "UNAUTHORIZED"); }
inline DomainError Forbidden(const std::string& role) { return Make(ErrorCode::kForbidden, "FORBIDDEN", role); }
inline DomainError NotFound() { return Make(ErrorCode::kNotFound, "NOT_FOUND"); }
inline DomainError MethodNotAllowed() { return Make(ErrorCode::kMethodNotAllowed, "METHOD_NOT_ALLOWED"); }
inline DomainError MisdirectedRequest() { return Make(ErrorCode::kMisdirectedRequest, "MISDIRECTED_REQUEST", "host"); }
inline DomainError TooManyRequests() { return Make(ErrorCode::kTooManyRequests, "TOO_MANY_REQUESTS"); }
inline DomainError CompareLivenessFailed() { return Make(ErrorCode::kCompareLivenessFailed, "COMPARE_LIVENESS_FAILED"); }
inline DomainError InternalError() { return Make(ErrorCode::kInternalError, "INTERNAL_ERROR"); }
inline DomainError ServiceBusy() { return Make(ErrorCode::kServiceBusy, "SERVICE_BUSY"); }
inline DomainError StoreUnavailable() { return Make(ErrorCode::kStoreUnavailable, "STORE_UNAVAILABLE"); }
inline DomainError BadRequest(const std::string& why) { return Make(ErrorCode::kBadRequest, "BAD_REQUEST", why); }
inline DomainError RequestTimeout() { return Make(ErrorCode::kRequestTimeout, "REQUEST_TIMEOUT", "request head"); }
inline DomainError UriTooLong() { return Make(ErrorCode::kUriTooLong, "URI_TOO_LONG"); }
inline DomainError HeaderFieldsTooLarge(const std::string& why) { return Make(ErrorCode::kHeaderFieldsTooLarge, "REQUEST_HEADER_FIELDS_TOO_LARGE", why); }
inline DomainError NotImplemented(const std::string& why) { return Make(ErrorCode::kNotImplemented, "NOT_IMPLEMENTED", why); }
inline DomainError HttpVersionNotSupported() { return Make(ErrorCode::kHttpVersionNotSupported, "HTTP_VERSION_NOT_SUPPORTED"); }
}  // namespace errors

}  // namespace facepass
