#include "supervisor/exec_provider.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include "tests/unit/supervisor/fake_provider_host.hpp"

namespace hotplex::supervisor {
namespace {

TEST(ExecProvider, LinesInLinesOut) {
  testing::FakeProviderHost host;
  ExecProvider provider(host, {"bash", "-i"});
  EXPECT_EQ(provider.Argv(true), (std::vector<std::string>{"bash", "-i"}));
  provider.OnStarted();
  EXPECT_EQ(host.ready_calls, 1);
  provider.SendPrompt("echo hi\n");
  EXPECT_EQ(host.lines, (std::vector<std::string>{"echo hi"}));
  provider.OnStdoutLine("hi\r", false);
  provider.OnStderrLine("warn", true);
  auto texts = host.Of<Text>();
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0].text, "hi");
  EXPECT_EQ(texts[0].stream, "stdout");
  EXPECT_FALSE(texts[0].delta);
  EXPECT_EQ(texts[1].stream, "stderr");
  EXPECT_TRUE(texts[1].truncated);
}

TEST(ExecProvider, InterruptSendsSigint) {
  testing::FakeProviderHost host;
  ExecProvider provider(host, {"python3"});
  ASSERT_TRUE(provider.Interrupt());
  EXPECT_EQ(host.signals, (std::vector<int>{SIGINT}));
  EXPECT_FALSE(provider.AnswerPermission("x", true, ""));
}

TEST(ExecProvider, CommandMustBeListedExactly) {
  const std::vector<std::string> allowed = {"bash", "/usr/bin/python3"};
  EXPECT_TRUE(ExecCommandAllowed("bash", allowed));
  EXPECT_TRUE(ExecCommandAllowed("/usr/bin/python3", allowed));
  EXPECT_FALSE(ExecCommandAllowed("/tmp/evil/bash", allowed));
  EXPECT_FALSE(ExecCommandAllowed("python3", allowed));
  EXPECT_FALSE(ExecCommandAllowed("sh", allowed));
}

}  // namespace
}  // namespace hotplex::supervisor
