// Anti-replay window (kmod/replay_window.h), RFC 4303 3.4.3 and Appendix A.
#include "replay_window.h"

#include <gtest/gtest.h>

#include <memory>

namespace {

std::unique_ptr<ipsec_tun_replay> Window(uint32_t size, bool esn) {
  auto r = std::make_unique<ipsec_tun_replay>();
  ipsec_tun_replay_init(r.get(), size, esn);
  return r;
}

TEST(ReplayWindow, ZeroIsNeverAccepted) {
  auto r = Window(64, false);
  EXPECT_FALSE(ipsec_tun_replay_advance(r.get(), 0));
}

TEST(ReplayWindow, DuplicatesRejectedInOrderAccepted) {
  auto r = Window(64, false);
  for (uint64_t s = 1; s <= 200; s++) {
    ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), s)) << s;
    ASSERT_FALSE(ipsec_tun_replay_advance(r.get(), s)) << s;
  }
  EXPECT_EQ(r->top, 200u);
}

TEST(ReplayWindow, EdgeOfWindow) {
  auto r = Window(64, false);
  ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), 1000));
  EXPECT_TRUE(ipsec_tun_replay_check(r.get(), 937));   // 1000 - 63
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), 936));  // 1000 - 64
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 937));
  EXPECT_FALSE(ipsec_tun_replay_advance(r.get(), 937));
}

TEST(ReplayWindow, EverySizeSweep) {
  for (uint32_t w : {1u, 2u, 63u, 64u, 65u, 127u, 128u, 1000u, 4032u, 4095u, 4096u}) {
    for (uint64_t base : {uint64_t{0}, uint64_t{0xfffff000}, uint64_t{1} << 40}) {
      auto r = Window(w, true);
      r->top = base;
      uint64_t top = base + w + 77;
      ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), top));
      // Out of order inside the window: each accepted exactly once.
      for (uint64_t s = top - 1; s > top - w; s--) {
        ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), s)) << "w=" << w << " s=" << s;
        ASSERT_FALSE(ipsec_tun_replay_advance(r.get(), s)) << "w=" << w << " s=" << s;
      }
      EXPECT_FALSE(ipsec_tun_replay_advance(r.get(), top - w)) << "w=" << w;
    }
  }
}

TEST(ReplayWindow, BigJumpForgetsEverything) {
  auto r = Window(4096, false);
  for (uint64_t s = 1; s <= 5000; s += 3) ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), s));
  uint64_t far = 5000 + 3 * IPSEC_TUN_REPLAY_RING_BITS + 5;
  ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), far));
  // Everything in the new window except `far` itself is unseen.
  for (uint64_t s = far - 4095; s < far; s++) ASSERT_TRUE(ipsec_tun_replay_check(r.get(), s)) << s;
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), far));
}

TEST(ReplayWindow, SmallJumpsKeepSeenBits) {
  auto r = Window(4096, false);
  for (uint64_t s = 1; s <= 20000; s++) {
    ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), s));
    if (s > 4096) {
      ASSERT_FALSE(ipsec_tun_replay_check(r.get(), s - 4095)) << s;  // seen, in window
      ASSERT_FALSE(ipsec_tun_replay_check(r.get(), s - 4096)) << s;  // too old
    }
  }
}

TEST(ReplayWindow, WindowZeroDisablesChecks) {
  auto r = Window(0, false);
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 5));
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 5));
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 1));
  EXPECT_EQ(r->top, 5u);
}

TEST(ReplayWindowEsn, InferenceAcrossEpochs) {
  auto r = Window(64, true);
  r->top = 0xfffffff0ULL;
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 5), 0x100000005ULL);          // case A, next
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 0xfffffff8), 0xfffffff8ULL);  // case A, same
  ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), 0x100000005ULL));
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 0xfffffff8), 0xfffffff8ULL);  // case B, previous
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 0x40), 0x100000040ULL);       // case B, same
  ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), 0xfffffff8ULL));
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), ipsec_tun_replay_infer(r.get(), 0xfffffff8)));
}

TEST(ReplayWindowEsn, NoPreviousEpochAtStart) {
  auto r = Window(64, true);
  ASSERT_TRUE(ipsec_tun_replay_advance(r.get(), 3));
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 0xfffffff0), 0u);  // would be epoch -1
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), 0));
}

TEST(ReplayWindow, StartAtSeqCountsItAsSeen) {
  auto r = Window(64, false);
  ipsec_tun_replay_start(r.get(), 1000);
  EXPECT_EQ(r->top, 1000u);
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), 1000));  // "received" already
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 999));  // below it: not yet seen
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), 936));   // older than the window
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 1001));
  auto z = Window(64, false);
  ipsec_tun_replay_start(z.get(), 0);  // the default: nothing received
  EXPECT_TRUE(ipsec_tun_replay_advance(z.get(), 1));
}

TEST(ReplayWindowEsn, StartNearTheTopOfTheSpace) {
  auto r = Window(64, true);
  ipsec_tun_replay_start(r.get(), 0x7ffffffffffffffcULL);
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 0xfffffffe), 0x7ffffffffffffffeULL);
  EXPECT_TRUE(ipsec_tun_replay_advance(r.get(), 0x7ffffffffffffffeULL));
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 0xffffffff), 0x7fffffffffffffffULL);
  auto e = Window(64, true);
  ipsec_tun_replay_start(e.get(), 0xfffffffdULL);  // just below the first epoch boundary
  EXPECT_EQ(ipsec_tun_replay_infer(e.get(), 0xffffffff), 0xffffffffULL);
  EXPECT_EQ(ipsec_tun_replay_infer(e.get(), 1), 0x100000001ULL);
}

TEST(ReplayWindowEsn, WithoutEsnHighBitsStayZero) {
  auto r = Window(64, false);
  r->top = 0xfffffff0ULL;
  EXPECT_EQ(ipsec_tun_replay_infer(r.get(), 5), 5u);
  EXPECT_FALSE(ipsec_tun_replay_check(r.get(), 5));
}

}  // namespace
