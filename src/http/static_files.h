// Serving a fixed set of files (the operator's console, issue 11) as routes:
// one exact route per file, so a path that names no file is the router's 404
// and no request path ever reaches a file system (no traversal to refuse).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace facepass::http {

struct StaticFile {
  std::string_view name;   // relative to the prefix: "index.html", "js/app.js"
  std::string_view bytes;  // must outlive the routes (static data)
};

// By extension; charset=utf-8 on text types; application/octet-stream else.
std::string_view ContentTypeFor(std::string_view name);

// GET `prefix` + "/" + name for each file; GET `prefix` + "/" is index.html
// and GET `prefix` (no slash) redirects there (301), so relative links in the
// page resolve under the prefix. Every answer carries Cache-Control: no-cache,
// a strict Content-Security-Policy (same-origin scripts, styles and fetches;
// images also from blob: and data:), nosniff and X-Frame-Options: DENY, and
// an ETag; a request whose If-None-Match names it gets 304 without the body.
std::vector<Route> StaticRoutes(const std::string& prefix, const std::vector<StaticFile>& files);

}  // namespace facepass::http
