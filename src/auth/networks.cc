#include "auth/networks.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace facepass::auth {

namespace {

// Parses an address into 16 bytes; v4 (also v4-mapped v6) fills the first 4.
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* out, bool* v6) {
  std::string s(text);
  out->fill(0);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    std::memcpy(out->data(), &a4, 4);
    *v6 = false;
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) != 1) return false;
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
    std::memcpy(out->data(), a6.s6_addr + 12, 4);
    *v6 = false;
    return true;
  }
  std::memcpy(out->data(), a6.s6_addr, 16);
  *v6 = true;
  return true;
}

bool PrefixEqual(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  const int whole = bits / 8, rest = bits % 8;
  if (std::memcmp(a.data(), b.data(), whole) != 0) return false;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
  text = Trim(text);
  Cidr c;
  const size_t slash = text.find('/');
  if (!ParseIp(text.substr(0, slash), &c.addr_, &c.v6_))
    return Status::InvalidArgument("not an IP address: '" + std::string(text) + "'");
  const int max = c.v6_ ? 128 : 32;
  c.prefix_ = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    int n = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || n < 0 || n > max)
      return Status::InvalidArgument("bad prefix length in '" + std::string(text) + "'");
    c.prefix_ = n;
  }
  std::array<uint8_t, 16> masked = c.addr_;
  for (int bit = c.prefix_; bit < max; ++bit) masked[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  if (masked != c.addr_) return Status::InvalidArgument("host bits set in '" + std::string(text) + "'");
  return c;
}

bool Cidr::Contains(std::string_view ip) const {
  std::array<uint8_t, 16> a;
  bool v6 = false;
  if (!ParseIp(Trim(ip), &a, &v6) || v6 != v6_) return false;
  return PrefixEqual(a, addr_, prefix_);
}

std::string Cidr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, addr_.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix_);
}

Result<NetworkList> NetworkList::Parse(std::string_view text) {
  NetworkList list;
  while (!Trim(text).empty()) {
    const size_t comma = text.find(',');
    FP_ASSIGN_OR_RETURN(auto c, Cidr::Parse(text.substr(0, comma)));
    list.cidrs_.push_back(c);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return list;
}

bool NetworkList::Contains(std::string_view ip) const {
  for (const Cidr& c : cidrs_)
    if (c.Contains(ip)) return true;
  return false;
}

std::string NetworkList::ToString() const {
  std::string s;
  for (const Cidr& c : cidrs_) s += (s.empty() ? "" : ",") + c.ToString();
  return s;
}

}  // namespace facepass::auth
