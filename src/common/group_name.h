// The spec's group-name rule, in one place for the server (service/params) and the device
// SDK (client/device_store): 4 to 16 characters of ASCII letters, digits and '_'.
#pragma once

#include <string_view>

namespace facepass {

inline bool IsValidGroupName(std::string_view name) {
  if (name.size() < 4 || name.size() > 16) return false;
  for (char c : name) {
    // ASCII by value: std::isalnum would follow the process locale.
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace facepass
