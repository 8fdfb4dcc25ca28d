// Internal to server.cc (RESTinio inside): the stream socket types of the
// server's RESTinio traits, plain TCP (GuardedSocket) and TLS (GuardedTlsSocket,
// over RESTinio's tls_socket_t: the guard sees the decrypted bytes). Each is
// its inner socket with one change:
// what the client sends passes through a RequestHeadGuard before RESTinio's
// parser sees it, and a request RESTinio would drop without a word (its
// parser's errors, its header limits) is answered 400/414/431/501 with the
// envelope instead, then the connection is closed (issue 13, finding 4).
// Include after <restinio/all.hpp>.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <restinio/all.hpp>
#include <restinio/tls.hpp>
#include <spdlog/spdlog.h>

#include "http/idle_connections.h"
#include "http/request_head_guard.h"

namespace facepass::http::internal {

// What each guarded socket gets from the server's settings: its limits, so
// that the guard fails exactly where RESTinio's parser would, and deadlines
// just inside RESTinio's own read limit, which closes without a word.
struct GuardSettings {
  HeadLimits limits;
  // A request head that has started must end within this (finding 3).
  std::chrono::steady_clock::duration head_timeout;
  // A started request must be whole within this of when the wait for it
  // began; RESTinio's read limit (read_timeout) counts from there too.
  std::chrono::steady_clock::duration message_timeout;
  // Where the connection is listed while it waits for a request (it may be
  // closed from there when the server nears its cap); may be null.
  IdleConnections* idle = nullptr;

  template <typename Settings>
  static GuardSettings Of(Settings& settings) {
    const auto& l = settings.incoming_http_msg_limits();
    const std::chrono::steady_clock::duration read_limit = settings.read_next_http_message_timelimit();
    return {{l.max_url_size(), l.max_field_name_size(), l.max_field_value_size(), l.max_field_count(),
             l.max_body_size()},
            std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(5), read_limit / 2),
            read_limit - std::min<std::chrono::steady_clock::duration>(std::chrono::seconds(1), read_limit / 10),
            settings.ip_blocker() ? &settings.ip_blocker()->idle() : nullptr};
  }
};

template <typename Inner>
class BasicGuardedSocket {
 public:
  using socket_type = Inner;
  using executor_type = decltype(std::declval<Inner&>().get_executor());
  using lowest_layer_type = std::remove_reference_t<decltype(std::declval<Inner&>().lowest_layer())>;

  // A request past either deadline of `g` is answered 408 and the
  // connection closed. inner_args: what Inner takes after the io_context
  // (TLS: the context).
  template <typename... InnerArgs>
  BasicGuardedSocket(const GuardSettings& g, asio::io_context& io, InnerArgs&&... inner_args)
      : sock_(io, std::forward<InnerArgs>(inner_args)...), deadline_timer_(io), g_(g) {}
  BasicGuardedSocket(BasicGuardedSocket&& o) noexcept
      : sock_(std::move(o.sock_)), deadline_timer_(std::move(o.deadline_timer_)), g_(o.g_),
        guard_(std::move(o.guard_)) {}
  BasicGuardedSocket& operator=(BasicGuardedSocket&& o) noexcept {
    sock_ = std::move(o.sock_);
    deadline_timer_ = std::move(o.deadline_timer_);
    g_ = o.g_;
    guard_ = std::move(o.guard_);
    return *this;
  }
  ~BasicGuardedSocket() {
    *alive_ = false;
    if (idle_id_ != 0) g_.idle->Leave(idle_id_);
  }

  executor_type get_executor() noexcept { return sock_.get_executor(); }
  lowest_layer_type& lowest_layer() noexcept { return sock_.lowest_layer(); }
  const lowest_layer_type& lowest_layer() const noexcept { return sock_.lowest_layer(); }
  bool is_open() const { return sock_.is_open(); }
  void cancel(asio::error_code& ec) { sock_.cancel(ec); }
  void cancel() { sock_.cancel(); }
  void shutdown(asio::socket_base::shutdown_type what, asio::error_code& ec) { sock_.shutdown(what, ec); }
  void close() { sock_.close(); }
  void close(asio::error_code& ec) { sock_.close(ec); }
  Inner& inner() noexcept { return sock_; }

  template <typename ConstBuffers, typename Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    sock_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  // RESTinio reads only through this (one read at a time per connection, its
  // handler bound to the connection's strand; ours runs on the same).
  template <typename MutableBuffer, typename Handler>
  void async_read_some(const MutableBuffer& buffer, Handler&& handler) {
    if (!guard_) guard_ = std::make_unique<RequestHeadGuard>(g_.limits);
    if (guard_->Idle() && !waiting_) {  // RESTinio has just started its read limit for the next request
      waiting_ = true;
      wait_start_ = std::chrono::steady_clock::now();
    }
    auto ex = asio::get_associated_executor(handler, sock_.get_executor());
    if (pending_) {  // refused in an earlier chunk, after a request that was fine
      Refuse(std::forward<Handler>(handler));
      return;
    }
    if (g_.idle != nullptr && guard_->Idle()) {
      // Between requests: evictable. The eviction runs at accept on another
      // thread, so it only posts to this connection's strand.
      idle_id_ = g_.idle->Enter([this, ex, alive = alive_] {
        asio::post(ex, [this, alive] {
          if (!*alive || idle_id_ == 0) return;  // gone, or busy with a request since
          idle_id_ = 0;  // already off the list
          evicted_ = true;
          asio::error_code ig;
          sock_.cancel(ig);
        });
      });
    }
    const char* data = static_cast<const char*>(buffer.data());
    sock_.async_read_some(
        buffer, asio::bind_executor(ex, [this, ex, data, h = std::forward<Handler>(handler)](
                                            const asio::error_code& ec, std::size_t n) mutable {
          if (idle_id_ != 0) {
            g_.idle->Leave(idle_id_);
            idle_id_ = 0;
          }
          if (ec == asio::error::operation_aborted && evicted_ && sock_.is_open()) {
            return h(asio::error::eof, 0);  // RESTinio closes an idle connection quietly on EOF
          }
          if (ec == asio::error::operation_aborted && expired_ && sock_.is_open()) {
            pending_ = Refusal{errors::RequestTimeout(), 408};
            return Refuse(std::move(h));
          }
          if (ec) return h(ec, n);
          expired_ = false;  // bytes came after all
          RequestHeadGuard::Verdict v = guard_->Feed(data, n);
          if (guard_->MessagesDone() != messages_done_) {  // a request ended: the next wait starts
            messages_done_ = guard_->MessagesDone();
            waiting_ = !guard_->Idle();  // the next one began in this chunk (pipelined)
            wait_start_ = std::chrono::steady_clock::now();
          }
          if (!v.refusal) {
            ArmDeadline(ex);
            return h(ec, n);
          }
          pending_ = std::move(v.refusal);
          if (v.pass_bytes > 0) return h(ec, v.pass_bytes);  // the good request(s) first
          Refuse(std::move(h));
        }));
  }

 private:
  // Runs while a request is incomplete: due when its head has taken
  // head_timeout since its first byte, or the request message_timeout since
  // the wait for it began, whichever comes first. On expiry the read in
  // flight is cancelled and its completion answers 408.
  template <typename Executor>
  void ArmDeadline(Executor ex) {
    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> due;
    const bool in_head = guard_->InHead();
    if (in_head && !in_head_) head_start_ = Clock::now();
    in_head_ = in_head;
    if (!guard_->Idle() && !guard_->passthrough()) due = wait_start_ + g_.message_timeout;
    if (in_head) due = std::min(*due, head_start_ + g_.head_timeout);
    if (due == due_) return;
    due_ = due;
    if (!due) {
      deadline_timer_.cancel();
      return;
    }
    deadline_timer_.expires_at(*due);  // cancels a wait for an earlier deadline
    deadline_timer_.async_wait(asio::bind_executor(ex, [this, alive = alive_, at = *due](const asio::error_code& ec) {
      if (ec || !*alive || due_ != at) return;
      expired_ = true;
      asio::error_code ig;
      sock_.cancel(ig);  // the read in flight completes with operation_aborted
    }));
  }

  // Writes the answer, stops sending, reads what the client still sends (so
  // closing does not reset the connection and lose the answer), then tells
  // RESTinio the stream ended: it closes the connection.
  template <typename Handler>
  void Refuse(Handler&& handler) {
    due_.reset();
    deadline_timer_.cancel();
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    auto answer = std::make_shared<std::string>(RefusalResponse(*pending_, now_ms));
    asio::error_code ignored;
    const auto peer = sock_.lowest_layer().remote_endpoint(ignored);
    spdlog::info("http: {} {} from {}: request refused, connection closed", pending_->http_status, pending_->error.message,
                 peer.address().to_string());
    auto ex = asio::get_associated_executor(handler, sock_.get_executor());
    asio::async_write(sock_, asio::buffer(*answer),
                      asio::bind_executor(ex, [this, ex, answer, h = std::forward<Handler>(handler)](
                                                  const asio::error_code& ec, std::size_t) mutable {
                        asio::error_code ig;
                        if (!ec) sock_.shutdown(asio::socket_base::shutdown_send, ig);
                        Drain(ex, std::make_shared<Scratch>(), std::move(h));
                      }));
  }

  struct Scratch {
    char bytes[4096];
    size_t total = 0;
  };
  static constexpr size_t kDrainLimit = 1 << 20;

  template <typename Executor, typename Handler>
  void Drain(Executor ex, std::shared_ptr<Scratch> s, Handler&& handler) {
    if (!sock_.is_open() || s->total >= kDrainLimit) return handler(asio::error::eof, 0);
    sock_.async_read_some(asio::buffer(s->bytes),
                          asio::bind_executor(ex, [this, ex, s, h = std::forward<Handler>(handler)](
                                                      const asio::error_code& ec, std::size_t n) mutable {
                            if (ec) return h(ec == asio::error::operation_aborted ? ec : asio::error::eof, 0);
                            s->total += n;
                            Drain(ex, std::move(s), std::move(h));
                          }));
  }

  socket_type sock_;
  asio::steady_timer deadline_timer_;
  GuardSettings g_;
  // All below only on the connection's strand.
  bool waiting_ = false;  // RESTinio's read limit runs for the request now awaited or arriving
  std::chrono::steady_clock::time_point wait_start_;  // since when
  uint64_t messages_done_ = 0;  // the guard's count when last looked at
  bool in_head_ = false;
  std::chrono::steady_clock::time_point head_start_;  // first byte of the current head
  std::optional<std::chrono::steady_clock::time_point> due_;  // the deadline armed, if any
  bool expired_ = false;
  uint64_t idle_id_ = 0;  // listed in idle_ under this id; 0: not listed
  bool evicted_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed (timer handler)
  // Created at the first read (a moved-from socket is reused by the acceptor).
  std::unique_ptr<RequestHeadGuard> guard_;
  std::optional<Refusal> pending_;
};

using GuardedSocket = BasicGuardedSocket<asio::ip::tcp::socket>;
using GuardedTlsSocket = BasicGuardedSocket<restinio::tls_socket_t>;

// What RESTinio's connection asks of its socket, found by argument-dependent
// lookup (RESTinio has these for tcp::socket and its TLS socket): the TLS one
// shakes hands on the inner socket first.
template <typename Connection, typename StartRead, typename Failed>
void prepare_connection_and_start_read(GuardedSocket&, Connection&, StartRead start_read, Failed) {
  start_read();
}
template <typename Connection, typename StartRead, typename Failed>
void prepare_connection_and_start_read(GuardedTlsSocket& s, Connection& con, StartRead start_read, Failed failed) {
  restinio::prepare_connection_and_start_read(s.inner(), con, std::move(start_read), std::move(failed));
}
inline restinio::tls_socket_t* make_tls_socket_pointer_for_state_listener(GuardedSocket&) noexcept { return nullptr; }
inline restinio::tls_socket_t* make_tls_socket_pointer_for_state_listener(GuardedTlsSocket& s) noexcept {
  return &s.inner();
}

}  // namespace facepass::http::internal

namespace restinio::impl {

// The acceptor's pool of sockets for GuardedSocket. A moved-from tcp socket
// can accept again, so a slot is moved out and reused.
template <>
class socket_supplier_t<facepass::http::internal::GuardedSocket> {
 protected:
  template <typename Settings>
  socket_supplier_t(Settings& settings, asio_ns::io_context& io_context) {
    const auto g = facepass::http::internal::GuardSettings::Of(settings);
    m_sockets.reserve(settings.concurrent_accepts_count());
    for (std::size_t i = 0; i < settings.concurrent_accepts_count(); ++i) {
      m_sockets.emplace_back(g, io_context);
    }
  }

  std::size_t concurrent_accept_sockets_count() const noexcept { return m_sockets.size(); }
  facepass::http::internal::GuardedSocket& socket(std::size_t idx) { return m_sockets.at(idx); }
  facepass::http::internal::GuardedSocket move_socket(std::size_t idx) { return std::move(socket(idx)); }

 private:
  std::vector<facepass::http::internal::GuardedSocket> m_sockets;
};

// The same for GuardedTlsSocket. A moved-from tls_socket_t has no stream, so
// the slot gets a fresh socket and the accepted one is handed out.
template <>
class socket_supplier_t<facepass::http::internal::GuardedTlsSocket> {
 protected:
  template <typename Settings>
  socket_supplier_t(Settings& settings, asio_ns::io_context& io_context)
      : m_guard(facepass::http::internal::GuardSettings::Of(settings)),
        m_tls_context(settings.giveaway_tls_context()),
        m_io_context(io_context) {
    m_sockets.reserve(settings.concurrent_accepts_count());
    while (m_sockets.size() < settings.concurrent_accepts_count()) m_sockets.push_back(Make());
  }
  virtual ~socket_supplier_t() = default;

  std::size_t concurrent_accept_sockets_count() const noexcept { return m_sockets.size(); }
  facepass::http::internal::GuardedTlsSocket& socket(std::size_t idx) { return m_sockets.at(idx); }
  facepass::http::internal::GuardedTlsSocket move_socket(std::size_t idx) {
    auto fresh = Make();
    std::swap(fresh, m_sockets.at(idx));
    return fresh;
  }

 private:
  facepass::http::internal::GuardedTlsSocket Make() {
    return facepass::http::internal::GuardedTlsSocket(m_guard, m_io_context, m_tls_context);
  }
  facepass::http::internal::GuardSettings m_guard;
  std::shared_ptr<asio_ns::ssl::context> m_tls_context;
  asio_ns::io_context& m_io_context;
  std::vector<facepass::http::internal::GuardedTlsSocket> m_sockets;
};

}  // namespace restinio::impl

namespace restinio {

// GuardedTlsSocket's server settings are tls_socket_t's: the TLS context.
template <typename Settings>
class socket_type_dependent_settings_t<Settings, facepass::http::internal::GuardedTlsSocket>
    : public socket_type_dependent_settings_t<Settings, tls_socket_t> {
 protected:
  ~socket_type_dependent_settings_t() = default;

 public:
  socket_type_dependent_settings_t() = default;
  socket_type_dependent_settings_t(socket_type_dependent_settings_t&&) = default;
};

}  // namespace restinio
