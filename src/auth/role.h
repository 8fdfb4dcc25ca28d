// The four roles of the API, least privilege first in spirit: admin can do
// everything, operator runs the catalogue, device is what a gate calls,
// viewer reads without image bytes.
#pragma once

#include <optional>
#include <string_view>

namespace facepass::auth {

enum class Role { kAdmin = 0, kOperator = 1, kDevice = 2, kViewer = 3 };

// "admin", "operator", "device", "viewer".
const char* RoleName(Role r);
// Exact lower-case names only; nullopt otherwise.
std::optional<Role> ParseRole(std::string_view name);

}  // namespace facepass::auth
