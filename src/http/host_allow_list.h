// An optional allow-list of Host names (issue 13, finding 7): with --auth off
// a DNS-rebinding page in an operator's browser would otherwise reach the API
// under its own name. Empty list: every Host is accepted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace facepass::http {

class HostAllowList {
 public:
  HostAllowList() = default;
  // Names as an operator writes them ("gate.example.com", "10.0.0.5", "[::1]",
  // "localhost"); a port is ignored. InvalidArgument for an empty or malformed name.
  static Result<HostAllowList> Parse(const std::vector<std::string>& names);

  bool empty() const { return names_.empty(); }
  // The request's Host header value ("name", "name:port", "[v6]:port").
  // A request without a Host (HTTP/1.0) is refused when the list is set.
  bool Allows(std::string_view host_header) const;

  // The name of a Host value without its port, lower-case; "" when malformed.
  static std::string NameOf(std::string_view host);

 private:
  std::vector<std::string> names_;  // NameOf each, no duplicates
};

}  // namespace facepass::http
