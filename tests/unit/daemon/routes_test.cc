// The rtnetlink route request bytes and the choice of a source address.
#include "daemon/routes.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cstring>
#include <map>

namespace ipsec::daemon {
namespace {

// rtattr type -> payload, for the checks.
template <typename Hdr>
std::map<int, std::vector<uint8_t>> Attrs(const std::vector<uint8_t>& buf, Hdr* rt_out,
                                          nlmsghdr* h_out) {
  std::map<int, std::vector<uint8_t>> out;
  std::memcpy(h_out, buf.data(), sizeof *h_out);
  std::memcpy(rt_out, buf.data() + NLMSG_HDRLEN, sizeof *rt_out);
  auto* h = reinterpret_cast<const nlmsghdr*>(buf.data());
  int len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(Hdr)));
  auto* a = reinterpret_cast<const rtattr*>(buf.data() + NLMSG_SPACE(sizeof(Hdr)));
  for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    auto* p = static_cast<const uint8_t*>(RTA_DATA(a));
    out[a->rta_type] = std::vector<uint8_t>(p, p + RTA_PAYLOAD(a));
  }
  EXPECT_EQ(len, 0) << "trailing bytes after the attributes";
  return out;
}

TEST(RouteRequest, AddIpv4WithSource) {
  Route r{*IpPrefix::Parse("192.168.2.0/24"), 7, IpAddress::Parse("192.168.1.1")};
  auto buf = BuildRouteRequest(r, true, 42);
  nlmsghdr h;
  rtmsg rt;
  auto attrs = Attrs(buf, &rt, &h);
  EXPECT_EQ(h.nlmsg_len, buf.size());
  EXPECT_EQ(h.nlmsg_type, RTM_NEWROUTE);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(h.nlmsg_seq, 42u);
  EXPECT_EQ(rt.rtm_family, AF_INET);
  EXPECT_EQ(rt.rtm_dst_len, 24);
  EXPECT_EQ(rt.rtm_table, RT_TABLE_MAIN);
  EXPECT_EQ(rt.rtm_scope, RT_SCOPE_LINK);
  EXPECT_EQ(attrs[RTA_DST], (std::vector<uint8_t>{192, 168, 2, 0}));
  EXPECT_EQ(attrs[RTA_PREFSRC], (std::vector<uint8_t>{192, 168, 1, 1}));
  uint32_t oif;
  ASSERT_EQ(attrs[RTA_OIF].size(), 4u);
  std::memcpy(&oif, attrs[RTA_OIF].data(), 4);
  EXPECT_EQ(oif, 7u);
}

// leftinterface-ip=: as `ip addr add 169.254.10.2/30 dev ipsec1`.
TEST(AddrRequest, AddAndDeleteAnInsideAddress) {
  auto buf = BuildAddrRequest(5, *IpAddress::Parse("169.254.10.2"), 30, true, 9);
  nlmsghdr h;
  ifaddrmsg ifa;
  auto attrs = Attrs(buf, &ifa, &h);
  EXPECT_EQ(h.nlmsg_len, buf.size());
  EXPECT_EQ(h.nlmsg_type, RTM_NEWADDR);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(h.nlmsg_seq, 9u);
  EXPECT_EQ(ifa.ifa_family, AF_INET);
  EXPECT_EQ(ifa.ifa_prefixlen, 30);
  EXPECT_EQ(ifa.ifa_index, 5u);
  EXPECT_EQ(attrs[IFA_LOCAL], (std::vector<uint8_t>{169, 254, 10, 2}));
  EXPECT_EQ(attrs[IFA_ADDRESS], (std::vector<uint8_t>{169, 254, 10, 2}));
  auto del = BuildAddrRequest(5, *IpAddress::Parse("fd00:a::2"), 126, false, 10);
  attrs = Attrs(del, &ifa, &h);
  EXPECT_EQ(h.nlmsg_type, RTM_DELADDR);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  EXPECT_EQ(ifa.ifa_family, AF_INET6);
  EXPECT_EQ(ifa.ifa_prefixlen, 126);
  EXPECT_EQ(attrs[IFA_LOCAL].size(), 16u);
}

TEST(RouteRequest, DelIpv6WithoutSource) {
  Route r{*IpPrefix::Parse("fd01:2::/64"), 3, std::nullopt};
  auto buf = BuildRouteRequest(r, false, 1);
  nlmsghdr h;
  rtmsg rt;
  auto attrs = Attrs(buf, &rt, &h);
  EXPECT_EQ(h.nlmsg_type, RTM_DELROUTE);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  EXPECT_EQ(rt.rtm_family, AF_INET6);
  EXPECT_EQ(rt.rtm_dst_len, 64);
  EXPECT_EQ(attrs[RTA_DST].size(), 16u);
  EXPECT_EQ(attrs.count(RTA_PREFSRC), 0u);
}

TEST(RouteRequest, SourceOfOtherFamilyIsLeftOut) {
  Route r{*IpPrefix::Parse("fd01:2::/64"), 3, IpAddress::Parse("10.0.0.1")};
  nlmsghdr h;
  rtmsg rt;
  auto attrs = Attrs(BuildRouteRequest(r, true, 1), &rt, &h);
  EXPECT_EQ(attrs.count(RTA_PREFSRC), 0u);
}

// RTM_NEWLINK: only the MTU (mtu=), or only IFF_UP, nothing else changed.
TEST(LinkRequest, MtuAlone) {
  auto buf = BuildLinkRequest(9, 0, 0, 1300, 5);
  nlmsghdr h;
  std::memcpy(&h, buf.data(), sizeof h);
  EXPECT_EQ(h.nlmsg_len, buf.size());
  EXPECT_EQ(h.nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
  EXPECT_EQ(h.nlmsg_seq, 5u);
  ifinfomsg ifi;
  std::memcpy(&ifi, buf.data() + NLMSG_HDRLEN, sizeof ifi);
  EXPECT_EQ(ifi.ifi_index, 9);
  EXPECT_EQ(ifi.ifi_change, 0u);
  auto* a = reinterpret_cast<const rtattr*>(buf.data() + NLMSG_SPACE(sizeof(ifinfomsg)));
  int len = static_cast<int>(h.nlmsg_len - NLMSG_SPACE(sizeof(ifinfomsg)));
  ASSERT_TRUE(RTA_OK(a, len));
  EXPECT_EQ(a->rta_type, IFLA_MTU);
  uint32_t mtu;
  ASSERT_EQ(RTA_PAYLOAD(a), sizeof mtu);
  std::memcpy(&mtu, RTA_DATA(a), sizeof mtu);
  EXPECT_EQ(mtu, 1300u);
  a = RTA_NEXT(a, len);
  EXPECT_EQ(len, 0);

  auto up = BuildLinkRequest(9, IFF_UP, IFF_UP, std::nullopt, 6);
  EXPECT_EQ(up.size(), NLMSG_SPACE(sizeof(ifinfomsg)));
  std::memcpy(&ifi, up.data() + NLMSG_HDRLEN, sizeof ifi);
  EXPECT_EQ(ifi.ifi_flags, static_cast<unsigned>(IFF_UP));
  EXPECT_EQ(ifi.ifi_change, static_cast<unsigned>(IFF_UP));
}

TEST(PickSource, FirstAddressInsideALocalSubnet) {
  std::vector<IpAddress> addrs = {*IpAddress::Parse("127.0.0.1"), *IpAddress::Parse("10.0.0.1"),
                                  *IpAddress::Parse("192.168.1.1"), *IpAddress::Parse("fd01:1::1")};
  std::vector<IpPrefix> nets = {*IpPrefix::Parse("192.168.1.0/24"),
                                *IpPrefix::Parse("fd01:1::/64")};
  EXPECT_EQ(PickSource(addrs, nets, AF_INET), IpAddress::Parse("192.168.1.1"));
  EXPECT_EQ(PickSource(addrs, nets, AF_INET6), IpAddress::Parse("fd01:1::1"));
  EXPECT_EQ(PickSource(addrs, {*IpPrefix::Parse("172.16.0.0/12")}, AF_INET), std::nullopt);
}

TEST(RouteToString, NamesDeviceAndSource) {
  Route r{*IpPrefix::Parse("192.168.2.0/24"), 7, IpAddress::Parse("192.168.1.1")};
  EXPECT_EQ(r.ToString("ipsec0"), "192.168.2.0/24 dev ipsec0 src 192.168.1.1");
}

}  // namespace
}  // namespace ipsec::daemon
