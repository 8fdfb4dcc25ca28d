// Exact-path routing with one tolerated trailing slash, and the 404/405
// distinction (a 405 carries the path's allowed methods for `Allow`).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "http/server.h"

namespace facepass::http {

class Router {
 public:
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;  // set when kFound
    std::string allow;             // "GET, POST" when kMethodNotAllowed
  };

  explicit Router(std::vector<Route> routes);

  // kInvalidArgument for an empty method, a path not starting with '/', a
  // missing handler, or the same method and path registered twice.
  Status Validate() const;

  // `path` is the decoded path without the query string.
  Match Find(std::string_view method, std::string_view path) const;

  // "/a/b/" -> "/a/b"; "/" stays "/". Only one slash is removed.
  static std::string_view Normalize(std::string_view path);

 private:
  std::vector<Route> routes_;
  // Normalised path -> indexes into routes_, in registration order.
  std::unordered_map<std::string, std::vector<size_t>> by_path_;
};

}  // namespace facepass::http
