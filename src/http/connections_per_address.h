// Open connections counted per client address (issue 13, finding 3): one
// address holding hundreds of idle connections must not lock every other
// client out of the server's connection cap. A connection from an address
// that already holds `limit` is shut down as soon as it is accepted, before
// any byte is read; other addresses are still served.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/thread_annotations.h"

namespace facepass::http {

class ConnectionsPerAddress {
 public:
  explicit ConnectionsPerAddress(size_t limit) : limit_(limit) {}  // 0: no limit

  // At accept: may one more connection from `address` be kept?
  bool Admits(const std::string& address) const EXCLUDES(mu_);
  // A connection from `address` was taken / has closed (paired by the server).
  void Opened(const std::string& address) EXCLUDES(mu_);
  void Closed(const std::string& address) EXCLUDES(mu_);

  size_t open(const std::string& address) const EXCLUDES(mu_);
  size_t total() const EXCLUDES(mu_);  // open connections from every address
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  mutable Mutex mu_;
  std::unordered_map<std::string, size_t> open_ GUARDED_BY(mu_);  // no zero entries
  size_t total_ GUARDED_BY(mu_) = 0;
};

// Shuts down (both directions) this process's TCP socket whose peer is
// `peer_ip`:`peer_port` and whose local port is `local_port`; false when there
// is none. RESTinio 0.6 hands its IP blocker only the peer's endpoint, and
// refusing there leaks a slot of its connection-count limiter, so a refused
// connection is let through shut down: its first read fails and it closes
// the normal way.
bool ShutdownAcceptedSocket(const std::string& peer_ip, uint16_t peer_port, uint16_t local_port);

}  // namespace facepass::http
