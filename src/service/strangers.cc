#include "service/strangers.h"

#include <cmath>

#include "domain/storage.h"

namespace facepass::service {

GroupOdds Strangers::At(double threshold, int64_t face_count) const {
  return {face_count, odds_.PassRate(threshold, face_count),
          odds_.ThresholdFor(StrangerOdds::kOneInThousand, face_count)};
}

GroupOdds Strangers::ForGroup(int64_t face_count) const { return At(thresholds_.Get().recognize, face_count); }

DomainResult<ThresholdPreview> Strangers::Preview(std::optional<double> threshold) {
  if (threshold && !(std::isfinite(*threshold) && *threshold > 0 && *threshold < 100))
    return errors::IllegalArgument("threshold");
  ThresholdPreview out;
  out.threshold = threshold.value_or(thresholds_.Get().recognize);
  out.genuine_refused = odds_.GenuineRefused(out.threshold);
  out.far_source = odds_.tables().far_source;
  out.genuine_source = odds_.tables().genuine_source;
  auto groups = catalog_.storage().groups().ListGroups();
  if (!groups.ok()) return Internal("stranger preview: groups", groups.status());
  for (const auto& g : *groups) {
    auto ids = catalog_.storage().groups().GroupFaceIds(g.id);
    if (!ids.ok()) return Internal("stranger preview: faces", ids.status());
    out.groups.push_back({g.name, At(out.threshold, int64_t(ids->size()))});
  }
  return out;
}

}  // namespace facepass::service
