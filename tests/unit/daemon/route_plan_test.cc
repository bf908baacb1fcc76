// daemon/route_plan.h: the routes the loaded connections want, which the
// daemon adds at start and syncs on every reload.
#include "daemon/route_plan.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace ipsec::daemon {
namespace {

IpAddress Addr(const char* s) {
  return *IpAddress::Parse(s);
}

std::vector<config::Connection> Load(const std::string& text) {
  config::FixedHostInfo host({Addr("10.0.0.1"), Addr("192.168.1.1")}, Addr("10.0.0.1"));
  config::LoadOptions o;
  o.host = &host;
  auto cfg = config::ParseConfigText(text, "test.conf", o);
  if (!cfg) {
    ADD_FAILURE() << cfg.error().message;
    return {};
  }
  return cfg->connections;
}

TEST(RoutePlanTest, OneRoutePerRemoteSubnetAndDeviceInFileOrder) {
  auto conns = Load(R"(conn a
	left=10.0.0.1
	leftsubnet=192.168.1.0/24
	right=10.0.0.2
	rightsubnets={192.168.2.0/24 192.168.3.0/24}
	authby=secret
	auto=add
conn b
	left=10.0.0.1
	leftsubnet=192.168.1.0/24
	right=10.0.0.3
	rightsubnet=192.168.3.0/24
	authby=secret
	auto=start
conn c
	left=10.0.0.1
	right=10.0.0.4
	rightsubnet=10.0.0.0/24
	authby=secret
	auto=route
conn d
	left=10.0.0.1
	right=10.0.0.5
	rightsubnet=192.168.5.0/24
	ipsec-interface=7
	authby=secret
	auto=add
conn e
	left=10.0.0.1
	right=10.0.0.6
	rightsubnet=192.168.6.0/24
	authby=secret
	auto=ignore
)");
  const std::vector<IpAddress> addrs = {Addr("10.0.0.1"), Addr("192.168.1.1")};
  auto plan = PlanRoutes(conns, {{"ipsec0", 4}}, &addrs);
  // b's 192.168.3.0/24 is a's already; c's subnet holds its peer (left
  // out); d's device is not in use; e is not loaded.
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].route.ToString(plan[0].dev), "192.168.2.0/24 dev ipsec0 src 192.168.1.1");
  EXPECT_EQ(plan[0].conn, "a");
  EXPECT_EQ(plan[1].route.ToString(plan[1].dev), "192.168.3.0/24 dev ipsec0 src 192.168.1.1");
  EXPECT_EQ(plan[1].conn, "a");
  EXPECT_EQ(plan[1].route.ifindex, 4);

  plan = PlanRoutes(conns, {{"ipsec0", 4}, {"ipsec7", 9}}, nullptr);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[2].route.ToString(plan[2].dev), "192.168.5.0/24 dev ipsec7");
  EXPECT_EQ(plan[2].conn, "d");
}

// leftinterface-ip= addresses: one per (device, address) of the loaded
// conns on devices set up. A reload drops t2, sets t3 to auto=ignore and
// changes t4's address: t3's and t4's old addresses are stale; t2's is not,
// as t2b still wants it on the same device.
TEST(RoutePlanTest, InsideAddressesOfDroppedConnsAreStale) {
  const char* head =
      "conn %default\n\tleft=10.0.0.1\n\tauthby=secret\n\tauto=add\n"
      "\tleftsubnet=0.0.0.0/0\n\trightsubnet=0.0.0.0/0\n";
  auto before = Load(std::string(head) +
                     "conn t1\n\tright=10.0.0.2\n\tipsec-interface=1\n"
                     "\tleftinterface-ip=169.254.21.2/30\n"
                     "conn t2\n\tright=10.0.0.3\n\tipsec-interface=2\n"
                     "\tleftinterface-ip=169.254.22.2/30\n"
                     "conn t2b\n\tright=10.0.0.4\n\tipsec-interface=2\n"
                     "\tleftinterface-ip=169.254.22.2/30\n"
                     "conn t3\n\tright=10.0.0.5\n\tipsec-interface=3\n"
                     "\tleftinterface-ip=169.254.23.2/30\n"
                     "conn t4\n\tright=10.0.0.6\n\tipsec-interface=4\n"
                     "\tleftinterface-ip=169.254.24.2/30\n"
                     "conn t9\n\tright=10.0.0.7\n\tipsec-interface=9\n"
                     "\tleftinterface-ip=169.254.29.2/30\n");
  auto after = Load(std::string(head) +
                    "conn t1\n\tright=10.0.0.2\n\tipsec-interface=1\n"
                    "\tleftinterface-ip=169.254.21.2/30\n"
                    "conn t2b\n\tright=10.0.0.4\n\tipsec-interface=2\n"
                    "\tleftinterface-ip=169.254.22.2/30\n"
                    "conn t3\n\tright=10.0.0.5\n\tipsec-interface=3\n"
                    "\tleftinterface-ip=169.254.23.2/30\n\tauto=ignore\n"
                    "conn t4\n\tright=10.0.0.6\n\tipsec-interface=4\n"
                    "\tleftinterface-ip=169.254.24.6/30\n");
  ASSERT_EQ(before.size(), 6u);
  ASSERT_EQ(after.size(), 4u);
  // ipsec9 is not set up: no address planned for it.
  std::map<std::string, int> devs{{"ipsec1", 11}, {"ipsec2", 12}, {"ipsec3", 13}, {"ipsec4", 14}};
  auto strs = [](const std::vector<DevAddress>& v) {
    std::vector<std::string> out;
    for (const auto& a : v)
      out.push_back(a.conn + " " + a.addr.ToString() + " " + a.dev + "/" +
                    std::to_string(a.ifindex));
    return out;
  };
  auto installed = PlanAddresses(before, devs);
  EXPECT_EQ(strs(installed), (std::vector<std::string>{
                                 "t1 169.254.21.2/30 ipsec1/11",
                                 "t2 169.254.22.2/30 ipsec2/12",
                                 "t3 169.254.23.2/30 ipsec3/13",
                                 "t4 169.254.24.2/30 ipsec4/14",
                             }));
  auto wanted = PlanAddresses(after, devs);
  EXPECT_EQ(strs(StaleAddresses(installed, wanted)), (std::vector<std::string>{
                                                         "t3 169.254.23.2/30 ipsec3/13",
                                                         "t4 169.254.24.2/30 ipsec4/14",
                                                     }));
  EXPECT_EQ(strs(StaleAddresses(installed, PlanAddresses({}, devs))), strs(installed));
  EXPECT_TRUE(StaleAddresses(installed, installed).empty());
  // A device re-created under a new ifindex: the old address is stale.
  devs["ipsec1"] = 21;
  EXPECT_EQ(strs(StaleAddresses(installed, PlanAddresses(before, devs))),
            (std::vector<std::string>{"t1 169.254.21.2/30 ipsec1/11"}));
}

}  // namespace
}  // namespace ipsec::daemon
