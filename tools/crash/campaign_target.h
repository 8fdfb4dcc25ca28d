// What the crash campaign kills: one server on an SQLite data directory, or
// several nodes on one PostgreSQL database behind HAProxy round robin
// (docs/reliability.md). The campaign's rounds are the same for both.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"

namespace facepass::crash {

class Target {
 public:
  virtual ~Target() = default;  // kills whatever still runs

  // "1 node, SQLite" or "2 nodes, PostgreSQL, HAProxy round robin".
  virtual std::string Mode() const = 0;
  // Starts every process that is down; returns once clients can be served.
  virtual Status Up() = 0;
  // Where the clients send their requests.
  virtual std::string url() const = 0;
  // SIGKILLs one running server (a node picked by `rng`) and names it.
  virtual std::string KillOne(std::mt19937& rng) = 0;
  // `facepass check` after a kill or at the end: OK, or what it said.
  virtual Status Check() = 0;
  // SIGTERM everything: each server that did not exit 0, described.
  virtual std::vector<std::string> Stop() = 0;
  // Self-test: damage every stored original; the run must then report losses.
  virtual Status Sabotage() = 0;
  // After a clean run: remove what lives outside the work directory.
  virtual void Discard() {}
};

// `serve --auth off` on WORK/data, as the campaign always ran.
std::unique_ptr<Target> SingleServer(std::string bin, std::filesystem::path work, std::string models);

// `nodes` servers (`serve --auth off`, each its own WORK/nodeI) on a fresh
// schema of `database`, HAProxy in front. The URI reaches the nodes and
// `facepass check` in FACEPASS_DATABASE, so a password never shows in ps.
Result<std::unique_ptr<Target>> Cluster(std::string bin, std::filesystem::path work, std::string models,
                                        const std::string& database, int nodes);

// For the targets and the campaign: a file's bytes ("" when unreadable), and
// `BIN check ARGS` with its output in `log` (Corruption with the log when it fails).
std::string ReadFile(const std::filesystem::path& p);
Status RunCheck(const std::string& bin, const std::string& args, const std::filesystem::path& log);

}  // namespace facepass::crash
