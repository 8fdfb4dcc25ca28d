#include "balancer_child.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "client/http_client.h"
#include "server_child.h"

extern char** environ;

namespace facepass::bench {

Result<BalancerChild> StartBalancer(const std::filesystem::path& dir, const std::vector<int>& node_ports,
                                    int wait_s) {
  if (!std::filesystem::exists(kHaproxyBinary))
    return Status::NotFound(std::string(kHaproxyBinary) + " is not installed (scripts/install-deps.sh)");
  BalancerChild b;
  b.port = PickFreePort();
  b.url = "http://127.0.0.1:" + std::to_string(b.port);
  b.log = dir / "haproxy.log";
  const std::filesystem::path cfg = dir / "haproxy.cfg";
  {
    std::ofstream out(cfg);
    out << "global\n  maxconn 512\n"
        << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 60s\n  timeout server 60s\n"
        << "  retries 3\n  option redispatch 1\n"
        << "frontend fe\n  bind 127.0.0.1:" << b.port << "\n  default_backend nodes\n"
        << "backend nodes\n  balance roundrobin\n  option httpchk GET /api/health/v1\n"
        << "  http-check expect status 200\n";
    for (size_t i = 0; i < node_ports.size(); ++i)
      out << "  server n" << i << " 127.0.0.1:" << node_ports[i] << " check inter 300ms fall 2 rise 1\n";
    if (!out) return Status::IoError("cannot write " + cfg.string());
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, b.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::string bin = kHaproxyBinary, db = "-db", f = "-f", cfg_s = cfg.string();
  char* argv[] = {bin.data(), db.data(), f.data(), cfg_s.data(), nullptr};
  const int rc = posix_spawn(&b.pid, kHaproxyBinary, &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Status::IoError("cannot start haproxy");
  client::HttpOptions o;
  o.connect_timeout_ms = 500;
  o.timeout_ms = 2000;
  client::HttpClient http(o);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http.Get(b.url + "/api/version/v1");
    if (r.ok() && (r->status == 200 || r->status == 401)) return b;  // through to a node
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  StopBalancer(b);
  return Status::Unavailable("haproxy did not reach a node within " + std::to_string(wait_s) + " s (" +
                             b.log.string() + ")");
}

void StopBalancer(BalancerChild& b) {
  if (b.pid <= 0) return;
  kill(b.pid, SIGTERM);
  waitpid(b.pid, nullptr, 0);
  b.pid = -1;
}

}  // namespace facepass::bench
