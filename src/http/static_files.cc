#include "http/static_files.h"

#include <array>
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

ApiReply FileReply(const StaticFile& f) {
  ApiReply r = ApiReply::Bytes(std::string(f.bytes), std::string(ContentTypeFor(f.name)));
  r.headers = SecurityHeaders();
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
  for (const StaticFile& f : files) {
    if (f.name == "index.html") index = &f;
    routes.push_back({"GET", prefix + "/" + std::string(f.name), BodyKind::kNone,
                      [f](const Request&) { return FileReply(f); }});
  }
  // The router matches "/console" and "/console/" alike; the handler tells
  // them apart by the path as sent.
  routes.push_back({"GET", prefix, BodyKind::kNone, [prefix, index](const Request& req) {
                      if (!EndsWith(req.path, "/")) {
                        ApiReply r = ApiReply::Bytes("", "text/plain; charset=utf-8");
                        r.http_status = 301;
                        r.headers = SecurityHeaders();
                        r.headers.emplace_back("Location", prefix + "/");
                        return r;
                      }
                      return index ? FileReply(*index) : ApiReply::Error(errors::NotFound());
                    }});
  return routes;
}

}  // namespace facepass::http
