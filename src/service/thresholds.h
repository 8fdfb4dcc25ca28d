// The three server thresholds (recognise, compare, liveness), persisted in the
// database. -1 stored means "the default". When several nodes share the store,
// Get reads them through (one small read), so a change made on any node is
// used by all from the next request on.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/thread_annotations.h"
#include "domain/audited.h"
#include "spec/pass_rule.h"

namespace facepass::domain {
class ConfigRepository;
}

namespace facepass::service {

struct ThresholdValues {
  static constexpr double kDefaultRecognize = 78;
  static constexpr double kDefaultCompare = 70;
  static constexpr double kDefaultLiveness = spec::kDefaultLivenessThreshold;
  double recognize = kDefaultRecognize;
  double compare = kDefaultCompare;
  double liveness = kDefaultLiveness;
};

class Thresholds {
 public:
  static constexpr const char* kRecognize = "recognize_threshold";
  static constexpr const char* kCompare = "compare_threshold";
  static constexpr const char* kLiveness = "liveness_threshold";

  static Result<std::unique_ptr<Thresholds>> Load(domain::ConfigRepository& config, bool shared = false);
  ThresholdValues Get() const EXCLUDES(mu_);
  // The store holding them answers (the health endpoint's probe).
  Status CheckStore() const;
  // `changes` maps key -> value in (0,100) or -1 (reset); persisted first,
  // applied only when stored, with the `audit` row (domain/audited.h).
  Status Update(const std::map<std::string, double>& changes, const domain::AuditHook& audit = {}) EXCLUDES(mu_);

 private:
  Thresholds(domain::ConfigRepository& config, bool shared) : config_(config), shared_(shared) {}
  void ApplyLocked(const std::map<std::string, double>& stored) const REQUIRES(mu_);

  domain::ConfigRepository& config_;  // thread-safe
  const bool shared_;
  mutable Mutex mu_;  // one update at a time, stored before applied
  mutable ThresholdValues values_ GUARDED_BY(mu_);  // mutable: a shared Get refreshes them
};

}  // namespace facepass::service
