#include "spec/group_name.h"

namespace facepass::spec {

bool IsValidGroupName(std::string_view name) {
  if (name.size() < 4 || name.size() > 16) return false;
  for (char c : name) {
    // ASCII by value: std::isalnum would follow the process locale.
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace facepass::spec
