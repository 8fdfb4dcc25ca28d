#include "http/static_files.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace facepass::http {

namespace {

std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {
      {"Cache-Control", "no-cache"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  };
}

// A strong validator from the bytes: no-cache makes the browser ask each
// time, and an unchanged file then costs a 304 instead of its body.
std::string ETagOf(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

ApiReply FileReply(const StaticFile& f, const std::string& etag, const Request& req) {
  const std::string* match = req.Header("If-None-Match");
  const bool fresh = match && (*match == etag || *match == "W/" + etag);
  ApiReply r = ApiReply::Bytes(fresh ? std::string() : std::string(f.bytes), std::string(ContentTypeFor(f.name)));
  if (fresh) r.http_status = 304;
  r.headers = SecurityHeaders();
  r.headers.emplace_back("ETag", etag);
  return r;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [ext, type] : kTypes)
    if (EndsWith(name, ext)) return type;
  return "application/octet-stream";
}

std::vector<Route> StaticRoutes(const std::string& prefix, const std::vector<StaticFile>& files) {
  std::vector<Route> routes;
  const StaticFile* index = nullptr;
  std::string index_etag;
  for (const StaticFile& f : files) {
    std::string etag = ETagOf(f.bytes);
    if (f.name == "index.html") index = &f, index_etag = etag;
    routes.push_back({"GET", prefix + "/" + std::string(f.name), BodyKind::kNone,
                      [f, etag](const Request& req) { return FileReply(f, etag, req); }});
  }
  // The router matches "/console" and "/console/" alike; the handler tells
  // them apart by the path as sent.
  routes.push_back({"GET", prefix, BodyKind::kNone, [prefix, index, index_etag](const Request& req) {
                      if (!EndsWith(req.path, "/")) {
                        ApiReply r = ApiReply::Bytes("", "text/plain; charset=utf-8");
                        r.http_status = 301;
                        r.headers = SecurityHeaders();
                        r.headers.emplace_back("Location", prefix + "/");
                        return r;
                      }
                      return index ? FileReply(*index, index_etag, req) : ApiReply::Error(errors::NotFound());
                    }});
  return routes;
}

}  // namespace facepass::http
