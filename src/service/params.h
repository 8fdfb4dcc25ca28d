// Parameter checking shared by the services: collects every missing and every
// malformed parameter so one answer can name them all, in request order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/api_error.h"
#include "http/request.h"
#include "spec/group_name.h"

namespace facepass::service {

// ^[A-Za-z0-9_]{4,16}$
using spec::IsValidGroupName;  // the spec rule lives in spec/group_name.h

// Strict "true/false/1/0" (any case).
std::optional<bool> ParseBool(std::string_view s);
// Strict decimal number: the whole string, finite.
std::optional<double> ParseNumber(std::string_view s);

class ParamCheck {
 public:
  void Missing(std::string name) { missing_.push_back(std::move(name)); }
  void Illegal(std::string name) { illegal_.push_back(std::move(name)); }
  bool ok() const { return missing_.empty() && illegal_.empty(); }
  // MISSING_ARGUMENT wins over ILLEGAL_ARGUMENT: a request lacking something
  // cannot be judged further.
  std::optional<ApiError> Error() const;

  // A required JSON string (absent or "" is missing; another type is illegal).
  std::optional<std::string> JsonString(const nlohmann::json& obj, const std::string& key,
                                        const std::string& name);
  // A required group_name in a JSON object, validated.
  std::optional<std::string> JsonGroupName(const nlohmann::json& obj, const std::string& key,
                                           const std::string& name);
  // A required text form field (absent or "" is missing).
  std::optional<std::string> FormString(const http::Request& req, const std::string& name);
  // A required file (multipart file part, or a text field as fallback); empty is missing.
  const std::string* FormFile(const http::Request& req, const std::string& name);

 private:
  std::vector<std::string> missing_;
  std::vector<std::string> illegal_;
};

}  // namespace facepass::service
