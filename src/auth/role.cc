#include "auth/role.h"

namespace facepass::auth {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAdmin: return "admin";
    case Role::kOperator: return "operator";
    case Role::kDevice: return "device";
    case Role::kViewer: return "viewer";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kAdmin, Role::kOperator, Role::kDevice, Role::kViewer})
    if (name == RoleName(r)) return r;
  return std::nullopt;
}

}  // namespace facepass::auth
