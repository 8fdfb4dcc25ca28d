// One stage of an analysis on a thread of its own while the caller does another
// (EngineOptions::parallel_stages). Used by the fused embedder (second embedder) and
// the engine (liveness beside the embedding).
#pragma once

#include <future>
#include <system_error>
#include <type_traits>

namespace facepass::vision {

// Starts a copy of `fn` on its own thread when `enabled`. The future is invalid when
// not enabled or when no thread can be had; the caller then runs `fn` itself:
//   auto later = StartBeside(on, fn);  ...  auto r = later.valid() ? later.get() : fn();
// Whatever `fn` refers to must outlive the thread: get() or wait() before it goes.
template <typename Fn>
std::future<std::invoke_result_t<Fn&>> StartBeside(bool enabled, Fn& fn) {
  if (!enabled) return {};
  try {
    return std::async(std::launch::async, fn);
  } catch (const std::system_error&) {  // no thread to be had: one after the other
    return {};
  }
}

}  // namespace facepass::vision
