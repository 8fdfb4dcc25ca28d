// A GET held open on a plain socket, read as it arrives: the notify stream
// (GET /api/service/sync/v1/notify, server-sent events) seen byte for byte.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "support/server_process.h"

namespace facepass::e2e {

// One GET held on a plain socket; reads what arrives.
class RawStream {
 public:
  RawStream(uint16_t port, const std::string& path_and_query, const std::string& key) {
    fd_ = testing::ConnectLoopback(port);
    if (fd_ < 0) return;
    const std::string req = "GET " + path_and_query + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n\r\n";
    ok_ = ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
  }
  ~RawStream() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  // Reads until `needle` arrived after what earlier calls consumed.
  bool WaitFor(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t at;
    while ((at = got_.find(needle, seen_)) == std::string::npos)
      if (!ReadSome(deadline)) return false;
    seen_ = at + needle.size();
    return true;
  }
  // The next version event's data for `group` (null when none came in time).
  nlohmann::json NextVersion(const std::string& group, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    const std::string prefix = "event: version\ndata: ";
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const size_t at = got_.find(prefix, seen_);
      const size_t end = at == std::string::npos ? at : got_.find("\n\n", at);
      if (end != std::string::npos) {
        nlohmann::json j = nlohmann::json::parse(got_.substr(at + prefix.size(), end - at - prefix.size()), nullptr, false);
        seen_ = end + 2;
        if (j.is_object() && j.value("group_name", "") == group) return j;
        continue;
      }
      if (!ReadSome(deadline)) return nullptr;
    }
  }
  const std::string& got() const { return got_; }

 private:
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return true;  // the loop looks at the time again
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    got_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool ok_ = false;
  std::string got_;
  size_t seen_ = 0;
};

}  // namespace facepass::e2e
