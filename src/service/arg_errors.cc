#include "service/arg_errors.h"

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

std::optional<DomainError> ArgErrors::Error() const {
  if (!missing_.empty()) return errors::MissingArgument(Join(missing_));
  if (!illegal_.empty()) return errors::IllegalArgument(Join(illegal_));
  return std::nullopt;
}

}  // namespace facepass::service
