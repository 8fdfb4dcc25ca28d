// The index's gauges: bindings held and the bytes they take, summed over the
// groups of every FaceIndex in the process. Groups keep them by adding the
// change of each write, so a scrape reads two atomics and locks nothing.
#pragma once

#include "metrics/registry.h"

namespace facepass::index {

struct IndexGauges {
  IndexGauges() = default;  // records nothing
  explicit IndexGauges(metrics::Registry* registry);  // nullptr: records nothing

  metrics::Gauge* bindings = nullptr;
  metrics::Gauge* memory_bytes = nullptr;
};

}  // namespace facepass::index
