// Internal to server.cc (RESTinio inside): the parser hooks that turn an
// oversized body into a 413 answer instead of a dropped connection. Include
// after <restinio/all.hpp> and before any RESTinio server type is used.
#pragma once

#include <climits>
#include <cstdint>

#include <restinio/all.hpp>

namespace facepass::http::internal {

// Marker header set by the parser hooks below when a body exceeds the limit;
// its value says whether the body was read and dropped or skipped. A client
// that sends this header itself has it removed.
constexpr char kBodyTooLargeMarker[] = "X-FacePass-Internal-Body-Too-Large";
constexpr char kBodyDiscarded[] = "discarded";  // read and dropped: keep-alive
constexpr char kBodySkipped[] = "skipped";      // not read: close after answering
// A declared body up to this many times the limit is read and dropped so the
// 413 reaches the client reliably (closing a socket with unread input makes
// the kernel send RST, and clients then often lose the answer); beyond that
// it is not read at all.
constexpr uint64_t kDiscardFactor = 4;

// Our HTTP method mapper: identical to RESTinio's, but a distinct type, so the
// parser settings can be specialised for this server only (below).
struct Methods : restinio::default_http_methods_t {};

inline restinio::impl::http_parser_ctx_t* Ctx(http_parser* parser) {
  return reinterpret_cast<restinio::impl::http_parser_ctx_t*>(parser->data);
}

inline bool Discarding(restinio::impl::http_parser_ctx_t* ctx) {
  return ctx->m_header.has_field(kBodyTooLargeMarker);
}

inline int OnHeadersComplete(http_parser* parser) {
  auto* ctx = Ctx(parser);
  // RESTinio 0.6 leaves the request header at 1.1 whatever the request line
  // said; the real version lets the server refuse HTTP/9.9 (http_version.h).
  ctx->m_header.http_major(parser->http_major);
  ctx->m_header.http_minor(parser->http_minor);
  ctx->m_header.remove_field(kBodyTooLargeMarker);
  const uint64_t limit = ctx->m_limits.max_body_size();
  if (parser->content_length != ULLONG_MAX && parser->content_length > limit) {
    // RESTinio alone would drop the connection without an answer; instead
    // the request completes without a body and the handler answers 413.
    ctx->m_leading_headers_completed = true;
    const bool skip = parser->content_length / kDiscardFactor > limit;
    try {
      ctx->m_header.set_field(kBodyTooLargeMarker, skip ? kBodySkipped : kBodyDiscarded);
    } catch (...) {
      return -1;
    }
    return skip ? 1 : 0;  // 1: the message ends here, the body is not read
  }
  return restinio::impl::restinio_headers_complete_cb(parser);
}

inline int OnBody(http_parser* parser, const char* at, size_t length) {
  auto* ctx = Ctx(parser);
  if (Discarding(ctx)) return 0;
  if (ctx->m_body.size() + length > ctx->m_limits.max_body_size()) {
    // A chunked body grew too large: drop what we have and the rest.
    try {
      ctx->m_header.set_field(kBodyTooLargeMarker, kBodyDiscarded);
    } catch (...) {
      return -1;
    }
    std::string().swap(ctx->m_body);
    return 0;
  }
  return restinio::impl::restinio_body_cb(parser, at, length);
}

}  // namespace facepass::http::internal

namespace restinio::impl {

// RESTinio 0.6 has no hook between the headers and the body; its parser
// settings factory is specialised for our method mapper so that an oversized
// body gets a 413 instead of a dropped connection. Every other callback is
// RESTinio's own.
template <>
inline http_parser_settings create_parser_settings<facepass::http::internal::Methods>() noexcept {
  http_parser_settings s = create_parser_settings<restinio::default_http_methods_t>();
  s.on_headers_complete = [](http_parser* p) -> int { return facepass::http::internal::OnHeadersComplete(p); };
  s.on_body = [](http_parser* p, const char* at, size_t n) -> int {
    return facepass::http::internal::OnBody(p, at, n);
  };
  s.on_message_complete = [](http_parser* p) -> int {
    return restinio_message_complete_cb<facepass::http::internal::Methods>(p);
  };
  return s;
}

}  // namespace restinio::impl
