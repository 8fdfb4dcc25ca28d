#include "http/router.h"

#include <set>
#include <utility>

namespace facepass::http {

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (size_t i = 0; i < routes_.size(); ++i) {
    by_path_[std::string(Normalize(routes_[i].path))].push_back(i);
  }
}

Status Router::Validate() const {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& r : routes_) {
    if (r.method.empty()) return Status::InvalidArgument("route without method: " + r.path);
    if (r.path.empty() || r.path[0] != '/') {
      return Status::InvalidArgument("route path must start with '/': " + r.path);
    }
    if (!r.handler) return Status::InvalidArgument("route without handler: " + r.method + " " + r.path);
    if (!seen.emplace(r.method, std::string(Normalize(r.path))).second) {
      return Status::InvalidArgument("route registered twice: " + r.method + " " + r.path);
    }
  }
  return Status::OK();
}

std::string_view Router::Normalize(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  auto it = by_path_.find(std::string(Normalize(path)));
  if (it == by_path_.end()) return m;
  for (size_t i : it->second) {
    if (routes_[i].method == method) {
      m.outcome = Outcome::kFound;
      m.route = &routes_[i];
      return m;
    }
  }
  m.outcome = Outcome::kMethodNotAllowed;
  for (size_t i : it->second) {
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += routes_[i].method;
  }
  return m;
}

}  // namespace facepass::http
