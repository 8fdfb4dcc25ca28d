#include "service/config.h"

#include <map>

#include "service/arg_errors.h"

namespace facepass::service {

namespace {
bool IsThresholdKey(const std::string& k) {
  return k == Thresholds::kRecognize || k == Thresholds::kCompare || k == Thresholds::kLiveness;
}
}  // namespace

DomainResult<ThresholdValues> Config::Update(const std::vector<std::pair<std::string, std::string>>& fields,
                                             const domain::AuditHook& audit) {
  ArgErrors check;
  std::map<std::string, double> changes;
  for (const auto& [key, value] : fields) {
    if (!IsThresholdKey(key) || value.empty() || changes.count(key)) continue;  // empty: leave as is
    auto v = ParseNumber(value);
    if (v && *v == -1) {
      changes[key] = -1;  // back to the default
    } else if (v && *v > 0 && *v < 100) {
      changes[key] = *v;
    } else {
      check.Illegal(key);
    }
  }
  if (auto e = check.Error()) return *e;  // one bad value: nothing changes
  Status s = thresholds_.Update(changes, audit);
  if (!s.ok()) return Internal("config update", s);
  return thresholds_.Get();
}

DomainResult<Done> Config::Health() const {
  Status s = thresholds_.CheckStore();
  if (!s.ok()) return Internal("health", s);
  return Done{};
}

VersionInfo Config::Version() const {
  return {FACEPASS_VERSION, analyzer_.Models(), analyzer_.search_model(), analyzer_.feature_dim()};
}

}  // namespace facepass::service
