#include "http/request.h"

#include <strings.h>

namespace facepass::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

const std::string* FindPair(const std::vector<std::pair<std::string, std::string>>& v,
                            std::string_view name) {
  for (const auto& [k, val] : v) {
    if (k == name) return &val;
  }
  return nullptr;
}

}  // namespace

const std::string* Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

const std::string* Request::Query(std::string_view name) const { return FindPair(query, name); }

const std::string* Request::Form(std::string_view name) const { return FindPair(form, name); }

const FilePart* Request::File(std::string_view field_name) const {
  for (const auto& f : files) {
    if (f.field_name == field_name) return &f;
  }
  return nullptr;
}

}  // namespace facepass::http
