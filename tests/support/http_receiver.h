// A tiny HTTP/1.1 receiver on loopback for the webhook tests: records each
// request (method, path, Content-Type, body) and answers 200 with an empty
// body, or, with kHang, accepts and reads but never answers (the connection
// stays open until the receiver stops).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace facepass::testing {

struct ReceivedRequest {
  std::string method, path, content_type, body;
};

class HttpReceiver {
 public:
  enum class Mode { kAnswer, kHang };
  // Listens on 127.0.0.1:port (0: any free port). nullptr if it cannot bind.
  static std::unique_ptr<HttpReceiver> Start(uint16_t port = 0, Mode mode = Mode::kAnswer);
  ~HttpReceiver();

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const;
  // Waits until at least `n` requests came (or `timeout`); all of them so far.
  std::vector<ReceivedRequest> WaitFor(size_t n, std::chrono::milliseconds timeout);
  size_t connections() const { return connections_.load(); }

 private:
  HttpReceiver() = default;
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  Mode mode_ = Mode::kAnswer;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> connections_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> received_;  // guarded by mu_
  std::vector<int> open_fds_;              // guarded by mu_: shut down on stop
  std::vector<std::thread> threads_;       // the accept thread's own
  std::thread accept_;
};

}  // namespace facepass::testing
