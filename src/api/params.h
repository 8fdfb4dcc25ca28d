// Reading a request's parameters into typed values: every missing and every
// malformed one is collected (service::ArgErrors) so one answer names them
// all, in request order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "http/request.h"
#include "service/arg_errors.h"

namespace facepass::store {
class TokenCipher;
}

namespace facepass::api {

// A JSON integer that fits int64_t; nullopt for another type, a fraction, or
// an integer past the range (nlohmann reads 2^63 and above as unsigned, and
// get<int64_t>() would wrap it to a negative number).
std::optional<int64_t> JsonInt64(const nlohmann::json& v);
// A query parameter that is a whole decimal int64 (no sign other than '-',
// nothing after the digits); nullopt otherwise.
std::optional<int64_t> DecimalInt64(const std::string& v);

class ParamCheck : public service::ArgErrors {
 public:
  // A required JSON string (absent or "" is missing; another type is illegal).
  std::optional<std::string> JsonString(const nlohmann::json& obj, const std::string& key, const std::string& name);
  // A required group_name in a JSON object, validated by the spec's rule.
  std::optional<std::string> JsonGroupName(const nlohmann::json& obj, const std::string& key,
                                           const std::string& name);
  // A required face_token in a JSON object, decoded to its face id.
  std::optional<int64_t> JsonFaceId(const store::TokenCipher& tokens, const nlohmann::json& obj,
                                    const std::string& key);
  // A required text form field (absent or "" is missing).
  std::optional<std::string> FormString(const http::Request& req, const std::string& name);
  // A required file (multipart file part, or a text field as fallback); empty is missing.
  const std::string* FormFile(const http::Request& req, const std::string& name);
};

}  // namespace facepass::api
