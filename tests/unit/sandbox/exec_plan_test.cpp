#include "sandbox/exec_plan.hpp"

#include <gtest/gtest.h>

namespace hotplex::sandbox {
namespace {

TEST(ExecPlan, LooksUpBareNamesInTheSpecPath) {
  auto plan = ExecPlan::Build({"python3", "-c", "1"}, {"PATH=/opt/bin:/usr/bin"});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->Candidates(), (std::vector<std::string>{"/opt/bin/python3", "/usr/bin/python3"}));
}

TEST(ExecPlan, UsesADefaultPathWhenNoneIsGiven) {
  auto plan = ExecPlan::Build({"sh"}, {});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->Candidates().front(), "/usr/local/bin/sh");
  EXPECT_EQ(plan->Candidates().size(), 6u);
}

TEST(ExecPlan, PathsWithSlashAreUsedAsGiven) {
  auto plan = ExecPlan::Build({"./run.sh"}, {"PATH=/usr/bin"});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->Candidates(), std::vector<std::string>{"./run.sh"});
}

TEST(ExecPlan, RejectsEmptyCommandAndBadEnvironment) {
  EXPECT_FALSE(ExecPlan::Build({}, {}));
  EXPECT_FALSE(ExecPlan::Build({""}, {}));
  EXPECT_FALSE(ExecPlan::Build({"sh"}, {"NOEQUALS"}));
  EXPECT_FALSE(ExecPlan::Build({"sh"}, {"=value"}));
}

TEST(ExecPlan, SurvivesMoves) {
  auto plan = ExecPlan::Build({"echo", "hi"}, {"A=1"});
  ASSERT_TRUE(plan);
  ExecPlan moved = std::move(*plan);
  EXPECT_EQ(moved.Candidates().size(), 6u);
}

}  // namespace
}  // namespace hotplex::sandbox
