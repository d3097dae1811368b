#include "sandbox/seccomp_filter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <seccomp.h>

#include <algorithm>

namespace hotplex::sandbox {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(SeccompFilter, DefaultProfileDeniesTheDockerSet) {
  const auto& denied = SeccompProgram::DefaultDenied();
  for (const char* name : {"mount",
                           "umount2",
                           "pivot_root",
                           "ptrace",
                           "process_vm_readv",
                           "process_vm_writev",
                           "kexec_load",
                           "kexec_file_load",
                           "init_module",
                           "finit_module",
                           "delete_module",
                           "bpf",
                           "perf_event_open",
                           "keyctl",
                           "add_key",
                           "request_key",
                           "userfaultfd",
                           "unshare",
                           "setns",
                           "swapon",
                           "swapoff",
                           "reboot",
                           "open_by_handle_at",
                           "name_to_handle_at",
                           "acct",
                           "quotactl",
                           "syslog",
                           "iopl",
                           "ioperm",
                           "io_uring_setup",
                           "io_uring_enter",
                           "io_uring_register"}) {
    EXPECT_THAT(denied, Contains(name));
  }
  // Every name in the default list is a real syscall on some architecture.
  for (const auto& name : denied) {
    EXPECT_NE(seccomp_syscall_resolve_name(name.c_str()), __NR_SCMP_ERROR) << name;
  }
}

TEST(SeccompFilter, BuildsAProgramForThreeAbis) {
  auto program = SeccompProgram::Build({});
  ASSERT_TRUE(program) << program.error().Describe();
  // x86_64 + i386 + x32 each need their own rule blocks.
  EXPECT_GT(program->InstructionCount(), 100u);
}

TEST(SeccompFilter, ExtraDenialsGrowTheProgram) {
  auto base = SeccompProgram::Build({});
  auto more = SeccompProgram::Build({"mkdir", "chmod"});
  ASSERT_TRUE(base);
  ASSERT_TRUE(more);
  EXPECT_GT(more->InstructionCount(), base->InstructionCount());
}

TEST(SeccompFilter, UnknownExtraSyscallIsAnError) {
  auto program = SeccompProgram::Build({"definitely_not_a_syscall"});
  ASSERT_FALSE(program);
  EXPECT_THAT(program.error().Describe(), HasSubstr("definitely_not_a_syscall"));
}

}  // namespace
}  // namespace hotplex::sandbox
