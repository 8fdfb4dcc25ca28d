// What the domain services announce after a change is committed: each
// recognise result (one per track) and each face enrolled or deleted. A sink
// must return at once (queue, never deliver inline): recognise and enrol do
// not wait for it. The default sink drops everything.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "store/recognition_types.h"

namespace facepass::service {

struct FaceEvent {
  enum class Kind { kAdd, kDelete };
  Kind kind = Kind::kAdd;
  int64_t face_id = 0;
  int64_t image_id = 0;  // the enrol original
  int64_t time_ms = 0;
  std::optional<std::string> label;  // the face's (on delete: the one it had)
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // A history row as it was stored (id included).
  virtual void Recognized(const store::RecognitionRecord& /*result*/) {}
  virtual void FaceChanged(const FaceEvent& /*event*/) {}
};

// The sink that drops everything.
inline EventSink& NoEvents() {
  static EventSink none;
  return none;
}

// Forwards to a sink set later (the webhook sink is built after the App,
// from its token cipher); drops while none is set. Thread-safe.
class EventRelay : public EventSink {
 public:
  void Set(EventSink* target) { target_.store(target, std::memory_order_release); }
  void Recognized(const store::RecognitionRecord& r) override {
    if (EventSink* t = target_.load(std::memory_order_acquire)) t->Recognized(r);
  }
  void FaceChanged(const FaceEvent& e) override {
    if (EventSink* t = target_.load(std::memory_order_acquire)) t->FaceChanged(e);
  }

 private:
  std::atomic<EventSink*> target_{nullptr};
};

}  // namespace facepass::service
