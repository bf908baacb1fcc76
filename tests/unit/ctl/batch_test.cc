// ipsecctl batch: each line runs as its own command line, comments and
// blank lines are skipped, quotes group words, and the first failure stops
// the batch with its line number and exit status.
#include "ctl/batch.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <sstream>

namespace ipsec::ctl {
namespace {

// A stand-in command set: "say WORDS..." records its words; "fail N" exits N.
struct Recorder {
  std::vector<std::vector<std::string>> said;
  void Add(CLI::App& app) {
    auto* say = app.add_subcommand("say");
    auto words = std::make_shared<std::vector<std::string>>();
    auto loud = std::make_shared<bool>(false);
    say->add_option("words", *words);
    say->add_flag("--loud", *loud);
    say->callback([this, words, loud] {
      auto w = *words;
      if (*loud) w.insert(w.begin(), "LOUD");
      said.push_back(w);
    });
    auto* fail = app.add_subcommand("fail");
    auto code = std::make_shared<int>(0);
    fail->add_option("code", *code)->required();
    fail->callback([code] { throw CLI::RuntimeError(*code); });
  }
  int Run(const std::string& text) {
    std::istringstream in(text);
    return RunBatch(in, "cmds", [this](CLI::App& a) { Add(a); });
  }
};

TEST(Batch, RunsEveryLineInOrder) {
  Recorder r;
  EXPECT_EQ(r.Run("say a b\nsay c\n"), 0);
  ASSERT_EQ(r.said.size(), 2u);
  EXPECT_EQ(r.said[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.said[1], (std::vector<std::string>{"c"}));
}

TEST(Batch, SkipsCommentsAndBlankLines) {
  Recorder r;
  EXPECT_EQ(r.Run("# setup\n\n   \nsay x # trailing\nsay y#z\n"), 0);
  ASSERT_EQ(r.said.size(), 2u);
  EXPECT_EQ(r.said[0], (std::vector<std::string>{"x"}));
  EXPECT_EQ(r.said[1], (std::vector<std::string>{"y#z"}));  // '#' inside a word is a character
}

TEST(Batch, QuotesGroupWords) {
  Recorder r;
  EXPECT_EQ(r.Run("say \"two words\" 'a # b'\n"), 0);
  ASSERT_EQ(r.said.size(), 1u);
  EXPECT_EQ(r.said[0], (std::vector<std::string>{"two words", "a # b"}));
}

TEST(Batch, OptionsDoNotLeakToTheNextLine) {
  Recorder r;
  EXPECT_EQ(r.Run("say --loud a\nsay b\n"), 0);
  ASSERT_EQ(r.said.size(), 2u);
  EXPECT_EQ(r.said[0], (std::vector<std::string>{"LOUD", "a"}));
  EXPECT_EQ(r.said[1], (std::vector<std::string>{"b"}));
}

TEST(Batch, FirstFailureStopsWithItsStatus) {
  Recorder r;
  testing::internal::CaptureStderr();
  EXPECT_EQ(r.Run("say a\nfail 1\nsay never\n"), 1);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.said.size(), 1u);
  EXPECT_NE(err.find("cmds:2:"), std::string::npos) << err;
}

TEST(Batch, UnknownCommandIsAUsageErrorNamingTheLine) {
  Recorder r;
  testing::internal::CaptureStderr();
  EXPECT_EQ(r.Run("say a\n\nbogus x\nsay never\n"), 2);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.said.size(), 1u);
  EXPECT_NE(err.find("cmds:3:"), std::string::npos) << err;
}

TEST(Batch, EmptyInputRunsNothing) {
  Recorder r;
  EXPECT_EQ(r.Run(""), 0);
  EXPECT_TRUE(r.said.empty());
}

}  // namespace
}  // namespace ipsec::ctl
