// Source-address ranges (--device-networks): IPv4 and IPv6 CIDR blocks. An
// IPv4-mapped IPv6 peer (::ffff:a.b.c.d, a dual-stack socket) is matched as
// the IPv4 address it carries.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace facepass::auth {

class Cidr {
 public:
  // "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). Host bits
  // set below the prefix are InvalidArgument: "10.1.2.3/8" is likely a typo.
  static Result<Cidr> Parse(std::string_view text);
  bool Contains(std::string_view ip) const;  // false for anything unparsable
  std::string ToString() const;

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> addr_{};
  int prefix_ = 0;
};

class NetworkList {
 public:
  NetworkList() = default;  // matches nothing
  // Comma-separated CIDRs, blanks allowed; "" is the empty list.
  static Result<NetworkList> Parse(std::string_view text);
  bool Contains(std::string_view ip) const;
  bool empty() const { return cidrs_.empty(); }
  std::string ToString() const;  // "a/n,b/m"

 private:
  std::vector<Cidr> cidrs_;
};

}  // namespace facepass::auth
