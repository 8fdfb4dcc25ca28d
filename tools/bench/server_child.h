// The real `facepass serve` as a child process of a bench or campaign tool:
// fork/exec on a free loopback port, wait until GET /api/version/v1 answers,
// SIGKILL or SIGTERM it, and read its RSS and open file descriptors from /proc.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::bench {

struct ServerChild {
  pid_t pid = -1;
  int port = 0;
  std::string url;            // http://127.0.0.1:PORT
  std::filesystem::path log;  // stdout and stderr, appended across restarts
};

// `extra` follows serve --listen --data-dir --models-dir. Waits up to wait_s.
// port 0: a free loopback port (tried three times); else exactly that one (a
// node restarted where a balancer expects it).
Result<ServerChild> StartServer(const std::string& bin, const std::filesystem::path& data_dir,
                                const std::string& models_dir, const std::vector<std::string>& extra,
                                int wait_s = 120, int port = 0);
void KillServer(ServerChild& s);     // SIGKILL and reap
int StopServer(ServerChild& s);      // SIGTERM, wait; the exit status (-1: killed or signalled)

int PickFreePort();
// A new directory $TMPDIR/<prefix>-XXXXXX (/tmp without TMPDIR); "" when it cannot be made.
std::string MakeScratchDir(const std::string& prefix);
double RssMiB(pid_t pid);
int OpenFds(pid_t pid);
// Least-squares slope of y over x.
double Slope(const std::vector<double>& x, const std::vector<double>& y);
double Percentile(std::vector<double> v, double p);

}  // namespace facepass::bench
