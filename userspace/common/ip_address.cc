#include "common/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace ipsec {

IpAddress IpAddress::V4(std::span<const uint8_t, 4> b) {
  IpAddress a;
  a.family_ = AF_INET;
  std::memcpy(a.bytes_.data(), b.data(), 4);
  return a;
}

IpAddress IpAddress::V6(std::span<const uint8_t, 16> b) {
  IpAddress a;
  a.family_ = AF_INET6;
  std::memcpy(a.bytes_.data(), b.data(), 16);
  return a;
}

IpAddress IpAddress::Any(int family) {
  IpAddress a;
  a.family_ = family;
  return a;
}

std::optional<IpAddress> IpAddress::Parse(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes_.data()) == 1) {
    a.family_ = AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes_.data()) == 1) {
    a.family_ = AF_INET6;
    return a;
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::FromSockaddr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return V4(std::span<const uint8_t, 4>(reinterpret_cast<const uint8_t*>(&in->sin_addr), 4));
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    return V6(std::span<const uint8_t, 16>(reinterpret_cast<const uint8_t*>(&in6->sin6_addr), 16));
  }
  return std::nullopt;
}

bool IpAddress::IsAny() const {
  for (size_t i = 0; i < size(); i++)
    if (bytes_[i]) return false;
  return true;
}

std::string IpAddress::ToString() const {
  if (!is_set()) return "<unset>";
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(family_, bytes_.data(), buf, sizeof(buf));
  return buf;
}

socklen_t IpAddress::ToSockaddr(uint16_t port, sockaddr_storage* out) const {
  std::memset(out, 0, sizeof(*out));
  if (is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, bytes_.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::memcpy(&in6->sin6_addr, bytes_.data(), 16);
  return sizeof(sockaddr_in6);
}

IpPrefix::IpPrefix(IpAddress addr, uint8_t len) : addr_(addr), len_(len) {
  size_t bits = addr.size() * 8;
  if (len_ > bits) len_ = static_cast<uint8_t>(bits);
  std::array<uint8_t, 16> b{};
  std::memcpy(b.data(), addr.bytes().data(), addr.size());
  for (size_t i = 0; i < addr.size(); i++) {
    size_t first = i * 8;
    if (first >= len_) b[i] = 0;
    else if (len_ - first < 8) b[i] &= static_cast<uint8_t>(0xff << (8 - (len_ - first)));
  }
  addr_ = addr.is_v4() ? IpAddress::V4(std::span<const uint8_t, 4>(b.data(), 4))
                       : IpAddress::V6(std::span<const uint8_t, 16>(b.data(), 16));
}

std::optional<IpPrefix> IpPrefix::Parse(std::string_view s) {
  auto slash = s.find('/');
  auto addr = IpAddress::Parse(s.substr(0, slash));
  if (!addr) return std::nullopt;
  size_t bits = addr->size() * 8;
  size_t len = bits;
  if (slash != std::string_view::npos) {
    auto num = s.substr(slash + 1);
    if (num.empty() || num.size() > 3) return std::nullopt;
    len = 0;
    for (char c : num) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<size_t>(c - '0');
    }
    if (len > bits) return std::nullopt;
  }
  return IpPrefix(*addr, static_cast<uint8_t>(len));
}

bool IpPrefix::Contains(const IpAddress& a) const {
  if (a.family() != addr_.family()) return false;
  return IpPrefix(a, len_).addr_ == addr_;
}

IpAddress IpPrefix::Last() const {
  std::array<uint8_t, 16> b{};
  std::memcpy(b.data(), addr_.bytes().data(), addr_.size());
  for (size_t i = 0; i < addr_.size(); i++) {
    size_t first = i * 8;
    if (first >= len_) b[i] = 0xff;
    else if (len_ - first < 8) b[i] |= static_cast<uint8_t>(0xff >> (len_ - first));
  }
  return addr_.is_v4() ? IpAddress::V4(std::span<const uint8_t, 4>(b.data(), 4))
                       : IpAddress::V6(std::span<const uint8_t, 16>(b.data(), 16));
}

std::string IpPrefix::ToString() const { return addr_.ToString() + "/" + std::to_string(len_); }

}  // namespace ipsec
