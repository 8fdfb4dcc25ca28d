// Fills Request::json / form / files from the raw body according to the
// route's BodyKind, and maps what is wrong to the API's errors.
#pragma once

#include <optional>

#include "common/error_code.h"
#include "http/request.h"
#include "http/server.h"

namespace facepass::http {

// Deeper JSON documents are refused as ILLEGAL_JSON_BODY.
inline constexpr int kMaxJsonDepth = 64;

// kNone: nothing (the body is ignored).
// kJson: Content-Type must be application/json (parameters allowed) and the
//   body a JSON object nested at most kMaxJsonDepth deep -> Request::json;
//   otherwise ILLEGAL_JSON_BODY (also for an empty body).
// kForm: multipart/form-data -> form + files, broken multipart ->
//   "ILLEGAL_ARGUMENT: multipart body"; x-www-form-urlencoded -> form; any
//   other or no Content-Type -> nothing, the handler sees empty form/files.
// Returns the error to answer with, or nullopt when the handler may run.
std::optional<DomainError> ParseBody(BodyKind kind, Request* req);

}  // namespace facepass::http
