// The worker loop of `facepass enrol`: N workers take files in order, skip
// those the results CSV has done, record each row as soon as it is known,
// and stop taking new files once asked to (Ctrl-C) while letting in-flight
// ones finish.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "enrol/results_csv.h"

namespace facepass::enrol {

struct Summary {
  int64_t total = 0;    // files found
  int64_t skipped = 0;  // done in an earlier run (per the CSV)
  int64_t enrolled = 0, refused = 0, failed = 0;
  std::map<std::string, int64_t> refused_by_reason;  // ReasonKey(reason)
  std::map<std::string, int64_t> failed_by_reason;
  double seconds = 0;
  bool interrupted = false;

  int64_t done() const { return skipped + enrolled + refused + failed; }
};

// The spec's message without the measured value, so refusals group:
// "BAD_QUALITY: blur=12.1<40" -> "BAD_QUALITY: blur".
std::string ReasonKey(const std::string& reason);

// Multi-line summary, e.g. "enrolled 30, refused 2, failed 0, skipped 0 in 12.3 s".
std::string FormatSummary(const Summary& s);

// One file: its row to record. `previous` is its row from an earlier run
// (never a done one), or null.
using EnrolFn = std::function<Row(const std::string& file, const Row* previous)>;
// Called after each recorded row, one call at a time.
using ProgressFn = std::function<void(const Summary& so_far, const Row& row)>;

// Status is not OK only when the CSV cannot be written (the run stops then).
Result<Summary> RunBulk(const std::vector<std::string>& files, int jobs, ResultsCsv& csv, const EnrolFn& enrol,
                        const std::atomic<bool>& stop, const ProgressFn& progress);

}  // namespace facepass::enrol
