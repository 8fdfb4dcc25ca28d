#include "http/signals.h"

#include <pthread.h>

#include <cerrno>

#include <spdlog/spdlog.h>

#include "http/server.h"

namespace facepass::http {

namespace {

sigset_t TerminationSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

ScopedTerminationSignalBlock::ScopedTerminationSignalBlock() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, &old_);
}

ScopedTerminationSignalBlock::~ScopedTerminationSignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

void BlockTerminationSignals() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void WaitForTerminationSignal() {
  sigset_t set = TerminationSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  while (true) {
    int rc = sigwait(&set, &sig);
    if (rc == 0) break;
    if (rc != EINTR) {
      spdlog::error("sigwait failed: {}", rc);
      return;
    }
  }
  spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
}

}  // namespace facepass::http
