#include "enrol_command.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "enrol/bulk_run.h"
#include "enrol/enroller.h"
#include "enrol/image_files.h"
#include "enrol/label_source.h"
#include "enrol/progress.h"
#include "enrol/results_csv.h"

namespace facepass::cli {

namespace {

struct EnrolFlags {
  std::string server, key, ca_file, group, csv = "facepass-enrol.csv", label_from;
  bool bind = false;
  int jobs = 2;
  std::vector<std::string> paths;
};

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

// First Ctrl-C (or SIGTERM): stop taking files, finish the in-flight ones. A
// second one kills (the default action is back).
void OnStopSignal(int sig) {
  g_signal.store(sig);
  g_stop.store(true);
  std::signal(sig, SIG_DFL);
}

// main() blocks SIGINT/SIGTERM for the server's sigwait(); enrol takes them
// back (before its threads start, which inherit the mask) and restores both.
class StopSignals {
 public:
  StopSignals() {
    struct sigaction sa = {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
  }
  ~StopSignals() {
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
  sigset_t old_mask_;
};

int Run(const EnrolFlags& f) {
  auto files = enrol::CollectImages(f.paths);
  if (!files.ok()) {
    std::fprintf(stderr, "enrol: %s\n", files.status().ToString().c_str());
    return 2;
  }
  enrol::LabelSource labels;
  if (!f.label_from.empty()) {
    auto parsed = enrol::LabelSource::Parse(f.label_from);
    if (!parsed.ok()) {
      std::fprintf(stderr, "enrol: %s\n", parsed.status().ToString().c_str());
      return 2;
    }
    labels = *std::move(parsed);
  }
  auto csv = enrol::ResultsCsv::Open(f.csv);
  if (!csv.ok()) {
    std::fprintf(stderr, "enrol: %s\n", csv.status().ToString().c_str());
    return 1;
  }
  enrol::EnrolTarget target;
  target.server = f.server;
  target.group = f.group;
  target.bind = f.bind;
  target.http.api_key = f.key;
  target.http.ca_file = f.ca_file;
  enrol::Enroller enroller(target, &g_stop);
  if (Status s = enroller.EnsureGroup(); !s.ok()) {
    std::fprintf(stderr, "enrol: %s\n", s.ToString().c_str());
    return 1;
  }

  const bool tty = isatty(STDOUT_FILENO) == 1;
  size_t done_before = 0;
  for (const auto& [file, row] : (*csv)->previous()) done_before += row.done() ? 1 : 0;
  std::printf("enrol: %zu files, %zu done before per %s, %d uploads at a time%s\n", files->size(), done_before,
              f.csv.c_str(), f.jobs, f.bind ? (", binding into " + f.group).c_str() : "");
  std::fflush(stdout);
  auto progress = [tty](const enrol::Summary& s, const enrol::Row& row) {
    if (!tty) {
      std::printf("%s\n", enrol::ProgressLine(s, row).c_str());
    } else {
      if (row.outcome == "failed") std::printf("\r\033[K%s\n", enrol::ProgressLine(s, row).c_str());
      std::printf("\r\033[K%s", enrol::ProgressBar(s).c_str());
    }
    std::fflush(stdout);
  };
  // A refused key fails every file alike: stop at the first instead.
  std::atomic<bool> key_refused{false};
  auto enrol_fn = [&enroller, &key_refused, &labels](const std::string& file, const enrol::Row* prev) {
    enrol::Row row = enroller.EnrolFile(file, prev, labels.LabelFor(file));
    if (row.reason.rfind("HTTP 401", 0) == 0 || row.reason.rfind("HTTP 403", 0) == 0) {
      key_refused = true;
      g_stop = true;
    }
    return row;
  };
  Result<enrol::Summary> summary = Status::Internal("not run");
  {
    StopSignals signals;
    summary = enrol::RunBulk(*files, f.jobs, **csv, enrol_fn, g_stop, progress);
  }
  if (tty) std::printf("\n");
  if (!summary.ok()) {
    std::fprintf(stderr, "enrol: %s\n", summary.status().ToString().c_str());
    return 1;
  }
  std::printf("%sresults in %s\n", enrol::FormatSummary(*summary).c_str(), f.csv.c_str());
  std::fflush(stdout);
  if (key_refused) {
    std::fprintf(stderr,
                 "enrol: the server refused the API key; pass --key (an admin or operator key; a new server writes "
                 "DATA_DIR/admin.key)\n");
    return 1;
  }
  if (g_stop.load()) return 128 + g_signal.load();  // 130 after Ctrl-C
  return summary->failed > 0 ? 1 : 0;
}

}  // namespace

void AddEnrolCommand(CLI::App& app, int& exit_code) {
  auto f = std::make_shared<EnrolFlags>();
  auto* cmd = app.add_subcommand(
      "enrol",
      "Enrol every JPEG/PNG under the given files and folders through a running server, N at a time, "
      "with a resumable results CSV (file,face_token,image_id,outcome,reason,label)");
  cmd->add_option("--server", f->server, "Server base URL, e.g. http://127.0.0.1:8080")->required();
  cmd->add_option("--key", f->key, "API key (Authorization: Bearer)")->envname("FACEPASS_API_KEY");
  cmd->add_option("--ca-file", f->ca_file, "PEM CA file to trust for https://");
  cmd->add_option("--group", f->group, "Group the faces are for")->required();
  cmd->add_flag("--bind", f->bind, "Bind each enrolled face into the group, creating the group if missing");
  cmd->add_option("--label-from", f->label_from,
                  "Label each face: filename (the name without extension), folder (the parent folder's name, "
                  "people/Alice Smith/1.jpg) or csv:FILE (rows of file,label)");
  cmd->add_option("--jobs", f->jobs, "Uploads in parallel")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->add_option("--csv", f->csv, "Results CSV: appended as it goes; files it has as enrolled or refused are skipped")
      ->capture_default_str();
  cmd->add_option("paths", f->paths, "Image files and folders (recursive)")->required();
  cmd->callback([f, &exit_code] { exit_code = Run(*f); });
}

}  // namespace facepass::cli
