#include "enrol/progress.h"

#include <cstdio>

namespace facepass::enrol {

std::string ProgressBar(const Summary& s, int bar_width) {
  const int64_t done = s.done();
  const int filled = s.total > 0 ? static_cast<int>(bar_width * done / s.total) : bar_width;
  std::string bar = "[" + std::string(filled, '#') + std::string(bar_width - filled, '-') + "]";
  const int64_t ran = s.enrolled + s.refused + s.failed;
  const double rate = s.seconds > 0 ? static_cast<double>(ran) / s.seconds : 0;
  char eta[32] = "--:--";
  if (rate > 0) {
    const auto left = static_cast<long long>(static_cast<double>(s.total - done) / rate + 0.5);
    std::snprintf(eta, sizeof eta, "%lld:%02lld", left / 60, left % 60);
  }
  char tail[160];
  std::snprintf(tail, sizeof tail, " %lld/%lld  %.1f/s  ETA %s  refused %lld  failed %lld",
                static_cast<long long>(done), static_cast<long long>(s.total), rate, eta,
                static_cast<long long>(s.refused), static_cast<long long>(s.failed));
  return bar + tail;
}

std::string ProgressLine(const Summary& s, const Row& row) {
  std::string line = std::to_string(s.done()) + "/" + std::to_string(s.total) + " " + row.outcome + " " + row.file;
  if (!row.reason.empty()) line += ": " + row.reason;
  return line;
}

}  // namespace facepass::enrol
