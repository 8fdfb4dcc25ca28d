// The three server thresholds (recognise, compare, liveness), persisted in the
// database. -1 stored means "the default".
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "spec/pass_rule.h"

namespace facepass::store {
class Database;
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

  static Result<std::unique_ptr<Thresholds>> Load(store::Database* db);
  ThresholdValues Get() const;
  // `changes` maps key -> value in (0,100) or -1 (reset); persisted first,
  // applied only when stored.
  Status Update(const std::map<std::string, double>& changes);

 private:
  explicit Thresholds(store::Database* db) : db_(db) {}
  void ApplyLocked(const std::map<std::string, double>& stored);

  store::Database* db_;
  mutable std::mutex mu_;
  ThresholdValues values_;
};

}  // namespace facepass::service
