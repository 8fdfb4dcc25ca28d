// Which roles may call which endpoint (issue 10). Keyed by method and path so
// that reading and writing one path can differ; an endpoint missing from the
// table is admin-only, so a new route is closed until someone opens it here.
#pragma once

#include <string_view>
#include <vector>

#include "auth/role.h"

namespace facepass::auth {

struct EndpointPermission {
  std::string_view method;
  std::string_view path;   // exact, no trailing slash
  std::vector<Role> roles;
  // Issue 11: this path and everything under it answer without a key (the
  // console's static files; the API calls they make carry one).
  bool public_prefix = false;
};

// Every endpoint of docs/api.md plus /api/keys/v1/*, /api/audit/v1 and /metrics.
const std::vector<EndpointPermission>& PermissionTable();

// True for a GET of a public_prefix row's path or a path under it: the
// authorizer lets it through without looking for a key.
bool IsPublic(std::string_view method, std::string_view path);

// `path` may carry one trailing slash (the router tolerates it too).
bool Allowed(Role role, std::string_view method, std::string_view path);

}  // namespace facepass::auth
