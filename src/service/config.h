// The server thresholds (recognise, compare, liveness) and what the server runs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "domain/audited.h"
#include "service/domain_result.h"
#include "service/face_analyzer.h"
#include "service/thresholds.h"
#include "vision/model_details.h"

namespace facepass::service {

struct VersionInfo {
  std::string version;  // "vX.Y.Z"
  vision::ModelDetails models;
  std::string search_model;
  int feature_dim = 0;
};

class Config {
 public:
  Config(Thresholds& thresholds, const FaceAnalyzer& analyzer) : thresholds_(thresholds), analyzer_(analyzer) {}

  // `fields` as sent, in order. Keys other than the three thresholds, empty
  // values and repeats of a key are ignored; a value is a number in (0, 100),
  // or -1 for the default. Any other value: ILLEGAL_ARGUMENT naming every bad
  // key, and nothing changes. Returns the thresholds now in force. A change
  // commits its `audit` row with it; no change writes none.
  DomainResult<ThresholdValues> Update(const std::vector<std::pair<std::string, std::string>>& fields,
                                       const domain::AuditHook& audit = {});
  ThresholdValues Get() const { return thresholds_.Get(); }
  VersionInfo Version() const;
  // For a balancer's health check: the store answers (one small read).
  // STORE_UNAVAILABLE when the shared database does not.
  DomainResult<Done> Health() const;

 private:
  Thresholds& thresholds_;
  const FaceAnalyzer& analyzer_;
};

}  // namespace facepass::service
