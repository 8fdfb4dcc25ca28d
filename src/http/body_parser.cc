#include "http/body_parser.h"

#include "http/form_parser.h"

namespace facepass::http {

namespace {

std::optional<ApiError> ParseJson(Request* req) {
  if (ParseMediaType(req->content_type).type != "application/json") return api_error::IllegalJsonBody();
  // Non-throwing parse: a syntax error yields a "discarded" value.
  nlohmann::json j = nlohmann::json::parse(req->body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return api_error::IllegalJsonBody();
  req->json = std::move(j);
  return std::nullopt;
}

std::optional<ApiError> ParseForm(Request* req) {
  MediaType mt = ParseMediaType(req->content_type);
  if (mt.type == "application/x-www-form-urlencoded") {
    req->form = ParseUrlEncoded(req->body);
  } else if (mt.type == "multipart/form-data") {
    const std::string* boundary = mt.Param("boundary");
    Status s = ParseMultipart(req->body, boundary ? *boundary : std::string_view(), &req->form, &req->files);
    if (!s.ok()) {
      req->form.clear();
      req->files.clear();
      return api_error::IllegalArgument("multipart body");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> ParseBody(BodyKind kind, Request* req) {
  switch (kind) {
    case BodyKind::kNone:
      return std::nullopt;
    case BodyKind::kJson:
      return ParseJson(req);
    case BodyKind::kForm:
      return ParseForm(req);
  }
  return std::nullopt;
}

}  // namespace facepass::http
