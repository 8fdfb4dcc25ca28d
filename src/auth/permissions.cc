#include "auth/permissions.h"

#include <algorithm>

namespace facepass::auth {

namespace {
constexpr Role A = Role::kAdmin, O = Role::kOperator, D = Role::kDevice, V = Role::kViewer;
}  // namespace

// Read literally from the issue: operator enrols, deletes, manages groups and
// bindings, queries and downloads images, but does not recognise (that is a
// gate's job), touch config or keys; device recognises, compares, syncs and
// reads sync status and version; viewer queries, reads sync status and
// version, never image bytes. Config (read and write) is admin's. Metrics
// (issue 12): viewer and above; a gate has no business reading them.
const std::vector<EndpointPermission>& PermissionTable() {
  static const std::vector<EndpointPermission> kTable = {
      {"POST", "/api/face/v1/add", {A, O}},
      {"POST", "/api/face/v1/delete", {A, O}},
      {"POST", "/api/face/v1/query", {A, O, V}},
      {"POST", "/api/face/v1/update", {A, O}},      // issue 29: relabel, as enrol
      {"GET", "/api/face/v1/search", {A, O, V}},    // issue 29: who may query faces
      {"GET", "/api/image/v1/query", {A, O}},
      {"POST", "/api/group/v1/create", {A, O}},
      {"POST", "/api/group/v1/delete", {A, O}},
      {"POST", "/api/group/v1/query", {A, O, V}},
      {"GET", "/api/group/v1/list", {A, O, V}},
      {"POST", "/api/group/v1/bind", {A, O}},
      {"POST", "/api/group/v1/unbind", {A, O}},
      {"POST", "/api/service/recognize/v1", {A, D}},
      {"POST", "/api/service/compare/v1", {A, D}},
      {"GET", "/api/service/recognize/v1/history", {A, O, D}},  // issue 11: who reads images or recognises
      {"POST", "/api/service/sync/v1", {A, D}},
      {"GET", "/api/service/sync/v1/status", {A, D, V}},
      {"GET", "/api/service/sync/v1/notify", {A, D, V}},  // issue 14: who may read sync status
      {"POST", "/api/service/config/v1", {A}},
      {"GET", "/api/service/config/v1", {A}},
      {"GET", "/api/service/config/v1/strangers", {A}},
      {"GET", "/api/version/v1", {A, D, V}},
      {"POST", "/api/keys/v1/create", {A}},
      {"GET", "/api/keys/v1/list", {A}},
      {"POST", "/api/keys/v1/revoke", {A}},
      {"GET", "/api/audit/v1", {A}},
      {"GET", "/metrics", {A, O, V}},
      // Issue 27: a balancer's health check, without a key (it says only "ok" or 503).
      {"GET", "/api/health/v1", {A, O, D, V}, true},
      // Issue 11: the operator's console, static files only.
      {"GET", "/console", {A, O, D, V}, true},
  };
  return kTable;
}

bool IsPublic(std::string_view method, std::string_view path) {
  // The router matches exact paths only; refusing dot segments here as well
  // keeps "/console/../api/..." from ever counting as public.
  if (path.find("/.") != std::string_view::npos) return false;
  for (const EndpointPermission& p : PermissionTable()) {
    if (!p.public_prefix || p.method != method || path.substr(0, p.path.size()) != p.path) continue;
    if (path.size() == p.path.size() || path[p.path.size()] == '/') return true;
  }
  return false;
}

bool Allowed(Role role, std::string_view method, std::string_view path) {
  if (role == Role::kAdmin) return true;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (IsPublic(method, path)) return true;
  for (const EndpointPermission& p : PermissionTable()) {
    if (p.method == method && p.path == path)
      return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
  }
  return false;
}

}  // namespace facepass::auth
