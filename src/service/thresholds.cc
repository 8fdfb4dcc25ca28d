#include "service/thresholds.h"

#include <spdlog/spdlog.h>

#include "domain/config_repository.h"

namespace facepass::service {

namespace {
double Resolve(const std::map<std::string, double>& m, const char* key, double fallback, double current) {
  auto it = m.find(key);
  if (it == m.end()) return current;
  return it->second < 0 ? fallback : it->second;
}
}  // namespace

Result<std::unique_ptr<Thresholds>> Thresholds::Load(domain::ConfigRepository& config, bool shared) {
  FP_ASSIGN_OR_RETURN(auto stored, config.LoadConfig());
  std::unique_ptr<Thresholds> t(new Thresholds(config, shared));
  {
    MutexLock lock(&t->mu_);
    t->ApplyLocked(stored);
  }
  return t;
}

Status Thresholds::CheckStore() const { return config_.LoadConfig().status(); }

ThresholdValues Thresholds::Get() const {
  if (shared_) {
    // Another node may have changed them; a failed read keeps the last values.
    auto stored = config_.LoadConfig();
    MutexLock lock(&mu_);
    if (stored.ok()) {
      values_ = ThresholdValues();
      ApplyLocked(*stored);
    } else {
      spdlog::warn("thresholds: using the last values read ({})", stored.status().ToString());
    }
    return values_;
  }
  MutexLock lock(&mu_);
  return values_;
}

Status Thresholds::Update(const std::map<std::string, double>& changes, const domain::AuditHook& audit) {
  if (changes.empty()) return Status::OK();
  MutexLock lock(&mu_);
  FP_RETURN_IF_ERROR(config_.SaveConfig(changes, domain::AuditRowOf(audit)));
  ApplyLocked(changes);
  return Status::OK();
}

void Thresholds::ApplyLocked(const std::map<std::string, double>& stored) const {
  values_.recognize = Resolve(stored, kRecognize, ThresholdValues::kDefaultRecognize, values_.recognize);
  values_.compare = Resolve(stored, kCompare, ThresholdValues::kDefaultCompare, values_.compare);
  values_.liveness = Resolve(stored, kLiveness, ThresholdValues::kDefaultLiveness, values_.liveness);
}

}  // namespace facepass::service
