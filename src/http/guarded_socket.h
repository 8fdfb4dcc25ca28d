// Internal to server.cc (RESTinio inside): the plain-TCP stream socket type
// of the server's RESTinio traits. It is asio's tcp::socket with one change:
// what the client sends passes through a RequestHeadGuard before RESTinio's
// parser sees it, and a request RESTinio would drop without a word (its
// parser's errors, its header limits) is answered 400/414/431/501 with the
// envelope instead, then the connection is closed (issue 13, finding 4).
// Include after <restinio/all.hpp>.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <restinio/all.hpp>
#include <spdlog/spdlog.h>

#include "http/idle_connections.h"
#include "http/request_head_guard.h"

namespace facepass::http::internal {

class GuardedSocket {
 public:
  using socket_type = asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using lowest_layer_type = socket_type::lowest_layer_type;

  // head_timeout: a request head that has started must end within it, or
  // the client is answered 408 and the connection closed (finding 3).
  // idle: where the connection is listed while it waits for a request (it
  // may be closed from there when the server nears its cap); may be null.
  GuardedSocket(asio::io_context& io, HeadLimits limits, std::chrono::steady_clock::duration head_timeout,
                IdleConnections* idle)
      : sock_(io), head_timer_(io), limits_(limits), head_timeout_(head_timeout), idle_(idle) {}
  GuardedSocket(GuardedSocket&& o) noexcept
      : sock_(std::move(o.sock_)), head_timer_(std::move(o.head_timer_)), limits_(o.limits_),
        head_timeout_(o.head_timeout_), idle_(o.idle_), guard_(std::move(o.guard_)) {}
  GuardedSocket& operator=(GuardedSocket&& o) noexcept {
    sock_ = std::move(o.sock_);
    head_timer_ = std::move(o.head_timer_);
    limits_ = o.limits_;
    head_timeout_ = o.head_timeout_;
    idle_ = o.idle_;
    guard_ = std::move(o.guard_);
    return *this;
  }
  ~GuardedSocket() {
    *alive_ = false;
    if (idle_id_ != 0) idle_->Leave(idle_id_);
  }

  executor_type get_executor() noexcept { return sock_.get_executor(); }
  lowest_layer_type& lowest_layer() noexcept { return sock_.lowest_layer(); }
  const lowest_layer_type& lowest_layer() const noexcept { return sock_.lowest_layer(); }
  bool is_open() const { return sock_.is_open(); }
  void cancel(asio::error_code& ec) { sock_.cancel(ec); }
  void cancel() { sock_.cancel(); }
  void shutdown(socket_type::shutdown_type what, asio::error_code& ec) { sock_.shutdown(what, ec); }
  void close() { sock_.close(); }
  void close(asio::error_code& ec) { sock_.close(ec); }

  template <typename ConstBuffers, typename Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    sock_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  // RESTinio reads only through this (one read at a time per connection, its
  // handler bound to the connection's strand; ours runs on the same).
  template <typename MutableBuffer, typename Handler>
  void async_read_some(const MutableBuffer& buffer, Handler&& handler) {
    if (!guard_) guard_ = std::make_unique<RequestHeadGuard>(limits_);
    auto ex = asio::get_associated_executor(handler, sock_.get_executor());
    if (pending_) {  // refused in an earlier chunk, after a request that was fine
      Refuse(std::forward<Handler>(handler));
      return;
    }
    if (idle_ != nullptr && guard_->Idle()) {
      // Between requests: evictable. The eviction runs at accept on another
      // thread, so it only posts to this connection's strand.
      idle_id_ = idle_->Enter([this, ex, alive = alive_] {
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
            idle_->Leave(idle_id_);
            idle_id_ = 0;
          }
          if (ec == asio::error::operation_aborted && evicted_ && sock_.is_open()) {
            return h(asio::error::eof, 0);  // RESTinio closes an idle connection quietly on EOF
          }
          if (ec == asio::error::operation_aborted && head_expired_ && sock_.is_open()) {
            pending_ = Refusal{errors::RequestTimeout(), 408};
            return Refuse(std::move(h));
          }
          if (ec) return h(ec, n);
          head_expired_ = false;  // bytes came after all
          RequestHeadGuard::Verdict v = guard_->Feed(data, n);
          ArmHeadTimer(ex);
          if (!v.refusal) return h(ec, n);
          pending_ = std::move(v.refusal);
          if (v.pass_bytes > 0) return h(ec, v.pass_bytes);  // the good request(s) first
          Refuse(std::move(h));
        }));
  }

 private:
  // Runs while a request head is incomplete; on expiry the pending read is
  // cancelled and its completion answers 408.
  template <typename Executor>
  void ArmHeadTimer(Executor ex) {
    const bool in_head = guard_->InHead();
    if (in_head == head_timer_armed_) return;
    head_timer_armed_ = in_head;
    if (!in_head) {
      head_timer_.cancel();
      return;
    }
    head_timer_.expires_after(head_timeout_);
    head_timer_.async_wait(asio::bind_executor(ex, [this, alive = alive_](const asio::error_code& ec) {
      if (ec || !*alive || !head_timer_armed_) return;
      head_expired_ = true;
      asio::error_code ig;
      sock_.cancel(ig);  // the read in flight completes with operation_aborted
    }));
  }

  // Writes the answer, stops sending, reads what the client still sends (so
  // closing does not reset the connection and lose the answer), then tells
  // RESTinio the stream ended: it closes the connection.
  template <typename Handler>
  void Refuse(Handler&& handler) {
    head_timer_armed_ = false;
    head_timer_.cancel();
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    auto answer = std::make_shared<std::string>(RefusalResponse(*pending_, now_ms));
    asio::error_code ignored;
    const auto peer = sock_.remote_endpoint(ignored);
    spdlog::info("http: {} {} from {}: request refused, connection closed", pending_->http_status, pending_->error.message,
                 peer.address().to_string());
    auto ex = asio::get_associated_executor(handler, sock_.get_executor());
    asio::async_write(sock_, asio::buffer(*answer),
                      asio::bind_executor(ex, [this, ex, answer, h = std::forward<Handler>(handler)](
                                                  const asio::error_code& ec, std::size_t) mutable {
                        asio::error_code ig;
                        if (!ec) sock_.shutdown(socket_type::shutdown_send, ig);
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
  asio::steady_timer head_timer_;
  HeadLimits limits_;
  std::chrono::steady_clock::duration head_timeout_;
  IdleConnections* idle_ = nullptr;
  // All below only on the connection's strand.
  bool head_timer_armed_ = false;
  bool head_expired_ = false;
  uint64_t idle_id_ = 0;  // listed in idle_ under this id; 0: not listed
  bool evicted_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed (timer handler)
  // Created at the first read (a moved-from socket is reused by the acceptor).
  std::unique_ptr<RequestHeadGuard> guard_;
  std::optional<Refusal> pending_;
};

// What RESTinio's connection asks of a plain socket, found by argument-
// dependent lookup (RESTinio has these for tcp::socket and its TLS socket).
template <typename Connection, typename StartRead, typename Failed>
void prepare_connection_and_start_read(GuardedSocket&, Connection&, StartRead start_read, Failed) {
  start_read();
}
inline restinio::tls_socket_t* make_tls_socket_pointer_for_state_listener(GuardedSocket&) noexcept { return nullptr; }

}  // namespace facepass::http::internal

namespace restinio::impl {

// The acceptor's pool of sockets for GuardedSocket: each gets the server's
// header limits, so the guard fails exactly where RESTinio's parser would.
template <>
class socket_supplier_t<facepass::http::internal::GuardedSocket> {
 protected:
  template <typename Settings>
  socket_supplier_t(Settings& settings, asio_ns::io_context& io_context) {
    const auto& l = settings.incoming_http_msg_limits();
    const facepass::http::HeadLimits limits{l.max_url_size(), l.max_field_name_size(), l.max_field_value_size(),
                                            l.max_field_count(), l.max_body_size()};
    // Shorter than RESTinio's own read limit, which would close silently.
    const auto head_timeout = std::min<std::chrono::steady_clock::duration>(
        std::chrono::seconds(5), settings.read_next_http_message_timelimit() / 2);
    m_sockets.reserve(settings.concurrent_accepts_count());
    facepass::http::IdleConnections* idle = settings.ip_blocker() ? &settings.ip_blocker()->idle() : nullptr;
    for (std::size_t i = 0; i < settings.concurrent_accepts_count(); ++i) {
      m_sockets.emplace_back(io_context, limits, head_timeout, idle);
    }
  }

  std::size_t concurrent_accept_sockets_count() const noexcept { return m_sockets.size(); }
  facepass::http::internal::GuardedSocket& socket(std::size_t idx) { return m_sockets.at(idx); }
  facepass::http::internal::GuardedSocket move_socket(std::size_t idx) { return std::move(socket(idx)); }

 private:
  std::vector<facepass::http::internal::GuardedSocket> m_sockets;
};

}  // namespace restinio::impl
