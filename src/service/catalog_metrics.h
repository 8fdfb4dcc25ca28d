// The catalogue's gauges: live faces and live groups of every Catalog in the
// process. Each Catalog adds its counts when it opens, the change of each
// write, and takes them back when it closes, so a scrape reads two atomics
// and queries nothing.
#pragma once

#include "metrics/registry.h"

namespace facepass::service {

struct CatalogGauges {
  CatalogGauges() = default;                            // records nothing
  explicit CatalogGauges(metrics::Registry* registry);  // nullptr: records nothing

  metrics::Gauge* faces = nullptr;
  metrics::Gauge* groups = nullptr;
};

}  // namespace facepass::service
