// IpAddress and IpPrefix: IPv4/IPv6 values with parsing and formatting.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ipsec {

class IpAddress {
 public:
  IpAddress() = default;  // family() == AF_UNSPEC
  static IpAddress V4(std::span<const uint8_t, 4> b);
  static IpAddress V6(std::span<const uint8_t, 16> b);
  static std::optional<IpAddress> Parse(std::string_view s);  // "10.0.0.1", "2001:db8::1"
  static std::optional<IpAddress> FromSockaddr(const sockaddr* sa);
  static IpAddress Any(int family);  // 0.0.0.0 or ::

  int family() const { return family_; }
  bool is_v4() const { return family_ == AF_INET; }
  bool is_v6() const { return family_ == AF_INET6; }
  bool is_set() const { return family_ != AF_UNSPEC; }
  size_t size() const { return family_ == AF_INET ? 4 : family_ == AF_INET6 ? 16 : 0; }
  std::span<const uint8_t> bytes() const { return {bytes_.data(), size()}; }
  bool IsAny() const;  // all zero
  std::string ToString() const;
  // sockaddr_in / sockaddr_in6 with the given port; returns the length.
  socklen_t ToSockaddr(uint16_t port, sockaddr_storage* out) const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  int family_ = AF_UNSPEC;
  std::array<uint8_t, 16> bytes_{};
};

class IpPrefix {
 public:
  IpPrefix() = default;
  IpPrefix(IpAddress addr, uint8_t len);  // host bits are cleared
  static std::optional<IpPrefix> Parse(std::string_view s);  // "10.0.0.0/24", "::/0", "10.1.1.1"
  static IpPrefix Host(const IpAddress& a) { return IpPrefix(a, a.is_v4() ? 32 : 128); }
  static IpPrefix All(int family) { return IpPrefix(IpAddress::Any(family), 0); }

  const IpAddress& address() const { return addr_; }
  uint8_t length() const { return len_; }
  int family() const { return addr_.family(); }
  bool Contains(const IpAddress& a) const;
  bool Contains(const IpPrefix& p) const { return p.len_ >= len_ && Contains(p.addr_); }
  IpAddress Last() const;  // highest address in the prefix (for IKE TS ranges)
  std::string ToString() const;

  auto operator<=>(const IpPrefix&) const = default;

 private:
  IpAddress addr_;
  uint8_t len_ = 0;
};

}  // namespace ipsec
