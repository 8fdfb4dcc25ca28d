#include "service/catalog_metrics.h"

namespace facepass::service {

CatalogGauges::CatalogGauges(metrics::Registry* registry) {
  if (registry == nullptr) return;
  faces = &registry->AddGauge("facepass_faces", "Live (not deleted) faces in the catalogue.").With({});
  groups = &registry->AddGauge("facepass_groups", "Live (not deleted) groups in the catalogue.").With({});
}

}  // namespace facepass::service
