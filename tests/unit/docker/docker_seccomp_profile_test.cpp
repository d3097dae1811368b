#include "sandbox/docker/docker_seccomp_profile.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "sandbox/seccomp_filter.hpp"

namespace hotplex::sandbox {
namespace {

using nlohmann::json;

const json* RuleFor(const json& profile, const std::string& name, int index = -1) {
  for (const json& rule : profile["syscalls"]) {
    const auto& names = rule["names"];
    if (std::find(names.begin(), names.end(), name) == names.end()) continue;
    if (index < 0 || (rule.contains("args") && rule["args"][0]["index"] == index)) return &rule;
  }
  return nullptr;
}

TEST(DockerSeccompProfile, AllowsByDefaultAndDeniesTheNamespaceBackendList) {
  auto profile = DockerSeccompProfile({});
  ASSERT_TRUE(profile) << profile.error().Describe();
  EXPECT_EQ((*profile)["defaultAction"], "SCMP_ACT_ALLOW");
  EXPECT_EQ((*profile)["architectures"],
            json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  for (const std::string& name : SeccompProgram::DefaultDenied()) {
    const json* rule = RuleFor(*profile, name);
    ASSERT_NE(rule, nullptr) << name;
    EXPECT_EQ((*rule)["action"], "SCMP_ACT_ERRNO") << name;
    EXPECT_EQ((*rule)["errnoRet"], EPERM) << name;
  }
}

TEST(DockerSeccompProfile, Clone3AnswersEnosys) {
  auto profile = DockerSeccompProfile({});
  ASSERT_TRUE(profile);
  const json* rule = RuleFor(*profile, "clone3");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ((*rule)["errnoRet"], ENOSYS);
}

TEST(DockerSeccompProfile, CloneWithNamespaceFlagsAndTiocstiAreMasked) {
  auto profile = DockerSeccompProfile({});
  ASSERT_TRUE(profile);
  int clone_rules = 0, ioctl_rules = 0;
  for (const json& rule : (*profile)["syscalls"]) {
    if (!rule.contains("args")) continue;
    const json& arg = rule["args"][0];
    EXPECT_EQ(arg["op"], "SCMP_CMP_MASKED_EQ");
    if (rule["names"][0] == "clone") {
      ++clone_rules;
      EXPECT_EQ(arg["index"], 0);
      EXPECT_EQ(arg["value"], arg["valueTwo"]);  // flag & flag == flag
    } else if (rule["names"][0] == "ioctl") {
      ++ioctl_rules;
      EXPECT_EQ(arg["index"], 1);
      EXPECT_EQ(arg["value"], 0xffffffffu);
    }
  }
  EXPECT_EQ(clone_rules, 8);
  EXPECT_EQ(ioctl_rules, 2);
}

TEST(DockerSeccompProfile, ExtraDeniedAreAddedAndUnknownNamesRefused) {
  auto profile = DockerSeccompProfile({"chmod"});
  ASSERT_TRUE(profile);
  EXPECT_NE(RuleFor(*profile, "chmod"), nullptr);
  auto bad = DockerSeccompProfile({"not_a_syscall"});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().Describe(), ::testing::HasSubstr("not_a_syscall"));
}

}  // namespace
}  // namespace hotplex::sandbox
