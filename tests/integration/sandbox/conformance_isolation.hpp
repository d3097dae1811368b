// BackendIsolation: what a sandboxed payload can see and do (files, processes,
// privileges, syscalls, network, identity, environment, descriptors), on every
// Linux backend. Where a backend differs by design the test reads the fixture's
// trait (sandbox_harness.hpp, docker_harness.hpp) instead of being copied:
//   TypeParam::kShadowError, kSystemDirsHidden, kPayloadUid/kPayloadGid, AddedEnv().
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {

// Whether this kernel has the i386 system call entry (int 0x80) at all; a kernel
// without IA32 emulation answers it with SIGSEGV, so there is no filter to bypass.
inline bool HostHasI386Entry() {
  const pid_t child = ::fork();
  if (child == 0) {
    long ret;
    asm volatile("int $0x80" : "=a"(ret) : "a"(20L /* getpid */) : "memory");
    ::_exit(ret == ::getpid() ? 0 : 1);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

template <class Fixture>
class BackendIsolation : public Fixture {};

TYPED_TEST_SUITE_P(BackendIsolation);

TYPED_TEST_P(BackendIsolation, HostFilesOutsideTheJailAreInvisible) {
  using ::testing::HasSubstr;
  const std::string marker = "/tmp/hotplex-host-only-" + std::to_string(::getpid());
  std::ofstream(marker) << "host";
  auto r = this->Run({"/bin/sh", "-c", "ls " + marker + "; cat /etc/shadow; ls /root; ls /var"});
  ::unlink(marker.c_str());
  EXPECT_THAT(r.err, HasSubstr(marker + "': No such file"));
  EXPECT_THAT(r.err, HasSubstr(std::string("/etc/shadow: ") + TypeParam::kShadowError));
  EXPECT_THAT(r.err, HasSubstr("/root"));
  if (TypeParam::kSystemDirsHidden) {
    EXPECT_THAT(r.err, HasSubstr("/var"));
  }
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("root:")));
}

TYPED_TEST_P(BackendIsolation, WritesOutsideWorkdirFailAndInsideLandOnHost) {
  using ::testing::HasSubstr;
  auto r = this->Run({"/bin/sh", "-c",
                      "for p in /usr/x /etc/x /x /opt/probe/x; do touch $p 2>&1 || echo FAIL $p; "
                      "done; echo hello > result.txt && echo WROTE"});
  ExpectExit0(r);
  for (const char* p : {"/usr/x", "/etc/x", "/x", "/opt/probe/x"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string("FAIL ") + p));
  }
  EXPECT_THAT(r.out, HasSubstr("Read-only file system"));
  EXPECT_THAT(r.out, HasSubstr("WROTE"));
  std::ifstream in(this->workdir_ + "/result.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "hello");
  struct stat st {};
  ASSERT_EQ(::stat((this->workdir_ + "/result.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kTestUid);  // lands on the host as the workspace owner
}

TYPED_TEST_P(BackendIsolation, ProcShowsOnlySandboxPids) {
  auto r = this->Run({kProbe, "pids"});
  ExpectExit0(r);
  // The sandbox's init (1) and the probe; nothing of the host.
  EXPECT_THAT(r.out, ::testing::MatchesRegex("pids 1 [0-9]+ \n"));
}

TYPED_TEST_P(BackendIsolation, NoCapabilitiesNoNewPrivsSeccompFiltered) {
  auto r = this->Run(
      {"/bin/sh", "-c",
       "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status"});
  ExpectExit0(r);
  for (const char* cap : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    EXPECT_THAT(r.out, ::testing::HasSubstr(std::string(cap) + ":\t0000000000000000"));
  }
  EXPECT_THAT(r.out, ::testing::HasSubstr("NoNewPrivs:\t1"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("Seccomp:\t2"));
}

TYPED_TEST_P(BackendIsolation, RunsUnprivilegedWithoutSupplementaryGroups) {
  auto r = this->Run({"/bin/sh", "-c", "id -u; id -g; id -G; pwd"});
  ExpectExit0(r);
  const std::string uid = std::to_string(TypeParam::kPayloadUid);
  const std::string gid = std::to_string(TypeParam::kPayloadGid);
  EXPECT_EQ(r.out, uid + "\n" + gid + "\n" + gid + "\n" + this->workdir_ + "\n");
}

// Every dangerous syscall of the shared deny list, in one sandbox: "<op> <errno>" each.
TYPED_TEST_P(BackendIsolation, SeccompDeniesDangerousSyscalls) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"mount", "EPERM"},
      {"umount", "EPERM"},
      {"unshare-user", "EPERM"},
      {"unshare-net", "EPERM"},
      {"ptrace", "EPERM"},
      {"bpf", "EPERM"},
      {"keyctl", "EPERM"},
      {"tiocsti", "EPERM"},
      {"tiocsti-highbits", "EPERM"},
      {"clone-newns", "EPERM"},
      {"clone3", "ENOSYS"},
      {"io_uring", "EPERM"},
      {"setns", "EPERM"},
      // Denied where the kernel has the i386 entry; where it has none, the probe
      // must find none inside the sandbox either.
      {"i386-mount", HostHasI386Entry() ? "EPERM" : "unsupported"}};
  std::string script, expected;
  for (const auto& [op, err] : cases) {
    script += std::string(kProbe) + " denied " + op + "; ";
    expected += std::string(op) + " " + err + "\n";
  }
  auto r = this->Run({"/bin/sh", "-c", script});
  ExpectExit0(r);
  EXPECT_EQ(r.out, expected);
}

TYPED_TEST_P(BackendIsolation, UnshareCommandFails) {
  auto r = this->Run({"/bin/sh", "-c", "unshare -U true; echo rc=$?"});
  EXPECT_THAT(r.err, ::testing::HasSubstr("Operation not permitted"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("rc=1"));
}

TYPED_TEST_P(BackendIsolation, ThreadsAndForkStillWork) {
  // clone3 answers ENOSYS so libc falls back to clone; threads must work.
  auto r = this->Run({"/bin/sh", "-c",
                      "python3 -c 'import threading; t=threading.Thread(target=print, "
                      "args=(\"thread-ok\",)); t.start(); t.join()' && (echo sub-ok) | cat"});
  ExpectExit0(r);
  EXPECT_THAT(r.out, ::testing::HasSubstr("thread-ok"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("sub-ok"));
}

TYPED_TEST_P(BackendIsolation, NetworkNoneHasOnlyLoopback) {
  // A listener on the host's loopback must be unreachable: the sandbox has its own.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  auto r =
      this->Run({"/bin/sh", "-c",
                 "cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '; wc -l < /proc/net/route; " +
                     std::string(kProbe) + " connect 127.0.0.1 " + port});
  ::close(listener);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "lo\n1\nconnect ECONNREFUSED\n");  // only lo, no routes, host port unreachable
}

TYPED_TEST_P(BackendIsolation, HostEnvironmentDoesNotLeak) {
  ::setenv("HOTPLEX_TEST_SECRET", "s3cr3t", 1);
  auto spec = this->Spec({"/usr/bin/env"});
  spec.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
  auto r = this->Run(spec);
  ExpectExit0(r);
  std::istringstream lines(r.out);
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);)
    names.push_back(line.substr(0, line.find('=')));
  std::vector<std::string> expected = TypeParam::AddedEnv();
  expected.insert(expected.end(), {"ONLY", "PATH"});
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("ONLY=this\n"));
  EXPECT_THAT(r.out, ::testing::Not(::testing::HasSubstr("s3cr3t")));
}

TYPED_TEST_P(BackendIsolation, NoParentDescriptorLeaks) {
  // Deliberately without O_CLOEXEC: the sandbox must close it anyway.
  const int leaky = ::open("/etc/hostname", O_RDONLY);
  ASSERT_GE(leaky, 3);
  auto r = this->Run({kProbe, "fds"});
  ::close(leaky);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "fds 0 1 2 \n");
}

TYPED_TEST_P(BackendIsolation, SymlinkInWorkdirCannotWriteOutside) {
  const std::string outside = MakeTempDir("hotplex-outside", kTestUid, kTestGid);
  ASSERT_EQ(::symlink(outside.c_str(), (this->workdir_ + "/escape").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/passwd", (this->workdir_ + "/passwd-link").c_str()), 0);
  auto r = this->Run(
      {"/bin/sh", "-c", "echo pwned > escape/pwned; echo pwned >> passwd-link; echo done"});
  EXPECT_THAT(r.out, ::testing::HasSubstr("done"));
  EXPECT_NE(::access((outside + "/pwned").c_str(), F_OK), 0);
  std::ifstream passwd("/etc/passwd");
  std::string content((std::istreambuf_iterator<char>(passwd)), {});
  EXPECT_THAT(content, ::testing::Not(::testing::HasSubstr("pwned")));
  RemoveTree(outside);
}

REGISTER_TYPED_TEST_SUITE_P(BackendIsolation, HostFilesOutsideTheJailAreInvisible,
                            WritesOutsideWorkdirFailAndInsideLandOnHost, ProcShowsOnlySandboxPids,
                            NoCapabilitiesNoNewPrivsSeccompFiltered,
                            RunsUnprivilegedWithoutSupplementaryGroups,
                            SeccompDeniesDangerousSyscalls, UnshareCommandFails,
                            ThreadsAndForkStillWork, NetworkNoneHasOnlyLoopback,
                            HostEnvironmentDoesNotLeak, NoParentDescriptorLeaks,
                            SymlinkInWorkdirCannotWriteOutside);

}  // namespace hotplex::sandbox::testing
