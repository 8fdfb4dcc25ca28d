// Argument checking shared by the API layer and the domain services: collects
// every missing and every malformed argument so one answer names them all, in
// request order, and the strict value parsers the spec asks for.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error_code.h"

namespace facepass::service {

// Strict "true/false/1/0" (any case).
std::optional<bool> ParseBool(std::string_view s);
// Strict decimal number: the whole string, finite.
std::optional<double> ParseNumber(std::string_view s);

class ArgErrors {
 public:
  void Missing(std::string name) { missing_.push_back(std::move(name)); }
  void Illegal(std::string name) { illegal_.push_back(std::move(name)); }
  bool ok() const { return missing_.empty() && illegal_.empty(); }
  // MISSING_ARGUMENT wins over ILLEGAL_ARGUMENT: a request lacking something
  // cannot be judged further.
  std::optional<DomainError> Error() const;

 private:
  std::vector<std::string> missing_;
  std::vector<std::string> illegal_;
};

}  // namespace facepass::service
