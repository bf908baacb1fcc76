// RemoveLeftovers: what a killed ipsecd left on its device goes; a clean
// device is left untouched; other devices are not touched.
#include "daemon/startup_cleanup.h"

#include <gtest/gtest.h>

#include "kernel/mock_kernel.h"

namespace ipsec::daemon {
namespace {

kernel::SaParams Sa(uint32_t spi, kernel::Direction dir) {
  kernel::SaParams p;
  p.spi = spi;
  p.dir = dir;
  p.reqid = 1;
  p.src = *IpAddress::Parse("10.0.0.1");
  p.dst = *IpAddress::Parse("10.0.0.2");
  p.encr_id = 20;
  p.enc_key = SecureBytes(36);
  return p;
}

TEST(StartupCleanup, RemovesStaleSasAndPoliciesOfOurDeviceOnly) {
  kernel::MockKernel k;
  auto ours = k.EnsureDevice("ipsec0");
  auto other = k.EnsureDevice("ipsec7");
  ASSERT_TRUE(ours && other);
  ASSERT_TRUE(k.AddSa(ours->ifindex, Sa(0x100, kernel::Direction::kIn)).ok());
  ASSERT_TRUE(k.AddSa(ours->ifindex, Sa(0x200, kernel::Direction::kOut)).ok());
  ASSERT_TRUE(k.AddSa(other->ifindex, Sa(0x300, kernel::Direction::kOut)).ok());
  kernel::Policy pol;
  pol.sel.src = *IpPrefix::Parse("192.168.1.0/24");
  pol.sel.dst = *IpPrefix::Parse("192.168.2.0/24");
  pol.reqid = 1;
  ASSERT_TRUE(k.AddPolicy(ours->ifindex, pol).ok());
  // What the next start would hit without the clean-up.
  ASSERT_FALSE(k.AddPolicy(ours->ifindex, pol).ok());

  auto left = RemoveLeftovers(k, ours->ifindex);
  ASSERT_TRUE(left) << left.error().message;
  EXPECT_EQ(left->sas, 2u);
  EXPECT_EQ(left->policies, 1u);
  EXPECT_TRUE(k.AddPolicy(ours->ifindex, pol).ok());
  EXPECT_EQ(k.sas().size(), 1u);  // ipsec7's SA stays

  auto again = RemoveLeftovers(k, other->ifindex);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sas, 1u);
  auto clean = RemoveLeftovers(k, other->ifindex);
  ASSERT_TRUE(clean);
  EXPECT_EQ(clean->sas + clean->policies, 0u);
}

}  // namespace
}  // namespace ipsec::daemon
