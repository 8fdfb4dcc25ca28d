#include "support/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "support/time_scale.h"

namespace facepass::testing {

namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

CommandRun RunFacepass(const std::vector<std::string>& args, const std::filesystem::path& scratch, int timeout_s) {
  const auto out_file = scratch.string() + ".out", err_file = scratch.string() + ".err";
  std::vector<std::string> argv_s = {ServerBinary().string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  CommandRun r;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  r.out = Slurp(out_file);
  r.err = Slurp(err_file);
  std::filesystem::remove(out_file);
  std::filesystem::remove(err_file);
  return r;
}


std::filesystem::path ServerBinary() {
  return std::filesystem::path(FACEPASS_BINARY_DIR) / "tools" / "facepass" / "facepass";
}

std::filesystem::path MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* made = mkdtemp(buf.data());
  return made ? std::filesystem::path(made) : std::filesystem::path();
}

uint16_t PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port = ntohs(addr.sin_port);
  }
  if (fd >= 0) close(fd);
  return port;
}

int ConnectLoopback(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

namespace {

// A bare HTTP GET over a socket, enough to know the server is up (a 401 is
// an answer too: auth is on and this probe sends no key).
bool Answers(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const char req[] = "GET /api/version/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) > 0) {
      char buf[64] = {0};
      ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
      ok = n > 12 && (std::strncmp(buf, "HTTP/1.1 200", 12) == 0 || std::strncmp(buf, "HTTP/1.1 401", 12) == 0);
    }
  }
  close(fd);
  return ok;
}

// The key on the file's first line; "" when there is no file.
std::string ReadKeyFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string key;
  std::getline(in, key);
  return key;
}

}  // namespace

std::filesystem::path ModelsWithRepoCalibration(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(FACEPASS_MODELS_DIR)) {
    const fs::path link = dir / e.path().filename();
    if (!fs::exists(fs::symlink_status(link))) fs::create_symlink(fs::absolute(e.path()), link);
  }
  for (const auto& e : fs::directory_iterator(fs::path(FACEPASS_SOURCE_DIR) / "calibration")) {
    const fs::path to = dir / e.path().filename();
    fs::remove(to);
    fs::copy_file(e.path(), to);
  }
  return dir;
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::filesystem::path& data_dir,
                                                    std::vector<std::string> extra_args,
                                                    int wait_seconds,
                                                    const std::filesystem::path& models_dir) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  for (int attempt = 0; attempt < 3; ++attempt) {
    p->port_ = PickFreePort();
    p->log_path_ = data_dir.string() + ".server-" + std::to_string(p->port_) + ".log";
    std::vector<std::string> args = {ServerBinary().string(), "serve",
                                     "--listen", "127.0.0.1:" + std::to_string(p->port_),
                                     "--data-dir", data_dir.string(),
                                     "--models-dir",
                                     models_dir.empty() ? std::string(FACEPASS_MODELS_DIR) : models_dir.string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_t pid = fork();
    if (pid == 0) {
      int log = open(p->log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (log >= 0) {
        dup2(log, 1);
        dup2(log, 2);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    p->pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(wait_seconds * 1000 * TimeScale()));
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {  // died (port taken, bad flags...)
        p->pid_ = -1;
        break;
      }
      if (Answers(p->port_)) {
        p->api_key_ = ReadKeyFile(data_dir / "admin.key");
        return p;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (p->pid_ > 0) {
      p->Kill();
      break;
    }
  }
  std::fprintf(stderr, "server did not come up; log: %s\n", p->log_path_.c_str());
  return nullptr;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
}

std::string ServerProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  const int polls = static_cast<int>(300 * TimeScale());
  for (int i = 0; i < polls; ++i) {  // up to 30 s (scaled), then give up and kill
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      std::fprintf(stderr, "server ended by signal %d after SIGTERM (log: %s)\n", WTERMSIG(status),
                   log_path_.c_str());
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::fprintf(stderr, "server still running %d s after SIGTERM: killed (log: %s)\n", polls / 10, log_path_.c_str());
  Kill();
  return -1;
}

void ServerProcess::Kill(int sig) {
  if (pid_ <= 0) return;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace facepass::testing
