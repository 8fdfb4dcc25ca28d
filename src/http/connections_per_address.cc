#include "http/connections_per_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace facepass::http {

bool ConnectionsPerAddress::Admits(const std::string& address) const {
  if (limit_ == 0) return true;
  MutexLock lock(&mu_);
  auto it = open_.find(address);
  return it == open_.end() || it->second < limit_;
}

void ConnectionsPerAddress::Opened(const std::string& address) {
  MutexLock lock(&mu_);
  ++open_[address];
  ++total_;
}

void ConnectionsPerAddress::Closed(const std::string& address) {
  MutexLock lock(&mu_);
  auto it = open_.find(address);
  if (it == open_.end()) return;
  --total_;
  if (--it->second == 0) open_.erase(it);
}

size_t ConnectionsPerAddress::total() const {
  MutexLock lock(&mu_);
  return total_;
}

size_t ConnectionsPerAddress::open(const std::string& address) const {
  MutexLock lock(&mu_);
  auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second;
}

namespace {

// The text form of a socket address and its port; false for a non-IP family.
bool Endpoint(const sockaddr_storage& a, std::string* ip, uint16_t* port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
    if (!inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof buf)) return false;
    *port = ntohs(v4->sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    if (!inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf)) return false;
    *port = ntohs(v6->sin6_port);
  } else {
    return false;
  }
  *ip = buf;
  return true;
}

}  // namespace

bool ShutdownAcceptedSocket(const std::string& peer_ip, uint16_t peer_port, uint16_t local_port) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const int fd = std::atoi(it->path().filename().c_str());
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage peer{}, local{};
    socklen_t pl = sizeof peer, ll = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) continue;
    std::string ip, local_ip;
    uint16_t port = 0, lport = 0;
    if (!Endpoint(peer, &ip, &port) || !Endpoint(local, &local_ip, &lport)) continue;
    // peer_ip comes from the same socket's endpoint, so the texts are alike
    // (a v4 client on a v6 socket is ::ffff:a.b.c.d in both).
    if (port != peer_port || lport != local_port || ip != peer_ip) continue;
    return ::shutdown(fd, SHUT_RDWR) == 0;
  }
  return false;
}

}  // namespace facepass::http
