#include "http/host_allow_list.h"

#include <algorithm>
#include <cctype>

namespace facepass::http {

std::string HostAllowList::NameOf(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {  // [v6] or [v6]:port
    size_t close = name.find(']');
    if (close == std::string_view::npos) return "";
    std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return "";
    name = name.substr(0, close + 1);
  } else if (size_t colon = name.find(':'); colon != std::string_view::npos) {
    if (name.find(':', colon + 1) != std::string_view::npos) return "";  // bare v6 is not a Host
    name = name.substr(0, colon);
  }
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // "example.com." is the same name
  if (name.empty()) return "";
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' || c == ':')) return "";
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

Result<HostAllowList> HostAllowList::Parse(const std::vector<std::string>& names) {
  HostAllowList list;
  for (const std::string& n : names) {
    std::string name = NameOf(n);
    if (name.empty()) return Status::InvalidArgument("--allowed-hosts: not a host name: '" + n + "'");
    if (std::find(list.names_.begin(), list.names_.end(), name) == list.names_.end()) {
      list.names_.push_back(std::move(name));
    }
  }
  return list;
}

bool HostAllowList::Allows(std::string_view host_header) const {
  if (names_.empty()) return true;
  const std::string name = NameOf(host_header);
  if (name.empty()) return false;
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

}  // namespace facepass::http
