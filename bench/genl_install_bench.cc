// bench_genl: install many SAs and policies on an ipsec device through the
// genetlink API (GenlKernel, the daemon's own path), timed per kind, for
// the scale benchmark (bench/vm/scale.sh, inside the VM, in a netns).
//
//   bench_genl DEV FIRST COUNT
//
// Installs the SAs numbered FIRST .. FIRST+COUNT-1 on DEV (created if
// absent). SA i is inbound when i is even and outbound (reqid 1000+i, with a
// /32 policy sending 10.128.0.0/9 + i to it) when odd, so that both the SPI
// lookup of the receive path and the policy lookup of the send path grow with
// the count. Outer addresses are 172.16.0.1 -> 172.31.255.254 (no traffic
// ever uses them); keys are a fixed test pattern. Prints one line:
//
//   sas=N sa_us=T policies=P policy_us=T
//
// (totals in microseconds of wall time) and exits 0, or names the first
// refused call and exits 1.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernel/genl_kernel.h"

namespace {

using ipsec::IpAddress;
using ipsec::IpPrefix;
using ipsec::SecureBytes;
using namespace ipsec::kernel;

constexpr uint32_t kSpiBase = 0x00100000;  // clear of the benchmark pair's SPIs
constexpr uint16_t kEncrAesGcm16 = 20;

IpAddress V4(uint32_t host_order) {
  const uint8_t b[4] = {static_cast<uint8_t>(host_order >> 24),
                        static_cast<uint8_t>(host_order >> 16),
                        static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)};
  return IpAddress::V4(std::span<const uint8_t, 4>(b));
}

int Fail(const std::string& what, const ipsec::Error& e) {
  std::fprintf(stderr, "bench_genl: %s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

uint64_t ParseCount(const char* s, const char* what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (!*s || *end || v > 10'000'000) {
    std::fprintf(stderr, "bench_genl: %s: '%s' is not a count up to 10000000\n", what, s);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_genl DEV FIRST COUNT\n");
    return 2;
  }
  const std::string dev = argv[1];
  const uint64_t first = ParseCount(argv[2], "FIRST");
  const uint64_t count = ParseCount(argv[3], "COUNT");

  auto k = GenlKernel::Open();
  if (!k) return Fail("open genetlink", k.error());
  auto d = (*k)->EnsureDevice(dev);
  if (!d) return Fail("device " + dev, d.error());
  const int ifindex = d->ifindex;

  SecureBytes key(20);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(0xa0 + i);

  using Clock = std::chrono::steady_clock;
  Clock::duration sa_time{}, policy_time{};
  uint64_t policies = 0;
  for (uint64_t i = first; i < first + count; ++i) {
    const auto n = static_cast<uint32_t>(i);
    SaParams sa;
    sa.spi = kSpiBase + n;
    sa.encr_id = kEncrAesGcm16;
    sa.encr_key_bits = 128;
    sa.enc_key = key;
    const IpAddress local = V4(0xac100001), remote = V4(0xac100002 + (n % 0xffff0));
    if (n % 2 == 0) {
      sa.dir = Direction::kIn;
      sa.src = remote;
      sa.dst = local;
    } else {
      sa.dir = Direction::kOut;
      sa.reqid = 1000 + n;
      sa.src = local;
      sa.dst = remote;
    }
    auto t0 = Clock::now();
    if (auto s = (*k)->AddSa(ifindex, sa); !s)
      return Fail("add SA #" + std::to_string(i), s.error());
    sa_time += Clock::now() - t0;
    if (sa.dir != Direction::kOut) continue;

    Policy pol;
    pol.sel.src = *IpPrefix::Parse("10.9.1.1/32");
    pol.sel.dst = IpPrefix(V4(0x0a800000 + n), 32);
    pol.reqid = sa.reqid;
    t0 = Clock::now();
    if (auto s = (*k)->AddPolicy(ifindex, pol); !s)
      return Fail("add policy #" + std::to_string(i), s.error());
    policy_time += Clock::now() - t0;
    ++policies;
  }
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  std::printf("sas=%llu sa_us=%lld policies=%llu policy_us=%lld\n",
              static_cast<unsigned long long>(count),
              static_cast<long long>(duration_cast<microseconds>(sa_time).count()),
              static_cast<unsigned long long>(policies),
              static_cast<long long>(duration_cast<microseconds>(policy_time).count()));
  return 0;
}
