// The namespace suite's isolation tests (tests/integration/sandbox/isolation_test.cpp)
// against the docker backend. Where Docker differs by design (the image's own
// /etc, docker-init as pid 1, the workspace owner's uid without a name, Docker's
// HOSTNAME/HOME variables) the expectation says so.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "docker_harness.hpp"

namespace hotplex::sandbox::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

TEST_F(DockerSandboxTest, HostFilesOutsideTheJailAreInvisible) {
  const std::string marker = "/tmp/hotplex-host-only-" + std::to_string(::getpid());
  std::ofstream(marker) << "host";
  auto r = Run({"/bin/sh", "-c", "ls " + marker + "; cat /etc/shadow; ls /root"});
  ::unlink(marker.c_str());
  EXPECT_THAT(r.err, HasSubstr(marker + "': No such file"));
  EXPECT_THAT(r.err, HasSubstr("/etc/shadow: Permission denied"));
  EXPECT_THAT(r.err, HasSubstr("/root"));
  EXPECT_THAT(r.out, Not(HasSubstr("root:")));
}

TEST_F(DockerSandboxTest, WritesOutsideWorkdirFailAndInsideLandOnHost) {
  auto r = Run({"/bin/sh", "-c",
                "for p in /usr/x /etc/x /x /opt/probe/x; do touch $p 2>&1 || echo FAIL $p; done; "
                "echo hello > result.txt && echo WROTE"});
  ExpectExit0(r);
  for (const char* p : {"/usr/x", "/etc/x", "/x", "/opt/probe/x"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string("FAIL ") + p));
  }
  EXPECT_THAT(r.out, HasSubstr("Read-only file system"));
  EXPECT_THAT(r.out, HasSubstr("WROTE"));
  std::ifstream in(workdir_ + "/result.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "hello");
  struct stat st {};
  ASSERT_EQ(::stat((workdir_ + "/result.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kTestUid);  // the container user is the workspace owner
}

TEST_F(DockerSandboxTest, ProcShowsOnlySandboxPids) {
  auto r = Run({kProbe, "pids"});
  ExpectExit0(r);
  // docker-init (1) and the probe; nothing of the host.
  EXPECT_THAT(r.out, MatchesRegex("pids 1 [0-9]+ \n"));
}

TEST_F(DockerSandboxTest, NoCapabilitiesNoNewPrivsSeccompFiltered) {
  auto r = Run(
      {"/bin/sh", "-c",
       "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status"});
  ExpectExit0(r);
  for (const char* cap : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string(cap) + ":\t0000000000000000"));
  }
  EXPECT_THAT(r.out, HasSubstr("NoNewPrivs:\t1"));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2"));
}

TEST_F(DockerSandboxTest, RunsAsTheWorkspaceOwnerNotRoot) {
  auto r = Run({"/bin/sh", "-c", "id -u; id -g; pwd"});
  ExpectExit0(r);
  EXPECT_EQ(r.out,
            std::to_string(kTestUid) + "\n" + std::to_string(kTestGid) + "\n" + workdir_ + "\n");
}

struct DeniedCase {
  const char* op;
  const char* expected;
};

void PrintTo(const DeniedCase& c, std::ostream* os) { *os << c.op << " -> " << c.expected; }

class DockerSeccompDenies : public DockerSandboxTest,
                            public ::testing::WithParamInterface<DeniedCase> {};

TEST_P(DockerSeccompDenies, Syscall) {
  auto r = Run({kProbe, "denied", GetParam().op});
  ExpectExit0(r);
  EXPECT_EQ(r.out, std::string(GetParam().op) + " " + GetParam().expected + "\n");
}

INSTANTIATE_TEST_SUITE_P(
    Docker, DockerSeccompDenies,
    ::testing::Values(DeniedCase{"mount", "EPERM"}, DeniedCase{"umount", "EPERM"},
                      DeniedCase{"unshare-user", "EPERM"}, DeniedCase{"unshare-net", "EPERM"},
                      DeniedCase{"ptrace", "EPERM"}, DeniedCase{"bpf", "EPERM"},
                      DeniedCase{"keyctl", "EPERM"}, DeniedCase{"tiocsti", "EPERM"},
                      DeniedCase{"tiocsti-highbits", "EPERM"}, DeniedCase{"clone-newns", "EPERM"},
                      DeniedCase{"clone3", "ENOSYS"}, DeniedCase{"io_uring", "EPERM"},
                      DeniedCase{"setns", "EPERM"}, DeniedCase{"i386-mount", "EPERM"}),
    [](const auto& info) {
      std::string name = info.param.op;
      for (auto& c : name)
        if (c == '-') c = '_';
      return name;
    });

TEST_F(DockerSandboxTest, ThreadsAndForkStillWork) {
  auto r = Run({"/bin/sh", "-c",
                "python3 -c 'import threading; t=threading.Thread(target=print, "
                "args=(\"thread-ok\",)); t.start(); t.join()' && (echo sub-ok) | cat"});
  ExpectExit0(r);
  EXPECT_THAT(r.out, HasSubstr("thread-ok"));
  EXPECT_THAT(r.out, HasSubstr("sub-ok"));
}

TEST_F(DockerSandboxTest, NetworkNoneHasOnlyLoopback) {
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
  EXPECT_EQ(r.out, "lo\n1\nconnect ECONNREFUSED\n");
}

TEST_F(DockerSandboxTest, HostEnvironmentDoesNotLeak) {
  ::setenv("HOTPLEX_TEST_SECRET", "s3cr3t", 1);
  auto spec = Spec({"/usr/bin/env"});
  spec.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
  spec.id = "envtest";
  auto r = Run(spec);
  ExpectExit0(r);
  // Docker adds HOSTNAME and HOME (the user has no passwd entry); nothing else.
  std::istringstream lines(r.out);
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);)
    names.push_back(line.substr(0, line.find('=')));
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ::testing::ElementsAre("HOME", "HOSTNAME", "ONLY", "PATH")) << r.out;
  EXPECT_THAT(r.out, HasSubstr("ONLY=this\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("s3cr3t")));
}

TEST_F(DockerSandboxTest, NoParentDescriptorLeaks) {
  const int leaky = ::open("/etc/hostname", O_RDONLY);
  ASSERT_GE(leaky, 3);
  auto r = Run({kProbe, "fds"});
  ::close(leaky);
  ExpectExit0(r);
  EXPECT_EQ(r.out, "fds 0 1 2 \n");
}

TEST_F(DockerSandboxTest, SymlinkInWorkdirCannotWriteOutside) {
  const std::string outside = MakeTempDir("hotplex-outside", kTestUid, kTestGid);
  ASSERT_EQ(::symlink(outside.c_str(), (workdir_ + "/escape").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/passwd", (workdir_ + "/passwd-link").c_str()), 0);
  auto r =
      Run({"/bin/sh", "-c", "echo pwned > escape/pwned; echo pwned >> passwd-link; echo done"});
  EXPECT_THAT(r.out, HasSubstr("done"));
  EXPECT_NE(::access((outside + "/pwned").c_str(), F_OK), 0);
  std::ifstream passwd("/etc/passwd");
  std::string content((std::istreambuf_iterator<char>(passwd)), {});
  EXPECT_THAT(content, Not(HasSubstr("pwned")));
  RemoveTree(outside);
}

TEST_F(DockerSandboxTest, DockerSocketIsNeverMounted) {
  auto spec = Spec({"/bin/true"});
  spec.mounts.push_back({Client().SocketPath(), "/var/run/docker.sock", MountMode::kReadOnly});
  auto launched = backend_->Launch(spec);
  ASSERT_FALSE(launched);
  EXPECT_THAT(launched.error().Describe(), HasSubstr("docker socket"));
}

}  // namespace
}  // namespace hotplex::sandbox::testing
