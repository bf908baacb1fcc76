// Log settings and the rate limit on repetitive lines (daemon/logging.h,
// daemon/log_rate_limit.h).
#include "daemon/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "daemon/log_rate_limit.h"

namespace ipsec::daemon {
namespace {

TEST(DebugRequested, PlutodebugAndCharondebugLevels) {
  EXPECT_FALSE(DebugRequested(""));
  EXPECT_FALSE(DebugRequested("none"));
  EXPECT_TRUE(DebugRequested("all"));
  EXPECT_TRUE(DebugRequested("base crypt"));
  // strongSwan's level 1 is its default (our info); 2 and up is debug.
  EXPECT_FALSE(DebugRequested("ike 1, knl 1"));
  EXPECT_FALSE(DebugRequested("ike 0, net -1"));
  EXPECT_TRUE(DebugRequested("ike 1, knl 2"));
  EXPECT_TRUE(DebugRequested("cfg 4"));
}

TEST(LogShape, DigitsMaskedButNotTheConnectionName) {
  EXPECT_EQ(LogRateLimiter::ShapeOf("no connection for IKE_SA_INIT from 198.51.100.7[500]"),
            "no connection for IKE_SA_INIT from #.#.#.#[#]");
  EXPECT_EQ(LogRateLimiter::ShapeOf("\"site12\" CHILD_SA site12{5} established"),
            "\"site12\" CHILD_SA site#{#} established");
  EXPECT_NE(LogRateLimiter::ShapeOf("\"site1\" up"), LogRateLimiter::ShapeOf("\"site2\" up"));
}

TEST(LogRateLimiter, BurstThenOneSummaryPerShape) {
  LogRateLimiter lim(3, 10'000);
  int64_t t = 1'000'000;
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(lim.Allow("junk from 10.0.0." + std::to_string(i), t + i)) << i;
  for (int i = 3; i < 50; ++i)
    EXPECT_FALSE(lim.Allow("junk from 10.0.0." + std::to_string(i), t + i));
  // Another shape, and another connection's same text, are not affected.
  EXPECT_TRUE(lim.Allow("other line 1", t + 60));
  EXPECT_TRUE(lim.Allow("\"b\" junk from 10.0.0.1", t + 60));
  EXPECT_TRUE(lim.TakeSummaries(t + 5'000).empty()) << "window not over";
  auto sums = lim.TakeSummaries(t + 10'001);
  ASSERT_EQ(sums.size(), 1u);
  EXPECT_EQ(sums[0], "47 similar line(s) not logged in 10 s, the first: junk from 10.0.0.3");
  // The shape starts afresh.
  EXPECT_TRUE(lim.Allow("junk from 10.0.0.99", t + 10'002));
}

TEST(LogRateLimiter, ShapesChosenByPeersStayBounded) {
  LogRateLimiter lim(1, 10'000);
  for (size_t i = 0; i < LogRateLimiter::kMaxShapes + 5000; ++i) {
    std::string id(1, static_cast<char>('a' + i % 26));
    id += std::string(1, static_cast<char>('a' + (i / 26) % 26)) +
          std::string(1, static_cast<char>('a' + (i / 676) % 26));
    // Twice: the second is left out, so every window has a summary.
    lim.Allow("unknown peer ID '" + id + "'", 0);
    lim.Allow("unknown peer ID '" + id + "'", 0);
  }
  // All past kMaxShapes share one window: one summary for them, at most
  // kMaxShapes + 1 windows in all.
  EXPECT_EQ(lim.TakeSummaries(20'000, true).size(), LogRateLimiter::kMaxShapes + 1);
}

// 1,000 connections coming up log a few lines each within one window:
// none is left out (their shapes once shared the 1024 windows that bound
// peer-chosen text, and "established" vanished past the 250th).
TEST(LogRateLimiter, EveryConnectionsLifecycleLinesPass) {
  LogRateLimiter lim(20, 10'000);
  size_t allowed = 0;
  for (int i = 1; i <= 1000; ++i) {
    const std::string n = "\"t" + std::to_string(i) + "\" ";
    for (const char* what : {"initiating IKE_SA to 10.0.0.2", "joining IKE SA #1",
                             "CHILD_SA established, SPIs in 1234 out 5678",
                             "installed policy 10.1.0.0/24 === 10.2.0.0/24"})
      allowed += lim.Allow(n + what, i);
  }
  EXPECT_EQ(allowed, 4000u);
}

TEST(LogRateLimiter, ConnectionShapesStayBoundedToo) {
  LogRateLimiter lim(1, 10'000);
  for (size_t i = 0; i < LogRateLimiter::kMaxConnShapes + 3000; ++i)
    for (int twice = 0; twice < 2; ++twice) lim.Allow("\"c" + std::to_string(i) + "\" up", 0);
  EXPECT_EQ(lim.TakeSummaries(20'000, true).size(), LogRateLimiter::kMaxConnShapes + 1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Through the real logger: a flood of one shape is cut to the burst, and
// the summary is written at flush.
TEST(SetupLogging, FloodIsRateLimitedInTheFile) {
  char dir[] = "/tmp/logtestXXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/ipsecd.log";
  SetupLogging({path, "", false});
  for (int i = 0; i < 500; ++i) spdlog::warn("dropped IKE datagram from 192.0.2.{}", i % 250);
  spdlog::info("\"a\" IKE SA established");
  spdlog::debug("not logged without debug");
  FlushLogSummaries();
  const std::string text = ReadFile(path);
  size_t dropped = 0;
  for (size_t p = 0; (p = text.find("dropped IKE datagram", p)) != std::string::npos; ++p)
    ++dropped;
  EXPECT_EQ(dropped, LogRateLimiter::kDefaultBurst + 1) << "burst, and the summary's sample";
  EXPECT_NE(text.find(std::to_string(500 - LogRateLimiter::kDefaultBurst) + " similar line(s)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\"a\" IKE SA established"), std::string::npos);
  EXPECT_EQ(text.find("not logged without debug"), std::string::npos);
  SetupLogging({"", "", false});
  unlink(path.c_str());
  rmdir(dir);
}

TEST(StderrIsJournal, OnlyWhenTheStreamMatches) {
  struct stat st {};
  ASSERT_EQ(fstat(STDERR_FILENO, &st), 0);
  setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(),
         1);
  EXPECT_TRUE(StderrIsJournal());
  setenv("JOURNAL_STREAM",
         (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
  EXPECT_FALSE(StderrIsJournal()) << "inherited by a child whose stderr is elsewhere";
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(StderrIsJournal());
}

}  // namespace
}  // namespace ipsec::daemon
