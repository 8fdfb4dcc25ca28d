#include "index/index_metrics.h"

namespace facepass::index {

IndexGauges::IndexGauges(metrics::Registry* registry) {
  if (registry == nullptr) return;
  bindings = &registry->AddGauge("facepass_index_bindings", "Face-group bindings held by the 1:N index.").With({});
  memory_bytes = &registry->AddGauge("facepass_index_memory_bytes",
                                     "Bytes of the 1:N index's matrices, id arrays and slot maps.")
                      .With({});
}

}  // namespace facepass::index
