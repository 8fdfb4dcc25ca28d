// Finds the malformed HTTP requests that RESTinio 0.6 would drop without an
// answer (issue 13, finding 4), so the server can answer them 400/414/431/501
// with the envelope and then close. RESTinio has no hook for its parser's
// errors; this runs a second http_parser over the same bytes, with the same
// limits RESTinio checks (url, field name/value size, field count), so it
// fails on exactly the requests RESTinio's parser would fail on, before
// RESTinio sees them. It also refuses request lines whose protocol is not
// literally "HTTP/" (Debian's http_parser is built non-strict and reads
// "HTTX/1.1" as HTTP/1.1). No sockets here: http/guarded_socket.h feeds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/error_code.h"

namespace facepass::http {

struct HeadLimits {
  size_t max_url_bytes = SIZE_MAX;
  size_t max_field_name_bytes = SIZE_MAX;
  size_t max_field_value_bytes = SIZE_MAX;
  size_t max_field_count = SIZE_MAX;
  uint64_t max_body_bytes = UINT64_MAX;  // as body_limit_hooks.h: far above it, RESTinio skips the body
};

struct Refusal {
  DomainError error;
  int http_status = 400;
};

// The whole HTTP/1.1 response for a refusal: status line, envelope body,
// Connection: close.
std::string RefusalResponse(const Refusal& r, int64_t timestamp_ms);

class RequestHeadGuard {
 public:
  explicit RequestHeadGuard(HeadLimits limits);
  ~RequestHeadGuard();
  RequestHeadGuard(const RequestHeadGuard&) = delete;
  RequestHeadGuard& operator=(const RequestHeadGuard&) = delete;

  struct Verdict {
    // Bytes of this chunk that belong to complete or still-valid requests
    // (all of it unless refused): hand these on to RESTinio.
    size_t pass_bytes = 0;
    std::optional<Refusal> refusal;  // set once a request is malformed
  };

  // The next bytes the client sent, in order. After a refusal every call
  // refuses again with 0 bytes to pass.
  Verdict Feed(const char* data, size_t n);

  // True while a request head has started but not ended (for the head timeout).
  bool InHead() const;
  // True between requests: nothing of the next one has arrived yet.
  bool Idle() const;
  // Requests that have ended so far (head and body).
  uint64_t MessagesDone() const;
  // Stop checking (after a protocol upgrade the bytes are not HTTP).
  bool passthrough() const { return passthrough_; }

 private:
  struct Parser;
  friend struct Parser;

  HeadLimits limits_;
  std::unique_ptr<Parser> p_;
  std::optional<Refusal> refused_;
  bool passthrough_ = false;
};

}  // namespace facepass::http
