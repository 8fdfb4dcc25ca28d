// Starts the real `facepass serve` binary for end-to-end tests: a free loopback
// port, a data directory of the test's choosing, and a wait until it answers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace facepass::testing {

// Path of the server binary built next to the tests.
std::filesystem::path ServerBinary();
// A fresh empty directory under the test temp dir.
std::filesystem::path MakeTempDir(const std::string& prefix);
// A loopback TCP port that was free a moment ago.
uint16_t PickFreePort();
// A TCP connection to 127.0.0.1:port (blocking); the socket, or -1.
int ConnectLoopback(uint16_t port);
// `dir` filled with links to FACEPASS_MODELS_DIR's files and copies of the
// repository's calibration/*.score.json over them: the calibration this tree
// ships, whatever the models folder installed last (issue 30's tests read its
// tables). Returns `dir`.
std::filesystem::path ModelsWithRepoCalibration(const std::filesystem::path& dir);

// What a finished `facepass` command printed, and its exit status.
struct CommandRun {
  int rc = -1;  // -1: killed at the deadline
  std::string out, err;
};

// Runs `facepass ARGS...` to completion (SIGKILLed after `timeout_s`); its
// output goes through SCRATCH.out / SCRATCH.err, removed afterwards.
CommandRun RunFacepass(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                       int timeout_s = 300);

class ServerProcess {
 public:
  // Spawns the server and waits (up to `wait_seconds`) until GET /api/version/v1
  // answers (200, or 401 with auth on). Returns nullptr (and prints why) if it
  // does not come up. Then reads DATA_DIR/admin.key, the bootstrap admin key.
  // `models_dir` empty: FACEPASS_MODELS_DIR.
  static std::unique_ptr<ServerProcess> Start(const std::filesystem::path& data_dir,
                                              std::vector<std::string> extra_args = {},
                                              int wait_seconds = 120,
                                              const std::filesystem::path& models_dir = {});
  ~ServerProcess();

  std::string base_url() const;
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  // The admin key from DATA_DIR/admin.key; "" when the file is absent (keys
  // made otherwise, or --auth off on a directory that never had auth on).
  const std::string& api_key() const { return api_key_; }

  // SIGTERM and wait; returns the exit status (or -1).
  int Stop();
  // Sends `sig` (SIGKILL by default) and reaps the process.
  void Kill(int sig = 9);

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::filesystem::path log_path_;
  std::string api_key_;
};

}  // namespace facepass::testing
