// The HTTP server: routes requests to handlers that run on a bounded worker
// pool and wraps every ApiReply in the FacePass JSON envelope.
//
//   std::vector<facepass::http::Route> routes = {
//       {"POST", "/api/face/v1/add", BodyKind::kForm, [&](const Request& r) { ... }},
//   };
//   facepass::http::Server server(options, std::move(routes));
//   Status s = server.Start();            // returns once the port is bound
//   if (!s.ok()) ...;
//   facepass::http::WaitForTerminationSignal();
//   server.Stop();                        // graceful
//
// Behaviour (see README.md in this folder for the full error mapping):
//  * Handlers run on `workers` threads, never on I/O threads. At most
//    `queue_limit` requests wait for a worker; beyond that the answer is at
//    once HTTP 503, code 105003 SERVICE_BUSY with `Retry-After: 1`.
//  * Envelope {code, message, data, timestamp, timecost} as
//    application/json; charset=utf-8, unless ApiReply::raw_body is set.
//  * Exact path match, one trailing slash tolerated. Unknown path: 404/104404
//    NOT_FOUND. Wrong method: 405/104405 METHOD_NOT_ALLOWED with `Allow`.
//  * kJson: Content-Type application/json and a JSON object body, else
//    400/104000 ILLEGAL_JSON_BODY. kForm: multipart/form-data or
//    application/x-www-form-urlencoded parsed into form/files (other types: the
//    handler sees empty form/files); broken multipart: 400/104001
//    "ILLEGAL_ARGUMENT: multipart body". kNone: only the query string.
//  * Body above max_body_bytes: 413 with code 104102 INVALID_IMAGE_FILE_SIZE
//    (never stored; see README.md). Handler exception: 500/105000
//    INTERNAL_ERROR.
//  * With an Authorizer, every request to a known path and method is checked
//    on its worker before the body is parsed: 401/104401 UNAUTHORIZED (with
//    `WWW-Authenticate: Bearer`), 403/104403 "FORBIDDEN: <role>", 429/104429
//    TOO_MANY_REQUESTS (`Retry-After`). Unknown paths and methods answer
//    404/405 first, without auth.
//  * A handler that sets ApiReply::stream holds its request as server-sent
//    events (http/event_stream.h), at most max_streams at once, with a
//    heartbeat every stream_heartbeat; Stop() ends them first.
//  * With tls_cert_file and tls_key_file the port speaks HTTPS only (TLS 1.2+);
//    a plain HTTP request to it fails the handshake and is closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/host_allow_list.h"
#include "http/reply.h"
#include "http/request.h"
#include "metrics/registry.h"

namespace facepass::http {

enum class BodyKind {
  kNone,  // no body expected; query string only (GET)
  kJson,  // application/json object -> Request::json
  kForm,  // multipart/form-data or x-www-form-urlencoded -> form/files
};

using Handler = std::function<ApiReply(const Request&)>;

// The access-control hook: what an authorizer sees of a request...
struct AuthQuery {
  std::string_view method;
  std::string_view path;           // decoded, no query
  std::string_view authorization;  // "Authorization" header, "" if absent
  std::string_view x_api_key;      // "X-API-Key" header, "" if absent
  std::string_view peer_ip;
};
// ...and its answer. role and key_name reach the handler (Request::auth_*).
struct AuthVerdict {
  enum class Kind { kAllow, kUnauthorized, kForbidden, kTooManyRequests, kUnavailable, kError };
  Kind kind = Kind::kAllow;
  std::string role;       // in "FORBIDDEN: <role>"
  std::string key_name;   // "" when no key was used
  int retry_after_s = 0;  // kTooManyRequests
};
// Runs on worker threads, concurrently; must not throw (a throw is a 500).
using Authorizer = std::function<AuthVerdict(const AuthQuery&)>;

struct Route {
  std::string method;  // "GET", "POST", ...
  std::string path;    // exact, e.g. "/api/face/v1/add" (trailing slash ignored)
  BodyKind body = BodyKind::kNone;
  Handler handler;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                   // 0: pick a free port (see Server::port())
  int io_threads = 2;                     // socket I/O and parsing
  int workers = 2;                        // threads that run handlers
  int queue_limit = 64;                   // requests waiting for a worker
  size_t max_body_bytes = 16 << 20;       // larger bodies get 413
  size_t max_header_bytes = 16 << 10;     // one header field (name or value)
  size_t max_header_count = 100;          // header fields per request
  size_t max_url_bytes = 8 << 10;         // request target length
  size_t max_connections = 1024;          // concurrent connections accepted
  // From one client address, at most this many at once (0: no limit); more are
  // shut down at accept, so one address cannot take the whole max_connections.
  size_t max_connections_per_address = 0;
  size_t max_pipelined_requests = 1;      // per connection, in flight
  // Held event streams (ApiReply::stream, http/event_stream.h): part of
  // max_connections (an eighth of them, at least 64, stays for the others),
  // none on a worker; beyond it 503 SERVICE_BUSY, Retry-After: 5.
  size_t max_streams = 600;
  std::chrono::seconds stream_heartbeat{15};  // comment line on each stream (capped at handle_timeout/2)
  // Idle keep-alive / slow request; a started request head must end within
  // min(5 s, read_timeout / 2) or is answered 408 (guarded_socket.h).
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30}; // sending a response
  std::chrono::seconds handle_timeout{120};  // request accepted -> response sent
  std::chrono::seconds stop_timeout{10};  // Stop(): wait for in-flight requests
  bool access_log = true;                 // one spdlog info line per request
  Authorizer authorizer;                  // empty: every request is allowed
  // Non-empty: a request whose Host is not one of these is answered 421
  // MISDIRECTED_REQUEST (http/host_allow_list.h), before routing or auth.
  HostAllowList allowed_hosts;
  std::string tls_cert_file;              // PEM chain; with tls_key_file: HTTPS
  std::string tls_key_file;               // PEM private key
  // Requests by route and status, latencies, queue depth, 503s (http/request_metrics.h); nullptr: none.
  metrics::Registry* metrics = &metrics::DefaultRegistry();
};

class Server {
 public:
  Server(ServerOptions opts, std::vector<Route> routes);
  ~Server();  // calls Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in background threads. Error Status (kIoError) if
  // the address cannot be bound, kInvalidArgument for a bad route table or
  // options. Call at most once.
  Status Start();

  // Graceful: stops accepting, lets in-flight and queued requests finish (at
  // most stop_timeout), closes connections, joins all threads. Idempotent;
  // safe from any thread except a handler.
  void Stop();

  // The bound port (the real one when options.port was 0); 0 before Start().
  uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks the calling thread until SIGINT or SIGTERM arrives, using sigwait().
// Call BlockTerminationSignals() first thing in main(), before any thread is
// created (threads inherit the mask), so the signal is delivered only to
// sigwait(). WaitForTerminationSignal() blocks them too, in case, but threads
// started earlier would still get the default action (process exit).
void BlockTerminationSignals();
void WaitForTerminationSignal();

}  // namespace facepass::http
