// The capture-retention purge: recognise captures older than the retention
// period go (row first, then file); enrol originals and the captures a face
// was enrolled from stay. Run() once, or Start() a background thread that runs
// it now and then every interval until Stop() or destruction
// (common/periodic_task.h).
#pragma once

#include <chrono>
#include <cstdint>

#include "common/periodic_task.h"
#include "common/status.h"

namespace facepass::domain {
class ImageRepository;
class TaskLocks;
}

namespace facepass::service {

class CapturePurge {
 public:
  // Registers facepass_captures_purged_total, so a scrape shows it from the start.
  // `locks`: the installation's, when nodes share the store (the background
  // pass then runs on one node at a time); nullptr runs every pass here.
  CapturePurge(domain::ImageRepository& images, int retention_days, domain::TaskLocks* locks = nullptr);
  CapturePurge(const CapturePurge&) = delete;
  CapturePurge& operator=(const CapturePurge&) = delete;

  // Deletes the captures older than now_ms minus the retention period; how many went.
  Result<int> Run(int64_t now_ms) { return task_.RunPass([&] { return Purge(now_ms); }); }

  void Start(std::chrono::milliseconds interval) { task_.Start(interval); }
  void Stop() { task_.Stop(); }

 private:
  Result<int> Purge(int64_t now_ms);  // one pass

  domain::ImageRepository& images_;  // thread-safe
  domain::TaskLocks* const locks_;
  const int retention_days_;
  PeriodicTask task_;  // last: its thread stops before the rest goes
};

}  // namespace facepass::service
