// KernelErrors: ENCAP_CLOSED puts our NAT-T socket back on the device (only
// on devices we took NAT-T traffic on); AUTH_BURST gives one log line naming
// the device, SPI, connection and peer, at most one per SA per interval.
#include "daemon/kernel_errors.h"

#include <gtest/gtest.h>
#include <linux/ipsec_tun.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "kernel/mock_kernel.h"

namespace ipsec::daemon {
namespace {

class ManualClock : public engine::Clock {
 public:
  engine::Millis Now() const override { return now; }
  engine::Millis now{5000};
};

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1))
    ++n;
  return n;
}

class KernelErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(log);
    previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
    dev = k.EnsureDevice("ipsec0")->ifindex;
    other = k.EnsureDevice("ipsec1")->ifindex;
    ASSERT_TRUE(k.SetEncapSocket(dev, 7).ok());  // as the daemon's SetupEncap
  }
  void TearDown() override { spdlog::set_default_logger(previous); }

  KernelErrors::Hooks Hooks() {
    KernelErrors::Hooks h;
    h.device_name = [this](int i) { return i == dev ? std::string("ipsec0") : "ipsec1"; };
    h.encap_fd = [this](int i) { return i == dev ? 7 : -1; };
    h.find_sa = [](uint32_t spi) -> std::optional<KernelErrors::SaOwner> {
      if (spi == 0xc0ffee01) return KernelErrors::SaOwner{"site", "198.51.100.7[4500]"};
      return std::nullopt;
    };
    return h;
  }
  // Events go through the kernel interface, as the daemon's loop gets them.
  void Deliver(KernelErrors& e, int ifindex, uint32_t spi, uint32_t code) {
    k.QueueError({ifindex, spi, kernel::Direction::kIn, code});
    k.DispatchEvents({}, {}, [&](const kernel::ErrorEvent& ev) { e.OnError(ev); });
  }

  kernel::MockKernel k;
  ManualClock clock;
  std::ostringstream log;
  std::shared_ptr<spdlog::logger> previous;
  int dev = 0, other = 0;
};

TEST_F(KernelErrorsTest, EncapClosedReattachesOurSocketOnOurDeviceOnly) {
  KernelErrors e(k, clock, Hooks());
  // Another process attached its socket (fd 9 in its table) and exited.
  ASSERT_TRUE(k.SetEncapSocket(dev, 9).ok());
  ASSERT_TRUE(k.SetEncapSocket(dev, -1).ok());
  const size_t calls = k.set_encap_calls();
  Deliver(e, dev, 0, IPSEC_TUN_ERR_ENCAP_CLOSED);
  EXPECT_EQ(k.set_encap_calls(), calls + 1);
  ASSERT_TRUE(k.encap_fds().count(dev));
  EXPECT_EQ(k.encap_fds().at(dev), 7);
  EXPECT_EQ(Count(log.str(),
                  "ipsec0: ESP-in-UDP socket closed by another process; ours "
                  "re-attached"),
            1u)
      << log.str();
  // A device we never took NAT-T on is left alone.
  Deliver(e, other, 0, IPSEC_TUN_ERR_ENCAP_CLOSED);
  EXPECT_EQ(k.set_encap_calls(), calls + 1);
  EXPECT_FALSE(k.encap_fds().count(other));
}

TEST_F(KernelErrorsTest, AuthBurstLogsDeviceSpiConnAndPeerRateLimited) {
  KernelErrors e(k, clock, Hooks());
  for (int i = 0; i < 10; ++i) Deliver(e, dev, 0xc0ffee01, IPSEC_TUN_ERR_AUTH_BURST);
  const std::string line =
      "ipsec0: repeated ICV failures on inbound SA 0xc0ffee01 (\"site\", peer 198.51.100.7[4500])";
  EXPECT_EQ(Count(log.str(), line), 1u) << log.str();
  // Another SA is reported on its own, even if we do not know it.
  Deliver(e, dev, 0x1234, IPSEC_TUN_ERR_AUTH_BURST);
  EXPECT_EQ(Count(log.str(), "SA 0x00001234 (no child SA of ours)"), 1u) << log.str();
  // After the interval: one more line, saying how many were held back.
  clock.now += engine::Millis(kAuthBurstLogIntervalMs);
  Deliver(e, dev, 0xc0ffee01, IPSEC_TUN_ERR_AUTH_BURST);
  EXPECT_EQ(Count(log.str(), line), 2u) << log.str();
  EXPECT_EQ(Count(log.str(), "(9 more burst(s) since the last report)"), 1u) << log.str();
}

TEST_F(KernelErrorsTest, AuthBurstLogStaysBoundedUnderManySpis) {
  KernelErrors e(k, clock, Hooks());
  for (uint32_t spi = 0x100; spi < 0x100 + 5000; ++spi)
    Deliver(e, dev, spi, IPSEC_TUN_ERR_AUTH_BURST);
  EXPECT_LE(Count(log.str(), "repeated ICV failures"), 1024u);
}

}  // namespace
}  // namespace ipsec::daemon
