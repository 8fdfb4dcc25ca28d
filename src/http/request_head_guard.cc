#include "http/request_head_guard.h"

#include <http_parser.h>

#include <climits>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/envelope.h"
#include "http/reply.h"

namespace facepass::http {

namespace {

constexpr size_t kKeep = 16;  // bytes kept of the request line's start and end

bool IsTchar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

Refusal Make(DomainError e) {
  const int status = HttpStatusOf(e.code);
  return Refusal{std::move(e), status};
}

}  // namespace

std::string RefusalResponse(const Refusal& r, int64_t timestamp_ms) {
  const std::string body =
      EnvelopeJson(static_cast<int>(r.error.code), r.error.message, nlohmann::json::object(), timestamp_ms, 0);
  std::string out = "HTTP/1.1 " + std::to_string(r.http_status) + " " + ReasonPhrase(r.http_status) + "\r\n";
  out += "Content-Type: ";
  out += kJsonContentType;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

// The shadow parser and what is known of the request being read. The limit
// checks repeat RESTinio 0.6's parser callbacks (impl/parser_callbacks.ipp)
// condition for condition, so both sides fail on the same byte.
struct RequestHeadGuard::Parser {
  explicit Parser(RequestHeadGuard* g) : guard(g) {
    http_parser_init(&hp, HTTP_REQUEST);
    hp.data = this;
    http_parser_settings_init(&settings);
    settings.on_message_begin = [](http_parser* p) { return Self(p)->Begin(); };
    settings.on_url = [](http_parser* p, const char*, size_t n) { return Self(p)->Url(n); };
    settings.on_header_field = [](http_parser* p, const char*, size_t n) { return Self(p)->Field(n); };
    settings.on_header_value = [](http_parser* p, const char*, size_t n) { return Self(p)->Value(n); };
    settings.on_headers_complete = [](http_parser* p) { return Self(p)->HeadersComplete(); };
    settings.on_message_complete = [](http_parser* p) {
      Self(p)->in_message = false;
      ++Self(p)->messages_done;
      http_parser_pause(p, 1);  // stop at the message's end: the next one's start matters
      return 0;
    };
  }
  static Parser* Self(http_parser* p) { return static_cast<Parser*>(p->data); }

  int Begin() {
    in_message = true;
    in_head = true;
    url = field = value = fields = 0;
    last_was_value = true;
    return 0;
  }
  int Url(size_t n) {
    url += n;
    if (url > guard->limits_.max_url_bytes) return Fail(errors::UriTooLong());
    return 0;
  }
  int Field(size_t n) {
    if (last_was_value) {
      if (fields == guard->limits_.max_field_count) return Fail(errors::HeaderFieldsTooLarge("too many header fields"));
      field = 0;
      last_was_value = false;
    }
    field += n;
    if (field > guard->limits_.max_field_name_bytes) return Fail(errors::HeaderFieldsTooLarge("header name too long"));
    return 0;
  }
  int Value(size_t n) {
    if (!last_was_value) {
      value = 0;
      last_was_value = true;
      ++fields;
    }
    value += n;
    if (value >= guard->limits_.max_field_value_bytes) return Fail(errors::HeaderFieldsTooLarge("header value too long"));
    return 0;
  }
  int HeadersComplete() {
    in_head = false;
    // A body RESTinio will not read (far above the limit, body_limit_hooks.h)
    // is not framed the same way on both sides: stop checking this connection.
    if (hp.content_length != ULLONG_MAX && hp.content_length > 0 && hp.content_length / 4 > max_body) {
      guard->passthrough_ = true;
      return 1;
    }
    return 0;
  }
  int Fail(DomainError e) {
    limit_refusal = Make(std::move(e));
    return -1;
  }

  // The request line, as its bytes arrive: the method from its start, the
  // protocol from its end.
  // A refusal comes with the offset of the byte that decided it.
  std::optional<std::pair<size_t, Refusal>> ScanLine(const char* data, size_t n) {
    for (size_t i = 0; i < n && !line_done; ++i) {
      const char c = data[i];
      if (line_len == 0 && (c == '\r' || c == '\n')) continue;  // blank lines between requests
      if (line_len == 0 && static_cast<unsigned char>(c) == 0x16) {
        return std::pair{i, Make(errors::BadRequest("TLS handshake on a plain HTTP port (use http://, or start the server with TLS)"))};
      }
      if (c == '\n') {
        line_done = true;
        std::string tail = line_tail;
        if (!tail.empty() && tail.back() == '\r') tail.pop_back();
        const size_t sp = tail.rfind(' ');
        const std::string proto = sp == std::string::npos ? tail : tail.substr(sp + 1);
        // "GET /" alone (HTTP/0.9) and a bad HTTP/x.y are the parser's or the
        // version check's; a protocol name other than HTTP is refused here.
        if (sp != std::string::npos && proto.size() >= 5 && proto.compare(0, 5, "HTTP/") != 0 &&
            proto.find('/') != std::string::npos) {
          return std::pair{i, Make(errors::BadRequest("request line protocol is not HTTP"))};
        }
        break;
      }
      if (line_head.size() < kKeep) line_head.push_back(c);
      line_tail.push_back(c);
      if (line_tail.size() > kKeep) line_tail.erase(0, line_tail.size() - kKeep);
      ++line_len;
    }
    return std::nullopt;
  }
  void NewMessage() {
    line_done = false;
    line_len = 0;
    line_head.clear();
    line_tail.clear();
  }
  Refusal ParseError() const {
    if (limit_refusal) return *limit_refusal;
    const auto err = HTTP_PARSER_ERRNO(&hp);
    switch (err) {
      case HPE_INVALID_METHOD: {
        // Decided by the first byte alone, so that it does not depend on how
        // much of the line had arrived when the parser gave up: an upper-case
        // word reads as a method this server does not implement.
        const char first = line_head.empty() ? '\0' : line_head[0];
        if (first >= 'A' && first <= 'Z') {
          std::string method = line_head.substr(0, line_head.find(' '));
          for (char& c : method) c = IsTchar(c) ? c : '?';
          return Make(errors::NotImplemented("method " + method));
        }
        return Make(errors::BadRequest("request line"));
      }
      case HPE_HEADER_OVERFLOW:
        return Make(errors::HeaderFieldsTooLarge("request head over 80 KiB"));
      case HPE_INVALID_CONTENT_LENGTH:
        return Make(errors::BadRequest("Content-Length"));
      case HPE_UNEXPECTED_CONTENT_LENGTH:
        return Make(errors::BadRequest("Content-Length twice, or with Transfer-Encoding"));
      case HPE_INVALID_TRANSFER_ENCODING:
        return Make(errors::BadRequest("Transfer-Encoding"));
      case HPE_INVALID_CHUNK_SIZE:
        return Make(errors::BadRequest("chunk size"));
      case HPE_INVALID_URL:
        return Make(errors::BadRequest("request target"));
      case HPE_INVALID_VERSION:
        return Make(errors::BadRequest("HTTP version"));
      case HPE_INVALID_HEADER_TOKEN:
        return Make(errors::BadRequest("header field"));
      default:
        return Make(errors::BadRequest(http_errno_name(err)));
    }
  }

  RequestHeadGuard* guard;
  http_parser hp{};
  http_parser_settings settings{};
  uint64_t max_body = UINT64_MAX;
  bool in_message = false;
  bool in_head = false;
  uint64_t messages_done = 0;
  size_t url = 0, field = 0, value = 0, fields = 0;
  bool last_was_value = true;
  std::optional<Refusal> limit_refusal;
  bool line_done = false;
  size_t line_len = 0;
  std::string line_head, line_tail;
};

RequestHeadGuard::RequestHeadGuard(HeadLimits limits) : limits_(limits), p_(std::make_unique<Parser>(this)) {
  p_->max_body = limits_.max_body_bytes;
}
RequestHeadGuard::~RequestHeadGuard() = default;

bool RequestHeadGuard::Idle() const { return !passthrough_ && !refused_ && !p_->in_message; }

uint64_t RequestHeadGuard::MessagesDone() const { return p_->messages_done; }

bool RequestHeadGuard::InHead() const { return !passthrough_ && !refused_ && p_->in_head; }

RequestHeadGuard::Verdict RequestHeadGuard::Feed(const char* data, size_t n) {
  if (refused_) return {0, refused_};
  if (passthrough_) return {n, std::nullopt};
  size_t off = 0;
  size_t message_start = 0;  // in this chunk; 0 if the message began earlier
  while (off < n) {
    // The earliest bad byte decides, however the bytes were split: the parser
    // runs only up to the byte on which the request line failed, if any.
    const auto line = p_->ScanLine(data + off, n - off);
    const size_t upto = line ? line->first : n - off;
    const size_t used = http_parser_execute(&p_->hp, &p_->settings, data + off, upto);
    off += used;
    const auto err = HTTP_PARSER_ERRNO(&p_->hp);
    if (passthrough_) return {n, std::nullopt};
    if (err == HPE_PAUSED) {  // one message complete; the next starts at `off`
      http_parser_pause(&p_->hp, 0);
      message_start = off;
      p_->NewMessage();
      continue;
    }
    if (err != HPE_OK) {
      refused_ = p_->ParseError();
      return {message_start, refused_};
    }
    if (line) {
      refused_ = line->second;
      return {message_start, refused_};
    }
    if (p_->hp.upgrade) {  // the rest is another protocol's bytes
      passthrough_ = true;
      return {n, std::nullopt};
    }
    if (used == 0) break;
  }
  return {n, std::nullopt};
}

}  // namespace facepass::http
