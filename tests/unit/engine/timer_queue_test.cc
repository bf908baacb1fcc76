// engine/timer_queue.h: deadlines by key in deadline order, moved and
// cancelled in place.
#include "engine/timer_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace ipsec::engine {
namespace {

using Keys = std::vector<uint64_t>;

TEST(TimerQueueTest, EmptyHasNothingDue) {
  TimerQueue<uint64_t> q;
  EXPECT_FALSE(q.Next().has_value());
  EXPECT_TRUE(q.Due(1'000'000).empty());
  EXPECT_EQ(q.size(), 0u);
}

TEST(TimerQueueTest, DueInDeadlineOrderThenByKey) {
  TimerQueue<uint64_t> q;
  q.Set(7, 300);
  q.Set(3, 100);
  q.Set(9, 200);
  q.Set(1, 200);
  q.Set(5, 400);
  EXPECT_EQ(q.Next(), 100);
  EXPECT_EQ(q.Due(99), Keys{});
  EXPECT_EQ(q.Due(100), Keys{3});
  EXPECT_EQ(q.Due(250), (Keys{3, 1, 9}));
  EXPECT_EQ(q.Due(1000), (Keys{3, 1, 9, 7, 5}));
  EXPECT_EQ(q.size(), 5u);  // due keys stay until set again or cancelled
}

TEST(TimerQueueTest, SetAgainMovesTheDeadline) {
  TimerQueue<uint64_t> q;
  q.Set(1, 100);
  q.Set(2, 200);
  q.Set(1, 300);  // re-armed later: 2 comes first now
  EXPECT_EQ(q.Next(), 200);
  EXPECT_EQ(q.Due(300), (Keys{2, 1}));
  q.Set(1, 50);  // and earlier
  EXPECT_EQ(q.Due(100), Keys{1});
  EXPECT_EQ(q.DueOf(1), 50);
  q.Set(1, 50);  // the same again: one entry
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.Due(1000), (Keys{1, 2}));
}

TEST(TimerQueueTest, CancelRemovesOnlyThatKey) {
  TimerQueue<uint64_t> q;
  q.Set(1, 100);
  q.Set(2, 100);
  q.Set(3, 50);
  q.Cancel(3);
  q.Cancel(3);   // twice: nothing
  q.Cancel(42);  // never set: nothing
  EXPECT_EQ(q.Next(), 100);
  EXPECT_EQ(q.Due(1000), (Keys{1, 2}));
  EXPECT_FALSE(q.DueOf(3).has_value());
  q.Set(1, std::nullopt);  // no deadline any more: as Cancel
  EXPECT_EQ(q.Due(1000), Keys{2});
  q.Cancel(2);
  EXPECT_FALSE(q.Next().has_value());
  EXPECT_EQ(q.size(), 0u);
}

// Many keys set, moved and cancelled at random agree with a plain map.
TEST(TimerQueueTest, AgreesWithAFullScan) {
  TimerQueue<uint64_t> q;
  std::map<uint64_t, int64_t> ref;
  uint64_t x = 12345;
  auto next = [&x] { return x = x * 6364136223846793005ULL + 1442695040888963407ULL; };
  for (int i = 0; i < 20000; ++i) {
    const uint64_t key = next() >> 54;  // 1,024 keys
    if (next() % 4 == 0) {
      q.Cancel(key);
      ref.erase(key);
    } else {
      const int64_t due = static_cast<int64_t>(next() >> 44);
      q.Set(key, due);
      ref[key] = due;
    }
    std::optional<int64_t> min;
    for (const auto& [k, d] : ref)
      if (!min || d < *min) min = d;
    ASSERT_EQ(q.Next(), min) << "step " << i;
    ASSERT_EQ(q.size(), ref.size());
  }
  const int64_t now = *q.Next() + (int64_t{1} << 18);
  Keys want;
  std::vector<std::pair<int64_t, uint64_t>> due;
  for (const auto& [k, d] : ref)
    if (d <= now) due.emplace_back(d, k);
  std::sort(due.begin(), due.end());
  for (const auto& [d, k] : due) want.push_back(k);
  EXPECT_EQ(q.Due(now), want);
}

}  // namespace
}  // namespace ipsec::engine
