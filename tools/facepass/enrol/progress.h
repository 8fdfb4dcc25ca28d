// What `facepass enrol` shows while it runs: a bar redrawn in place on a
// terminal, one plain line per file otherwise (logs, CI, pipes).
#pragma once

#include <string>

#include "enrol/bulk_run.h"

namespace facepass::enrol {

// "[########------------] 12/32  3.1/s  ETA 0:06  refused 2  failed 0"
// (no newline). Rate and ETA count this run's files only.
std::string ProgressBar(const Summary& s, int bar_width = 24);

// "12/32 refused /photos/a.jpg: FACE_NOT_FOUND" (no newline).
std::string ProgressLine(const Summary& s, const Row& row);

}  // namespace facepass::enrol
