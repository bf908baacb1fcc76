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

}  // namespace
}  // namespace ipsec::daemon
