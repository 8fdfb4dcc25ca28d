#include "service/params.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace facepass::service {

namespace {
std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}
}  // namespace

std::optional<bool> ParseBool(std::string_view s) {
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return std::nullopt;
}

std::optional<double> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  const char* begin = s.data();
  if (*begin == '+') ++begin;  // from_chars rejects a leading '+'
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<ApiError> ParamCheck::Error() const {
  if (!missing_.empty()) return api_error::MissingArgument(Join(missing_));
  if (!illegal_.empty()) return api_error::IllegalArgument(Join(illegal_));
  return std::nullopt;
}

std::optional<std::string> ParamCheck::JsonString(const nlohmann::json& obj, const std::string& key,
                                                  const std::string& name) {
  auto it = obj.is_object() ? obj.find(key) : obj.end();
  if (!obj.is_object() || it == obj.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    Missing(name);
    return std::nullopt;
  }
  if (!it->is_string()) {
    Illegal(name);
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::string> ParamCheck::JsonGroupName(const nlohmann::json& obj, const std::string& key,
                                                     const std::string& name) {
  auto v = JsonString(obj, key, name);
  if (v && !IsValidGroupName(*v)) {
    Illegal(name);
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> ParamCheck::FormString(const http::Request& req, const std::string& name) {
  const std::string* v = req.Form(name);
  if (v == nullptr) {
    // A client may send a small text value as a file part; accept it.
    if (const http::FilePart* f = req.File(name)) v = &f->data;
  }
  if (v == nullptr || v->empty()) {
    Missing(name);
    return std::nullopt;
  }
  return *v;
}

const std::string* ParamCheck::FormFile(const http::Request& req, const std::string& name) {
  const std::string* v = nullptr;
  if (const http::FilePart* f = req.File(name)) v = &f->data;
  if (v == nullptr) v = req.Form(name);
  if (v == nullptr || v->empty()) {
    Missing(name);
    return nullptr;
  }
  return v;
}

}  // namespace facepass::service
