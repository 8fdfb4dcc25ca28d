// The capture-retention purge: recognise captures older than the retention
// period go (row first, then file); enrol originals and the captures a face
// was enrolled from stay. Run() once, or Start() a background thread that runs
// it now and then every interval until Stop() or destruction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <thread>

#include "common/status.h"
#include "common/thread_annotations.h"

namespace facepass::store {
class Database;
class FileStore;
}  // namespace facepass::store

namespace facepass::service {

class CapturePurge {
 public:
  // Registers facepass_captures_purged_total, so a scrape shows it from the start.
  CapturePurge(store::Database& db, store::FileStore& files, int retention_days);
  ~CapturePurge() { Stop(); }
  CapturePurge(const CapturePurge&) = delete;
  CapturePurge& operator=(const CapturePurge&) = delete;

  // Deletes the captures older than now_ms minus the retention period; how many went.
  Result<int> Run(int64_t now_ms) EXCLUDES(run_mu_);

  void Start(std::chrono::milliseconds interval) EXCLUDES(loop_mu_);
  void Stop() EXCLUDES(loop_mu_);

 private:
  void Loop(std::chrono::milliseconds interval) EXCLUDES(loop_mu_);

  store::Database& db_;      // thread-safe
  store::FileStore& files_;  // thread-safe
  const int retention_days_;
  Mutex run_mu_;  // one purge at a time (the loop, or a caller)
  Mutex loop_mu_;
  std::condition_variable_any wake_;
  bool stopping_ GUARDED_BY(loop_mu_) = false;
  std::thread thread_;  // touched by Start and Stop, which the owner calls from one thread
};

}  // namespace facepass::service
