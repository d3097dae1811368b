// What a sandboxed payload can see and do: files, processes, privileges,
// syscalls, network, identity, environment, descriptors.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "sandbox_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(SandboxTest, HostFilesOutsideTheJailAreInvisible) {
  auto r = Run({"/bin/sh", "-c", "ls /root; cat /etc/shadow; ls /home; ls /var"});
  EXPECT_THAT(r.err, HasSubstr("/root"));
  EXPECT_THAT(r.err, HasSubstr("/etc/shadow: No such file"));
  EXPECT_THAT(r.err, HasSubstr("/var"));
  EXPECT_THAT(r.out, Not(HasSubstr("root:")));
}

TEST_F(SandboxTest, WritesOutsideWorkdirFailAndInsideLandOnHost) {
  auto r = Run({"/bin/sh", "-c",
                "for p in /usr/x /etc/x /x /opt/probe/x; do touch $p 2>&1 || echo FAIL $p; done; "
                "echo hello > result.txt && echo WROTE"});
  ExpectExit0(r);
  for (const char* p : {"/usr/x", "/etc/x", "/x", "/opt/probe/x"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string("FAIL ") + p));
    EXPECT_THAT(r.out, HasSubstr("Read-only file system"));
  }
  EXPECT_THAT(r.out, HasSubstr("WROTE"));
  std::ifstream in(workdir_ + "/result.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "hello");
  struct stat st {};
  ASSERT_EQ(::stat((workdir_ + "/result.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kTestUid);  // the sandbox user is the mapped host uid
}

TEST_F(SandboxTest, ProcShowsOnlySandboxPids) {
  auto r = Run({kProbe, "pids"});
  ExpectExit0(r);
  // init (1) and the probe (2); nothing of the host.
  EXPECT_EQ(r.out, "pids 1 2 \n");
}

TEST_F(SandboxTest, NoCapabilitiesNoNewPrivsSeccompFiltered) {
  auto r = Run({"/bin/sh", "-c", "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status"});
  ExpectExit0(r);
  for (const char* cap : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string(cap) + ":\t0000000000000000"));
  }
  EXPECT_THAT(r.out, HasSubstr("NoNewPrivs:\t1"));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2"));
}

TEST_F(SandboxTest, RunsAsUnprivilegedAgentUser) {
  auto r = Run({"/bin/sh", "-c", "id; echo $HOME; pwd"});
  ExpectExit0(r);
  EXPECT_THAT(r.out, HasSubstr("uid=1000(agent) gid=1000(agent) groups=1000(agent)"));
  EXPECT_THAT(r.out, HasSubstr(workdir_));
}

struct DeniedCase {
  const char* op;
  const char* expected;
};

void PrintTo(const DeniedCase& c, std::ostream* os) { *os << c.op << " -> " << c.expected; }

class SeccompDenies : public SandboxTest, public ::testing::WithParamInterface<DeniedCase> {};

TEST_P(SeccompDenies, Syscall) {
  auto r = Run({kProbe, "denied", GetParam().op});
  ExpectExit0(r);
  EXPECT_EQ(r.out, std::string(GetParam().op) + " " + GetParam().expected + "\n");
}

INSTANTIATE_TEST_SUITE_P(
    Sandbox, SeccompDenies,
    ::testing::Values(DeniedCase{"mount", "EPERM"}, DeniedCase{"umount", "EPERM"},
                      DeniedCase{"unshare-user", "EPERM"}, DeniedCase{"unshare-net", "EPERM"},
                      DeniedCase{"ptrace", "EPERM"}, DeniedCase{"bpf", "EPERM"},
                      DeniedCase{"keyctl", "EPERM"}, DeniedCase{"tiocsti", "EPERM"},
                      DeniedCase{"tiocsti-highbits", "EPERM"}, DeniedCase{"clone-newns", "EPERM"},
                      DeniedCase{"clone3", "ENOSYS"}, DeniedCase{"io_uring", "EPERM"},
                      DeniedCase{"setns", "EPERM"}, DeniedCase{"i386-mount", "EPERM"}),
    [](const auto& info) {
      std::string name = info.param.op;
      for (auto& c : name) if (c == '-') c = '_';
      return name;
    });

TEST_F(SandboxTest, UnshareCommandFails) {
  auto r = Run({"/bin/sh", "-c", "unshare -U true; echo rc=$?"});
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  EXPECT_THAT(r.out, HasSubstr("rc=1"));
}

TEST_F(SandboxTest, ThreadsAndForkStillWork) {
  // clone3 answers ENOSYS so libc falls back to clone; threads must work.
  auto r = Run({"/bin/sh", "-c", "python3 -c 'import threading; t=threading.Thread(target=print, args=(\"thread-ok\",)); t.start(); t.join()' && (echo sub-ok) | cat"});
  ExpectExit0(r);
  EXPECT_THAT(r.out, HasSubstr("thread-ok"));
  EXPECT_THAT(r.out, HasSubstr("sub-ok"));
}

TEST_F(SandboxTest, NetworkNoneHasOnlyLoopback) {
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
  auto r = Run({"/bin/sh", "-c",
                "cut -d: -f1 /proc/net/dev | tail -n +3 | tr -d ' '; wc -l < /proc/net/route; " +
                    std::string(kProbe) + " connect 127.0.0.1 " + port});
  ::close(listener);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "lo\n1\nconnect ECONNREFUSED\n");  // only lo, no routes, host port unreachable
}

TEST_F(SandboxTest, HostEnvironmentDoesNotLeak) {
  ::setenv("HOTPLEX_TEST_SECRET", "s3cr3t", 1);
  auto spec = Spec({"/usr/bin/env"});
  spec.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
  auto r = Run(spec);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "PATH=/usr/bin:/bin\nONLY=this\n");
}

TEST_F(SandboxTest, NoParentDescriptorLeaks) {
  // Deliberately without O_CLOEXEC: the sandbox must close it anyway.
  const int leaky = ::open("/etc/hostname", O_RDONLY);
  ASSERT_GE(leaky, 3);
  auto r = Run({kProbe, "fds"});
  ::close(leaky);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "fds 0 1 2 \n");
}

TEST_F(SandboxTest, SymlinkInWorkdirCannotWriteOutside) {
  const std::string outside = MakeTempDir("hotplex-outside", kTestUid, kTestGid);
  ASSERT_EQ(::symlink(outside.c_str(), (workdir_ + "/escape").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/passwd", (workdir_ + "/passwd-link").c_str()), 0);
  auto r = Run({"/bin/sh", "-c", "echo pwned > escape/pwned; echo pwned >> passwd-link; echo done"});
  EXPECT_THAT(r.out, HasSubstr("done"));
  EXPECT_NE(::access((outside + "/pwned").c_str(), F_OK), 0);
  std::ifstream passwd("/etc/passwd");
  std::string content((std::istreambuf_iterator<char>(passwd)), {});
  EXPECT_THAT(content, Not(HasSubstr("pwned")));
  RemoveTree(outside);
}

}  // namespace
}  // namespace hotplex::sandbox::testing
