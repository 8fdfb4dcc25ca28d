#include "http/body_parser.h"

#include "http/form_parser.h"

namespace facepass::http {

namespace {

// Deepest nesting of arrays/objects, strings skipped. Deep documents are
// refused before parsing so that no handler can overflow its stack walking
// (or dumping) one.
int JsonDepth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

std::optional<DomainError> ParseJson(Request* req) {
  if (ParseMediaType(req->content_type).type != "application/json") return errors::IllegalJsonBody();
  if (JsonDepth(req->body) > kMaxJsonDepth) return errors::IllegalJsonBody();
  // Non-throwing parse: a syntax error yields a "discarded" value.
  nlohmann::json j = nlohmann::json::parse(req->body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return errors::IllegalJsonBody();
  req->json = std::move(j);
  return std::nullopt;
}

std::optional<DomainError> ParseForm(Request* req) {
  MediaType mt = ParseMediaType(req->content_type);
  if (mt.type == "application/x-www-form-urlencoded") {
    req->form = ParseUrlEncoded(req->body);
  } else if (mt.type == "multipart/form-data") {
    const std::string* boundary = mt.Param("boundary");
    Status s = ParseMultipart(req->body, boundary ? *boundary : std::string_view(), &req->form, &req->files);
    if (!s.ok()) {
      req->form.clear();
      req->files.clear();
      return errors::IllegalArgument("multipart body");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<DomainError> ParseBody(BodyKind kind, Request* req) {
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
