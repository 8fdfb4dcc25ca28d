// What the stranger rule (stranger_odds.h) says about the groups as they are
// (issue 30): group/query's figures at the recognise threshold in force, and
// the console's preview of a threshold before the operator sets it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/catalog.h"
#include "service/domain_result.h"
#include "service/stranger_odds.h"
#include "service/thresholds.h"

namespace facepass::service {

struct GroupOdds {
  int64_t face_count = 0;
  Odds stranger_pass_rate;       // at the threshold asked for
  Odds threshold_for_1_in_1000;  // independent of the threshold
};

struct NamedGroupOdds {
  std::string group_name;
  GroupOdds odds;
};

struct ThresholdPreview {
  double threshold = 0;
  Odds genuine_refused;  // the share of genuine captures refused at `threshold` (lfw-dev)
  std::string far_source, genuine_source;
  std::vector<NamedGroupOdds> groups;  // every live group, by name
};

class Strangers {
 public:
  Strangers(Catalog& catalog, const Thresholds& thresholds, StrangerOdds odds)
      : catalog_(catalog), thresholds_(thresholds), odds_(std::move(odds)) {}

  // At the recognise threshold in force.
  GroupOdds ForGroup(int64_t face_count) const;
  // ILLEGAL_ARGUMENT: threshold when not in (0, 100); nullopt: the one in force.
  DomainResult<ThresholdPreview> Preview(std::optional<double> threshold);

 private:
  GroupOdds At(double threshold, int64_t face_count) const;

  Catalog& catalog_;
  const Thresholds& thresholds_;
  const StrangerOdds odds_;
};

}  // namespace facepass::service
