// Internal to the server (RESTinio inside): the held event streams
// (http/event_stream.h). Bounded by their own cap, apart from the request
// workers: a held stream costs a socket and a few hundred bytes, no thread.
// One thread writes the heartbeats and ends streams whose peer is gone.
//
// Locking: each stream's mutex guards its RESTinio response builder and is
// the innermost lock (nothing is locked under it). mu_ guards the registry;
// no stream is written and no opener or unsubscribe runs under it.
// Lifetime: streams call back into their HeldStreams from I/O threads, so it
// must outlive the I/O threads; CloseAll() drops every stream it holds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <restinio/all.hpp>

#include "common/thread_annotations.h"
#include "http/event_stream.h"

namespace facepass::http {

class HeldStreams {
 public:
  struct Options {
    size_t cap = 600;                                // streams held at once
    std::chrono::milliseconds heartbeat{15000};      // comment line on every stream
    size_t max_unacked_writes = 256;                 // a peer that reads nothing is dropped
  };
  explicit HeldStreams(Options opts);
  ~HeldStreams();  // CloseAll()
  HeldStreams(const HeldStreams&) = delete;
  HeldStreams& operator=(const HeldStreams&) = delete;

  void Start();  // the heartbeat thread

  // Answers `req` 200 text/event-stream (with `headers`), holds it and runs
  // `opener` (on the calling thread). false, with nothing sent, at the cap or
  // once stopping: the caller answers 503.
  bool Open(const restinio::request_handle_t& req, const StreamOpener& opener,
            const std::vector<std::pair<std::string, std::string>>& headers) EXCLUDES(mu_);

  // Ends every stream (final chunk, then the connection closes), runs their
  // unsubscribes, refuses new ones, stops the thread. Idempotent.
  void CloseAll() EXCLUDES(mu_);

  size_t open() const EXCLUDES(mu_);

  class Stream;  // held_streams.cc

 private:
  struct Entry {
    std::shared_ptr<Stream> stream;
    std::function<void()> unsubscribe;
    bool opened = false;  // the opener has returned (unsubscribe is set)
  };
  void Run() EXCLUDES(mu_);
  void Wake() EXCLUDES(mu_);

  const Options opts_;
  mutable Mutex mu_;
  std::condition_variable_any cv_;
  std::map<uint64_t, Entry> entries_ GUARDED_BY(mu_);
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool woken_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace facepass::http
