#include "support/http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace facepass::testing {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The value of header `name` (lower case) in the head, "" if absent.
std::string HeaderValue(const std::string& head, const std::string& name) {
  const std::string lower = Lower(head);
  const size_t at = lower.find("\r\n" + name + ":");
  if (at == std::string::npos) return "";
  size_t begin = at + 3 + name.size();
  const size_t end = head.find("\r\n", begin);
  while (begin < end && head[begin] == ' ') ++begin;
  return head.substr(begin, end - begin);
}

}  // namespace

std::unique_ptr<HttpReceiver> HttpReceiver::Start(uint16_t port, Mode mode) {
  std::unique_ptr<HttpReceiver> r(new HttpReceiver());
  r->mode_ = mode;
  r->listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (r->listen_fd_ < 0) return nullptr;
  int one = 1;
  ::setsockopt(r->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::bind(r->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(r->listen_fd_, 64) != 0)
    return nullptr;
  socklen_t len = sizeof addr;
  ::getsockname(r->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  r->port_ = ntohs(addr.sin_port);
  r->accept_ = std::thread([p = r.get()] { p->AcceptLoop(); });
  return r;
}

HttpReceiver::~HttpReceiver() {
  stopping_ = true;
  if (accept_.joinable()) accept_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& t : threads_) t.join();
  for (int fd : open_fds_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<ReceivedRequest> HttpReceiver::WaitFor(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  return received_;
}

void HttpReceiver::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    ++connections_;
    {
      std::lock_guard lock(mu_);
      open_fds_.push_back(fd);
    }
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpReceiver::Serve(int fd) {
  std::string data;
  char buf[4096];
  for (;;) {  // requests on one keep-alive connection, one after another
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;  // closed, or shut down on stop (the destructor closes the fd)
      data.append(buf, static_cast<size_t>(n));
    }
    const std::string head = data.substr(0, head_end);
    const size_t length = std::stoul("0" + HeaderValue(head, "content-length"));
    while (data.size() < head_end + 4 + length) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    ReceivedRequest req;
    const size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    req.method = head.substr(0, sp1);
    req.path = head.substr(sp1 + 1, sp2 - sp1 - 1);
    req.content_type = HeaderValue(head, "content-type");
    req.body = data.substr(head_end + 4, length);
    data.erase(0, head_end + 4 + length);
    {
      std::lock_guard lock(mu_);
      received_.push_back(std::move(req));
    }
    cv_.notify_all();
    if (mode_ == Mode::kHang) {
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
      }
      return;
    }
    static const char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    if (::send(fd, kOk, sizeof kOk - 1, MSG_NOSIGNAL) < 0) return;
  }
}

}  // namespace facepass::testing
