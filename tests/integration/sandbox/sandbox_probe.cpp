// sandbox-probe: runs inside a sandbox and reports what the kernel let it do.
// Each sub-command prints one line the integration tests parse.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int ErrnoOf(long rc) { return rc < 0 ? errno : 0; }

// i386 system call through int 0x80; returns -errno like the raw kernel ABI.
long Int80(long nr, long a = 0, long b = 0, long c = 0, long d = 0) {
  long ret;
  asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
  return ret;
}

// Whether this kernel has the i386 system call entry at all: without IA32
// emulation (CONFIG_IA32_EMULATION=n, or ia32_emulation=0) int 0x80 is a SIGSEGV.
bool HasI386Entry() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(Int80(20 /* getpid */) == ::getpid() ? 0 : 1);
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int Denied(const std::string& what) {
  errno = 0;
  long rc = 0;
  if (what == "mount")
    rc = ::mount("none", "/tmp", "tmpfs", 0, nullptr);
  else if (what == "umount")
    rc = ::umount2("/proc", MNT_DETACH);
  else if (what == "unshare-user")
    rc = ::unshare(CLONE_NEWUSER);
  else if (what == "unshare-net")
    rc = ::unshare(CLONE_NEWNET);
  else if (what == "ptrace")
    rc = ::ptrace(PTRACE_ATTACH, 1, nullptr, nullptr);
  else if (what == "bpf") {
    bpf_attr attr{};
    rc = ::syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  } else if (what == "keyctl")
    rc = ::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  else if (what == "tiocsti") {
    char c = 'x';
    rc = ::ioctl(0, TIOCSTI, &c);
  } else if (what == "tiocsti-highbits") {
    char c = 'x';
    rc = ::syscall(SYS_ioctl, 0, 0x100000000ul | TIOCSTI, &c);
  } else if (what == "clone-newns")
    rc = ::syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
  else if (what == "clone3") {
    clone_args args{};
    args.exit_signal = SIGCHLD;
    rc = ::syscall(SYS_clone3, &args, sizeof args);
    if (rc == 0) ::_exit(0);
  } else if (what == "io_uring")
    rc = ::syscall(SYS_io_uring_setup, 1, nullptr);
  else if (what == "setns")
    rc = ::syscall(SYS_setns, 0, 0);
  else if (what == "i386-mount") {
    if (!HasI386Entry()) {
      std::printf("i386-mount unsupported\n");
      return 0;
    }
    const long r = Int80(21 /* mount */, 0, 0, 0, 0);
    rc = r < 0 ? (errno = static_cast<int>(-r), -1) : r;
  } else {
    std::printf("unknown %s\n", what.c_str());
    return 2;
  }
  if (rc > 0 && what.rfind("clone", 0) == 0) ::waitpid(static_cast<pid_t>(rc), nullptr, 0);
  std::printf("%s %s\n", what.c_str(), rc < 0 ? strerrorname_np(ErrnoOf(rc)) : "OK");
  return 0;
}

int ListFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return 1;
  std::string out;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.' || std::atoi(e->d_name) == ::dirfd(dir)) continue;
    out += std::string(e->d_name) + " ";
  }
  ::closedir(dir);
  std::printf("fds %s\n", out.c_str());
  return 0;
}

int ListPids() {
  DIR* dir = ::opendir("/proc");
  std::string out;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') out += std::string(e->d_name) + " ";
  }
  ::closedir(dir);
  std::printf("pids %s\n", out.c_str());
  return 0;
}

// Forks until the kernel refuses; children sleep until the sandbox ends.
int ForkUntilRefused() {
  int forked = 0;
  while (forked < 100000) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::pause();
      ::_exit(0);
    }
    if (pid < 0) {
      std::printf("forked %d then %s\n", forked, strerrorname_np(errno));
      return 0;
    }
    ++forked;
  }
  std::printf("forked %d never refused\n", forked);
  return 0;
}

int CountZombiesAfterOrphan() {
  const pid_t child = ::fork();
  if (child == 0) {
    if (::fork() == 0) {  // grandchild: orphaned, reparented to the sandbox's init
      ::usleep(50'000);
      ::_exit(0);
    }
    ::_exit(0);
  }
  ::waitpid(child, nullptr, 0);
  ::usleep(400'000);
  int zombies = 0;
  DIR* dir = ::opendir("/proc");
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char path[300], buf[256] = {};
    std::snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE* f = std::fopen(path, "r");
    if (!f) continue;
    std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    const char* paren = std::strrchr(buf, ')');
    if (paren && paren[1] == ' ' && paren[2] == 'Z') ++zombies;
  }
  ::closedir(dir);
  std::printf("zombies %d\n", zombies);
  return 0;
}

int Hog() {
  std::vector<char*> blocks;
  for (int i = 0; i < 4096; ++i) {  // up to 4 GiB, touched page by page
    char* p = static_cast<char*>(std::malloc(1 << 20));
    if (!p) break;
    std::memset(p, 1, 1 << 20);
    blocks.push_back(p);
  }
  std::printf("hog survived\n");
  return 0;
}

int Connect(const char* ip, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip, &addr.sin_addr);
  const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  std::printf("connect %s\n", rc == 0 ? "OK" : strerrorname_np(errno));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const std::string cmd = argv[1];
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  if (cmd == "denied" && argc == 3) return Denied(argv[2]);
  if (cmd == "fds") return ListFds();
  if (cmd == "pids") return ListPids();
  if (cmd == "forkbomb") return ForkUntilRefused();
  if (cmd == "zombies") return CountZombiesAfterOrphan();
  if (cmd == "hog") return Hog();
  if (cmd == "connect" && argc == 4) return Connect(argv[2], std::atoi(argv[3]));
  std::fprintf(stderr, "sandbox-probe: unknown command %s\n", cmd.c_str());
  return 2;
}
