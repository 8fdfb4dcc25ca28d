// The RESTinio-based server. RESTinio stays inside this file (and the
// internal body_limit_hooks.h, held_streams.*): I/O threads
// parse requests and answer the cheap cases (404, 405, 413, 503); everything
// else is handed to the worker pool, whose threads build the Request, parse
// the body, run the handler and send the response back through RESTinio.
#include "http/server.h"

#include <sys/resource.h>

#include <atomic>
#include <climits>
#include <condition_variable>
#include <future>
#include <optional>
#include <thread>
#include <utility>

#include <restinio/all.hpp>
#include <restinio/tls.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "http/address_gate.h"
#include "http/body_limit_hooks.h"
#include "http/body_parser.h"
#include "http/envelope.h"
#include "http/form_parser.h"
#include "http/guarded_socket.h"
#include "http/held_streams.h"
#include "http/http_version.h"
#include "http/request_metrics.h"
#include "http/router.h"
#include "http/signals.h"
#include "http/worker_pool.h"

namespace facepass::http {

namespace {

using namespace std::chrono;

// RESTinio's own log lines are about connections (resets, timeouts, parse
// errors caused by clients): spdlog debug; trace stays trace.
class RestinioLogger {
 public:
  template <typename Builder>
  void trace(Builder&& b) const {
    if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("restinio: {}", b());
  }
  template <typename Builder>
  void info(Builder&& b) const { Debug(b); }
  template <typename Builder>
  void warn(Builder&& b) const { Debug(b); }
  template <typename Builder>
  void error(Builder&& b) const { Debug(b); }

 private:
  template <typename Builder>
  static void Debug(Builder& b) {
    if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("restinio: {}", b());
  }
};

struct Traits : restinio::traits_t<restinio::asio_timer_manager_t, RestinioLogger> {
  static constexpr bool use_connection_count_limiter = true;
  using stream_socket_t = internal::GuardedSocket;  // malformed requests answered (guarded_socket.h)
  using http_methods_mapper_t = internal::Methods;
  using ip_blocker_t = internal::AddressGate;
  using connection_state_listener_t = internal::AddressGate;
};

struct TlsTraits : restinio::tls_traits_t<restinio::asio_timer_manager_t, RestinioLogger> {
  static constexpr bool use_connection_count_limiter = true;
  using stream_socket_t = internal::GuardedTlsSocket;  // the same, after the handshake
  using http_methods_mapper_t = internal::Methods;
  using ip_blocker_t = internal::AddressGate;
  using connection_state_listener_t = internal::AddressGate;
};

// The plain and the TLS server are different RESTinio types; the rest of
// this file sees one of them through this interface.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void OpenSync() = 0;
  virtual void CloseAsync(std::function<void()> done) = 0;
};

template <typename T>
class ListenerOf : public Listener {
 public:
  ListenerOf(asio::io_context& io, restinio::server_settings_t<T> s)
      : server_(restinio::external_io_context(io), std::move(s)) {}
  void OpenSync() override { server_.open_sync(); }
  void CloseAsync(std::function<void()> done) override {
    server_.close_async([done] { done(); }, [done](std::exception_ptr) { done(); });
  }

 private:
  restinio::http_server_t<T> server_;
};

// TLS 1.2 or later; throws asio::system_error for an unreadable or
// mismatched certificate and key.
asio::ssl::context MakeTlsContext(const std::string& cert_file, const std::string& key_file) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                  asio::ssl::context::single_dh_use);
  ctx.use_certificate_chain_file(cert_file);
  ctx.use_private_key_file(key_file, asio::ssl::context::pem);
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    throw std::runtime_error("TLS key does not match the certificate");
  return ctx;
}

// An io_context whose services can be shut down (pending operations, and the
// connections they keep alive, destroyed) while the RESTinio server object
// still exists: RESTinio's acceptor owns the connection counter that each
// connection decrements when destroyed, so connections must go first.
class IoContext : public asio::io_context {
 public:
  void ShutdownServices() { shutdown(); }
};

// Counts requests between arrival and the end of writing their response, so
// that Stop() can wait for them.
class InFlight {
 public:
  void Enter() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    ++count_;
  }
  void Leave() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (--count_ == 0) cv_.notify_all();
  }
  bool WaitIdle(milliseconds timeout) EXCLUDES(mu_) {
    const auto deadline = steady_clock::now() + timeout;
    MutexLock lock(&mu_);
    while (count_ != 0) {
      if (cv_.wait_until(mu_, deadline) == std::cv_status::timeout) return count_ == 0;
    }
    return true;
  }

 private:
  Mutex mu_;
  std::condition_variable_any cv_;  // count_ reached 0
  size_t count_ GUARDED_BY(mu_) = 0;
};

// One per request; Leave() when released or destroyed, whichever is first.
class InFlightToken {
 public:
  explicit InFlightToken(std::shared_ptr<InFlight> f) : f_(std::move(f)) { f_->Enter(); }
  ~InFlightToken() { Release(); }
  void Release() {
    if (!released_.exchange(true)) f_->Leave();
  }

 private:
  std::shared_ptr<InFlight> f_;
  std::atomic<bool> released_{false};
};

// What the access log and the envelope need about one request.
struct Exchange {
  restinio::request_handle_t req;
  std::shared_ptr<InFlightToken> token;
  std::string method;
  std::string path;  // decoded, without query
  std::string_view endpoint = kUnmatchedEndpoint;  // the route's path pattern (metrics label)
  int64_t arrival_ms = 0;
  steady_clock::time_point start;
};

// RESTinio 0.6 stops accepting for good after a failed accept() (EMFILE...),
// so the connection cap must stay below the open-file limit, leaving room for
// the rest of the process (database, models, logs).
size_t ConnectionCap(size_t wanted) {
  constexpr rlim_t kReserve = 128;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return wanted;
  const size_t room = rl.rlim_cur > 2 * kReserve ? static_cast<size_t>(rl.rlim_cur - kReserve)
                                                 : static_cast<size_t>(rl.rlim_cur / 2);
  if (wanted <= room) return wanted;
  spdlog::warn("http: max_connections {} lowered to {} (open-file limit {}; raise it with ulimit -n)", wanted,
               room, static_cast<uint64_t>(rl.rlim_cur));
  return room < 1 ? 1 : room;
}

// Held streams never take every connection: an eighth (at least 64) stays
// for ordinary requests.
size_t StreamCap(const ServerOptions& o) {
  const size_t conns = ConnectionCap(o.max_connections);
  const size_t keep = std::max<size_t>(64, conns / 8);
  return std::min(o.max_streams, conns > keep ? conns - keep : 0);
}

std::string RemoteIp(const restinio::request_handle_t& req) {
  try {
    asio::ip::address a = req->remote_endpoint().address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.to_string();
  } catch (...) {
    return std::string();
  }
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions opts, std::vector<Route> routes)
      : opts_(std::move(opts)),
        router_(std::move(routes)),
        pool_(opts_.workers, static_cast<size_t>(opts_.queue_limit < 0 ? 0 : opts_.queue_limit)),
        held_({StreamCap(opts_), std::min(milliseconds(opts_.stream_heartbeat), milliseconds(opts_.handle_timeout) / 2)}) {}

  ~Impl() { Stop(); }

  Status Start() EXCLUDES(state_mu_);
  void Stop() EXCLUDES(state_mu_);
  uint16_t port() const { return port_.load(); }

 private:
  restinio::request_handling_status_t OnRequest(restinio::request_handle_t req);
  void Handle(Exchange ex, const Route* route);
  // false when the request was refused (and answered).
  bool Authorize(Exchange& ex, Request* r);
  template <typename T>
  void Configure(restinio::server_settings_t<T>& s);
  void Reply(Exchange& ex, ApiReply reply, bool close = false);
  void ReplyError(Exchange& ex, const DomainError& e, bool close = false,
                  std::vector<std::pair<std::string, std::string>> headers = {});
  void Send(Exchange& ex, HttpResponse resp, bool close);

  const ServerOptions opts_;
  const RequestMetrics metrics_{opts_.metrics};
  Router router_;
  WorkerPool pool_;
  HeldStreams held_;  // event streams: no worker, their own cap
  std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  // Start and Stop run whole under state_mu_. The I/O threads read io_
  // without it: Start sets it before they exist, Stop resets it after they
  // are joined.
  Mutex state_mu_;
  std::unique_ptr<IoContext> io_;  // outlives server_
  // Keeps io_->run() from returning when, for a moment, nothing is pending
  // (no connection, and the acceptor waiting for a free connection slot).
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> io_work_ GUARDED_BY(state_mu_);
  std::unique_ptr<Listener> server_ GUARDED_BY(state_mu_);
  std::vector<std::thread> io_threads_ GUARDED_BY(state_mu_);
  std::atomic<uint16_t> port_{0};
  // Open connections per client address (finding 3); RESTinio's hooks share it.
  std::shared_ptr<internal::AddressGate> address_gate_ =
      std::make_shared<internal::AddressGate>(opts_.max_connections_per_address, port_,
                                              ConnectionCap(opts_.max_connections));
  std::atomic<bool> stopping_{false};
  bool started_ GUARDED_BY(state_mu_) = false;
  bool stopped_ GUARDED_BY(state_mu_) = false;
};

Status Server::Impl::Start() {
  MutexLock lock(&state_mu_);
  if (started_ || stopped_) return Status::FailedPrecondition("http server already started");
  FP_RETURN_IF_ERROR(router_.Validate());
  if (opts_.io_threads < 1 || opts_.workers < 1 || opts_.max_connections < 1 ||
      opts_.max_pipelined_requests < 1) {
    return Status::InvalidArgument("http server: io_threads, workers, max_connections must be >= 1");
  }
  const bool tls = !opts_.tls_cert_file.empty() || !opts_.tls_key_file.empty();
  if (tls && (opts_.tls_cert_file.empty() || opts_.tls_key_file.empty()))
    return Status::InvalidArgument("http server: TLS needs both a certificate and a key file");
  std::optional<asio::ssl::context> tls_ctx;
  if (tls) {
    try {
      tls_ctx.emplace(MakeTlsContext(opts_.tls_cert_file, opts_.tls_key_file));
    } catch (const std::exception& e) {
      return Status::InvalidArgument("http server: TLS certificate " + opts_.tls_cert_file + " / key " +
                                     opts_.tls_key_file + ": " + e.what());
    }
  }
  try {
    io_ = std::make_unique<IoContext>();
    if (tls) {
      restinio::server_settings_t<TlsTraits> s;
      Configure(s);
      s.tls_context(std::move(*tls_ctx));
      server_ = std::make_unique<ListenerOf<TlsTraits>>(*io_, std::move(s));
    } else {
      restinio::server_settings_t<Traits> s;
      Configure(s);
      server_ = std::make_unique<ListenerOf<Traits>>(*io_, std::move(s));
    }
    server_->OpenSync();  // binds and listens, or throws
  } catch (const std::exception& e) {
    server_.reset();
    return Status::IoError("http server cannot listen on " + opts_.host + ":" + std::to_string(opts_.port) +
                           (tls ? " (TLS)" : "") + ": " + e.what());
  }

  {
    ScopedTerminationSignalBlock block;  // our threads never take SIGINT/SIGTERM
    io_work_.emplace(io_->get_executor());
    pool_.Start();
    held_.Start();
    for (int i = 0; i < opts_.io_threads; ++i) {
      io_threads_.emplace_back([this] {
        while (true) {
          try {
            io_->run();
            return;
          } catch (const std::exception& e) {
            spdlog::error("http I/O thread: {}", e.what());
          } catch (...) {
            spdlog::error("http I/O thread: unknown exception");
          }
        }
      });
    }
  }
  started_ = true;
  spdlog::info("http{} server listening on {}:{}", tls ? "s" : "", opts_.host, port_.load());
  return Status::OK();
}

template <typename T>
void Server::Impl::Configure(restinio::server_settings_t<T>& s) {
  s.address(opts_.host)
      .port(opts_.port)
      .buffer_size(64 * 1024)
      .read_next_http_message_timelimit(opts_.read_timeout)
      .write_http_response_timelimit(opts_.write_timeout)
      .handle_request_timeout(opts_.handle_timeout)
      .max_pipelined_requests(opts_.max_pipelined_requests)
      .max_parallel_connections(ConnectionCap(opts_.max_connections))
      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                    .max_url_size(opts_.max_url_bytes)
                                    .max_field_name_size(opts_.max_header_bytes)
                                    .max_field_value_size(opts_.max_header_bytes)
                                    .max_field_count(opts_.max_header_count)
                                    .max_body_size(opts_.max_body_bytes))
      .ip_blocker(address_gate_)
      .connection_state_listener(address_gate_)
      .acceptor_post_bind_hook([this](asio::ip::tcp::acceptor& a) { port_ = a.local_endpoint().port(); })
      .request_handler([this](restinio::request_handle_t req) { return OnRequest(std::move(req)); });
}

void Server::Impl::Stop() {
  MutexLock lock(&state_mu_);
  if (stopped_) return;
  stopped_ = true;
  if (!started_) {
    server_.reset();
    io_.reset();
    return;
  }
  stopping_ = true;
  const auto deadline = steady_clock::now() + opts_.stop_timeout;

  // 1. Stop accepting (the listening socket closes; connections stay).
  auto closed = std::make_shared<std::promise<void>>();
  server_->CloseAsync([closed] { closed->set_value(); });
  closed->get_future().wait_until(deadline);
  held_.CloseAll();  // event streams end at once: they would never finish by themselves

  // 2. Let queued and running requests finish and their answers be written.
  auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
  if (!in_flight_->WaitIdle(std::max(left, milliseconds(0)))) {
    spdlog::warn("http server: requests still in flight after {}s; closing anyway", opts_.stop_timeout.count());
  }

  // 3. Stop I/O (idle keep-alive connections are dropped), then the workers
  //    (queued leftovers are dropped, a running handler is waited for).
  io_work_.reset();
  io_->stop();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  pool_.Shutdown(milliseconds(0));

  // 4. Destroy what is left: connections first (see IoContext), then RESTinio.
  io_->ShutdownServices();
  server_.reset();
  io_.reset();
  spdlog::info("http server stopped");
}

restinio::request_handling_status_t Server::Impl::OnRequest(restinio::request_handle_t req) {
  Exchange ex;
  ex.start = steady_clock::now();
  ex.arrival_ms = NowMs();
  ex.token = std::make_shared<InFlightToken>(in_flight_);
  ex.req = std::move(req);
  try {
    const auto& header = ex.req->header();
    ex.method = header.method().c_str();
    ex.path = PercentDecode(header.path(), /*plus_as_space=*/false);
    Router::Match m = router_.Find(ex.method, ex.path);
    if (m.route != nullptr) ex.endpoint = m.route->path;

    if (!ServedHttpVersion(header.http_major())) {
      ReplyError(ex, errors::HttpVersionNotSupported(), /*close=*/true);
      return restinio::request_accepted();
    }
    if (auto too_large = header.opt_value_of(internal::kBodyTooLargeMarker)) {
      ApiReply reply = ApiReply::Error(errors::InvalidImageFileSize());
      reply.http_status = 413;  // the spec's code, but the body was refused before it was read
      Reply(ex, std::move(reply), /*close=*/*too_large == internal::kBodySkipped);
      return restinio::request_accepted();
    }
    if (!opts_.allowed_hosts.Allows(header.opt_value_of(restinio::http_field::host).value_or(""))) {
      ReplyError(ex, errors::MisdirectedRequest(), /*close=*/true);
      return restinio::request_accepted();
    }
    if (stopping_) {
      ReplyError(ex, errors::ServiceBusy(), /*close=*/true, {{"Retry-After", "1"}});
      return restinio::request_accepted();
    }
    if (m.outcome == Router::Outcome::kNotFound) {
      ReplyError(ex, errors::NotFound());
      return restinio::request_accepted();
    }
    if (m.outcome == Router::Outcome::kMethodNotAllowed) {
      ReplyError(ex, errors::MethodNotAllowed(), false, {{"Allow", m.allow}});
      return restinio::request_accepted();
    }
    const Route* route = m.route;
    auto shared_ex = std::make_shared<Exchange>(std::move(ex));
    metrics_.Queued();
    bool taken = pool_.TrySubmit([this, shared_ex, route] { Handle(std::move(*shared_ex), route); });
    if (!taken) metrics_.Dequeued();
    if (!taken) ReplyError(*shared_ex, errors::ServiceBusy(), false, {{"Retry-After", "1"}});
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: {}", ex.method, ex.path, e.what());
    if (ex.req) ReplyError(ex, errors::InternalError(), true);
  }
  return restinio::request_accepted();
}

void Server::Impl::Handle(Exchange ex, const Route* route) {
  metrics_.Dequeued();  // a worker took it
  try {
    const auto& header = ex.req->header();
    Request r;
    r.method = ex.method;
    r.path = ex.path;
    r.query = ParseUrlEncoded(header.query());
    for (const auto& f : header) r.headers.emplace_back(f.name(), f.value());
    if (const std::string* ct = r.Header("Content-Type")) r.content_type = *ct;
    if (route->body != BodyKind::kNone) r.body = ex.req->body();
    r.remote_ip = RemoteIp(ex.req);
    r.arrival_ms = ex.arrival_ms;
    if (!Authorize(ex, &r)) return;

    if (auto err = ParseBody(route->body, &r)) {
      ReplyError(ex, *err);
      return;
    }
    ApiReply reply;
    try {
      reply = route->handler(r);
    } catch (const std::exception& e) {
      spdlog::error("http handler {} {} threw: {}", ex.method, ex.path, e.what());
      reply = ApiReply::Error(errors::InternalError());
    } catch (...) {
      spdlog::error("http handler {} {} threw a non-std exception", ex.method, ex.path);
      reply = ApiReply::Error(errors::InternalError());
    }
    Reply(ex, std::move(reply));
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: {}", ex.method, ex.path, e.what());
    ReplyError(ex, errors::InternalError(), true);
  }
}

bool Server::Impl::Authorize(Exchange& ex, Request* r) {
  if (!opts_.authorizer) return true;
  const std::string* authorization = r->Header("Authorization");
  const std::string* x_api_key = r->Header("X-API-Key");
  AuthVerdict v;
  try {
    v = opts_.authorizer(AuthQuery{ex.method, ex.path, authorization ? *authorization : std::string_view(),
                                   x_api_key ? *x_api_key : std::string_view(), r->remote_ip});
  } catch (const std::exception& e) {
    spdlog::error("http: authorizer for {} {} threw: {}", ex.method, ex.path, e.what());
    v.kind = AuthVerdict::Kind::kError;
  }
  switch (v.kind) {
    case AuthVerdict::Kind::kAllow:
      r->auth_role = std::move(v.role);
      r->auth_key_name = std::move(v.key_name);
      return true;
    case AuthVerdict::Kind::kUnauthorized:
      ReplyError(ex, errors::Unauthorized(), false, {{"WWW-Authenticate", "Bearer"}});
      return false;
    case AuthVerdict::Kind::kForbidden:
      ReplyError(ex, errors::Forbidden(v.role));
      return false;
    case AuthVerdict::Kind::kTooManyRequests:
      ReplyError(ex, errors::TooManyRequests(), false,
                 {{"Retry-After", std::to_string(std::max(1, v.retry_after_s))}});
      return false;
    case AuthVerdict::Kind::kUnavailable:  // the keys' store (PostgreSQL) did not answer
      ReplyError(ex, errors::StoreUnavailable(), false, {{"Retry-After", "2"}});
      return false;
    case AuthVerdict::Kind::kError:
      break;
  }
  ReplyError(ex, errors::InternalError());
  return false;
}

void Server::Impl::ReplyError(Exchange& ex, const DomainError& e, bool close,
                              std::vector<std::pair<std::string, std::string>> headers) {
  ApiReply reply = ApiReply::Error(e);
  reply.headers = std::move(headers);
  Reply(ex, std::move(reply), close);
}

void Server::Impl::Reply(Exchange& ex, ApiReply reply, bool close) {
  int code = reply.code;
  int64_t timecost = duration_cast<milliseconds>(steady_clock::now() - ex.start).count();
  if (reply.stream && reply.http_status == 200) {
    if (!stopping_ && held_.Open(ex.req, reply.stream, reply.headers)) {
      metrics_.Answered(ex.method, ex.endpoint, 200, 0, steady_clock::now() - ex.start, 0);
      if (opts_.access_log) spdlog::info("{} {} 200 0 {}ms {} (held)", ex.method, ex.path, timecost, RemoteIp(ex.req));
      ex.token.reset();  // held streams are not in flight: Stop() ends them itself
      return;
    }
    reply = ApiReply::Error(errors::ServiceBusy());  // at the cap of held streams
    reply.headers = {{"Retry-After", "5"}};
  }
  HttpResponse resp;
  try {
    resp = BuildResponse(std::move(reply), ex.arrival_ms, timecost);
  } catch (const std::exception& e) {  // e.g. out of memory while dumping
    spdlog::error("http: building the response for {} {} failed: {}", ex.method, ex.path, e.what());
    const DomainError ie = errors::InternalError();
    code = static_cast<int>(ie.code);
    resp = HttpResponse{HttpStatusOf(ie.code), kJsonContentType,
                        EnvelopeJson(code, ie.message, nlohmann::json::object(), ex.arrival_ms, timecost), {}};
  }
  metrics_.Answered(ex.method, ex.endpoint, resp.status, code, steady_clock::now() - ex.start, resp.body.size());
  if (opts_.access_log) {
    spdlog::info("{} {} {} {} {}ms {}", ex.method, ex.path, resp.status, code, timecost, RemoteIp(ex.req));
  }
  Send(ex, std::move(resp), close);
}

void Server::Impl::Send(Exchange& ex, HttpResponse resp, bool close) {
  try {
    auto rb = ex.req->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(resp.status)}, ReasonPhrase(resp.status)});
    rb.append_header(restinio::http_field::content_type, std::move(resp.content_type));
    rb.append_header_date_field();
    for (auto& [name, value] : resp.headers) rb.append_header(name, std::move(value));
    if (close || stopping_) rb.connection_close();
    rb.set_body(std::move(resp.body));
    std::shared_ptr<InFlightToken> token = ex.token;
    rb.done([token](const asio::error_code&) { token->Release(); });
  } catch (const std::exception& e) {
    // The connection is gone or the response was already sent.
    spdlog::debug("http: sending the response for {} {} failed: {}", ex.method, ex.path, e.what());
  }
  ex.token.reset();
}

Server::Server(ServerOptions opts, std::vector<Route> routes)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(routes))) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
uint16_t Server::port() const { return impl_->port(); }

}  // namespace facepass::http
