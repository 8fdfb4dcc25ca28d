// Which request-line versions are served (issue 13, finding 4). RESTinio's
// parser takes any "HTTP/<d>.<d>", so "HTTP/9.9" or "HTTP/2.0" reached the
// handlers and were answered 200; only HTTP/1.x is spoken here, the rest is
// answered 505 HTTP_VERSION_NOT_SUPPORTED (105005) and the connection closed.
#pragma once

namespace facepass::http {

inline bool ServedHttpVersion(unsigned major) { return major == 1; }

}  // namespace facepass::http
