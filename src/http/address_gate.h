// Private to src/http (it includes RESTinio): the connection hooks of
// server.cc that enforce ServerOptions::max_connections_per_address.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <type_traits>

#include <restinio/all.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "http/connections_per_address.h"
#include "http/idle_connections.h"

namespace facepass::http::internal {

// RESTinio's two connection hooks onto one ConnectionsPerAddress: the state
// listener counts accepted and closed connections (RESTinio pairs the two
// notices), the IP blocker sees each new one first. Over the limit it lets the
// connection through shut down (see ShutdownAcceptedSocket: denying there
// would shrink max_connections for good in RESTinio 0.6.16).
class AddressGate {
 public:
  // max_connections: the server's cap; from 7/8 of it on, each new
  // connection closes the connection idle longest (guarded_socket.h).
  AddressGate(size_t limit, const std::atomic<uint16_t>& local_port, size_t max_connections)
      : counts_(limit), local_port_(local_port),
        evict_from_(max_connections / 8 == 0 ? 0 : max_connections - max_connections / 8) {}
  IdleConnections& idle() { return idle_; }
  uint64_t evicted() const { return evicted_.load(); }

  restinio::ip_blocker::inspection_result_t inspect(const restinio::ip_blocker::incoming_info_t& in) noexcept {
    try {
      if (evict_from_ != 0 && counts_.total() >= evict_from_ && idle_.EvictOldest()) ++evicted_;
      const std::string address = in.remote_endpoint().address().to_string();
      if (!counts_.Admits(address)) {
        const bool shut = ShutdownAcceptedSocket(address, in.remote_endpoint().port(), local_port_.load());
        ++refused_;
        const int64_t now_s = NowMs() / 1000;
        if (int64_t last = last_log_s_.load(); now_s > last && last_log_s_.compare_exchange_strong(last, now_s)) {
          spdlog::warn("http: connections refused from {} (it holds {}, --max-connections-per-address){}; {} so far",
                       address, counts_.limit(), shut ? "" : ", socket not found", refused_.load());
        }
      }
    } catch (...) {
    }
    return restinio::ip_blocker::allow();
  }
  void state_changed(const restinio::connection_state::notice_t& n) noexcept {
    try {
      const std::string address = n.remote_endpoint().address().to_string();
      restinio::visit(
          [&](const auto& cause) {
            using C = std::decay_t<decltype(cause)>;
            if constexpr (std::is_same_v<C, restinio::connection_state::accepted_t>) counts_.Opened(address);
            if constexpr (std::is_same_v<C, restinio::connection_state::closed_t>) counts_.Closed(address);
          },
          n.cause());
    } catch (...) {
    }
  }

 private:
  ConnectionsPerAddress counts_;
  const std::atomic<uint16_t>& local_port_;
  const size_t evict_from_;  // 0: never evict
  IdleConnections idle_;
  std::atomic<uint64_t> evicted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<int64_t> last_log_s_{0};  // at most one warning a second
};

}  // namespace facepass::http::internal
