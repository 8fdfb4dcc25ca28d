#include "enrol/bulk_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace facepass::enrol {

std::string ReasonKey(const std::string& reason) {
  if (reason.rfind("BAD_QUALITY: ", 0) != 0) return reason;
  const size_t cut = reason.find_first_of("=<>", 13);
  return cut == std::string::npos ? reason : reason.substr(0, cut);
}

std::string FormatSummary(const Summary& s) {
  char head[256];
  std::snprintf(head, sizeof head, "%s: enrolled %lld, refused %lld, failed %lld, skipped %lld (done before) of %lld in %.1f s",
                s.interrupted ? "interrupted" : "done", static_cast<long long>(s.enrolled),
                static_cast<long long>(s.refused), static_cast<long long>(s.failed),
                static_cast<long long>(s.skipped), static_cast<long long>(s.total), s.seconds);
  std::string out = head;
  out += "\n";
  auto list = [&out](const char* what, const std::map<std::string, int64_t>& by) {
    for (const auto& [reason, n] : by) {
      out += "  " + std::string(what) + " " + std::to_string(n) + "  " + reason + "\n";
    }
  };
  list("refused", s.refused_by_reason);
  list("failed ", s.failed_by_reason);
  return out;
}

Result<Summary> RunBulk(const std::vector<std::string>& files, int jobs, ResultsCsv& csv, const EnrolFn& enrol,
                        const std::atomic<bool>& stop, const ProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  Summary summary;
  summary.total = static_cast<int64_t>(files.size());
  std::vector<const std::string*> todo;
  for (const std::string& f : files) {
    auto it = csv.previous().find(f);
    if (it != csv.previous().end() && it->second.done()) {
      ++summary.skipped;
    } else {
      todo.push_back(&f);
    }
  }

  std::atomic<size_t> next{0};
  std::atomic<bool> broken{false};
  Status write_error;
  std::mutex mu;  // summary, progress, write_error
  auto worker = [&] {
    while (!stop.load() && !broken.load()) {
      const size_t i = next.fetch_add(1);
      if (i >= todo.size()) return;
      const std::string& file = *todo[i];
      auto prev = csv.previous().find(file);
      const Row row = enrol(file, prev == csv.previous().end() ? nullptr : &prev->second);
      Status w = csv.Append(row);
      std::lock_guard<std::mutex> lock(mu);
      if (!w.ok()) {
        write_error = w;
        broken = true;
        return;
      }
      if (row.outcome == "enrolled") {
        ++summary.enrolled;
      } else if (row.outcome == "refused") {
        ++summary.refused;
        ++summary.refused_by_reason[ReasonKey(row.reason)];
      } else {
        ++summary.failed;
        ++summary.failed_by_reason[row.reason];
      }
      summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (progress) progress(summary, row);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, jobs); ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (broken) return write_error;
  summary.interrupted = next.load() < todo.size() && stop.load();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace facepass::enrol
