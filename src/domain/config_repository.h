// Stored settings (the thresholds), key -> finite number.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "domain/audited.h"

namespace facepass::domain {

class ConfigRepository {
 public:
  virtual ~ConfigRepository() = default;

  virtual Result<std::map<std::string, double>> LoadConfig() = 0;
  // Upserts the given keys in one transaction (all or nothing); other keys
  // stay. InvalidArgument for an empty key or a value that is not finite.
  virtual Status SaveConfig(const std::map<std::string, double>& values, const AuditRow& audit = std::nullopt) = 0;
};

}  // namespace facepass::domain
