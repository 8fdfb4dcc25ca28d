#include "server_child.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "client/http_client.h"

namespace facepass::bench {

namespace fs = std::filesystem;

int PickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

Result<ServerChild> StartServer(const std::string& bin, const fs::path& data_dir, const std::string& models_dir,
                                const std::vector<std::string>& extra, int wait_s, int port) {
  ServerChild s;
  s.log = data_dir.string() + ".server.log";
  for (int attempt = 0; attempt < (port == 0 ? 3 : 1); ++attempt) {
    s.port = port == 0 ? PickFreePort() : port;
    s.url = "http://127.0.0.1:" + std::to_string(s.port);
    std::vector<std::string> args = {bin, "serve", "--listen", "127.0.0.1:" + std::to_string(s.port),
                                     "--data-dir", data_dir.string(), "--models-dir", models_dir};
    args.insert(args.end(), extra.begin(), extra.end());
    s.pid = ::fork();
    if (s.pid < 0) return Status::IoError("fork failed");
    if (s.pid == 0) {
      int fd = ::open(s.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    client::HttpOptions o;
    o.connect_timeout_ms = 500;
    o.timeout_ms = 2000;
    client::HttpClient http(o);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = http.Get(s.url + "/api/version/v1");
      if (r.ok() && (r->status == 200 || r->status == 401)) return s;
      int st = 0;
      if (::waitpid(s.pid, &st, WNOHANG) == s.pid) {  // port taken meanwhile, or a start-up failure
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exited) {
      KillServer(s);
      break;
    }
  }
  return Status::Unavailable("server did not come up; log " + s.log.string());
}

void KillServer(ServerChild& s) {
  if (s.pid <= 0) return;
  ::kill(s.pid, SIGKILL);
  ::waitpid(s.pid, nullptr, 0);
  s.pid = -1;
}

int StopServer(ServerChild& s) {
  if (s.pid <= 0) return -1;
  ::kill(s.pid, SIGTERM);
  int st = 0;
  ::waitpid(s.pid, &st, 0);
  s.pid = -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string MakeScratchDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
  return ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

double RssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

int OpenFds(pid_t pid) {
  std::error_code ec;
  int n = 0;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

double Slope(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(i == 0 ? 0 : i - 1, v.size() - 1)];
}

}  // namespace facepass::bench
