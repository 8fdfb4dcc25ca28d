// HAProxy (Debian's) as a child process in front of several `facepass serve`
// nodes, for the cluster tests, the crash campaign and benches: round robin,
// health checks on GET /api/health/v1 every 300 ms, a refused connection
// retried on another node. The deployment docs/deploy-cluster.md describes,
// in miniature.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::bench {

inline constexpr char kHaproxyBinary[] = "/usr/sbin/haproxy";

struct BalancerChild {
  pid_t pid = -1;
  int port = 0;
  std::string url;            // http://127.0.0.1:PORT
  std::filesystem::path log;  // DIR/haproxy.log
};

// Writes DIR/haproxy.cfg over the nodes' loopback ports and starts HAProxy in
// the foreground; returns once a request through it reaches a node (up to
// wait_s). NotFound when HAProxy is not installed.
Result<BalancerChild> StartBalancer(const std::filesystem::path& dir, const std::vector<int>& node_ports,
                                    int wait_s = 10);
// SIGTERM and reap.
void StopBalancer(BalancerChild& b);

}  // namespace facepass::bench
