#include "vision/decode_gate.h"

namespace facepass::vision {

DecodeGate::Pass::~Pass() {
  if (gate_ != nullptr) gate_->Leave();
}

DecodeGate::Pass DecodeGate::Enter(int64_t area) {
  if (area <= min_area_) return Pass(nullptr);
  MutexLock lock(&mu_);
  // condition_variable_any unlocks and relocks mu_ itself; the analysis cannot
  // follow that, so the wait loop reads in_use_ with the lock held as it says.
  while (in_use_ >= slots_) cv_.wait(mu_);
  ++in_use_;
  return Pass(this);
}

void DecodeGate::Leave() {
  {
    MutexLock lock(&mu_);
    --in_use_;
  }
  cv_.notify_one();
}

int DecodeGate::in_use() const {
  MutexLock lock(&mu_);
  return in_use_;
}

}  // namespace facepass::vision
