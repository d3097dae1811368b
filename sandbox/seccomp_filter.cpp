#include "sandbox/seccomp_filter.hpp"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "common/unique_fd.hpp"

namespace hotplex::sandbox {
namespace {

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using ContextPtr = std::unique_ptr<void, ContextDeleter>;

constexpr unsigned long kNamespaceFlags[] = {CLONE_NEWNS,     CLONE_NEWUTS, CLONE_NEWIPC,
                                             CLONE_NEWUSER,   CLONE_NEWPID, CLONE_NEWNET,
                                             CLONE_NEWCGROUP, 0x00000080 /* CLONE_NEWTIME */};

Error SeccompError(const char* what, int rc) { return Error{what, -rc, "seccomp"}; }

Status DenyByName(scmp_filter_ctx ctx, const std::string& name, bool must_exist) {
  const int nr = seccomp_syscall_resolve_name(name.c_str());
  if (nr == __NR_SCMP_ERROR) {
    if (must_exist) return MakeError("unknown syscall '" + name + "' in the seccomp deny list");
    return {};
  }
  const int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
  // -EEXIST: already denied; -EDOM: not on this arch.
  if (rc < 0 && rc != -EEXIST && rc != -EDOM) return SeccompError("seccomp_rule_add", rc);
  return {};
}

Status AddArgumentRules(scmp_filter_ctx ctx) {
  // Only the low 32 bits of an ioctl request are meaningful: mask them so a
  // request with high bits set cannot slip past.
  for (unsigned long request :
       {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)}) {
    const int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, request));
    if (rc < 0) return SeccompError("seccomp_rule_add(ioctl)", rc);
  }
  for (unsigned long flag : kNamespaceFlags) {
    const int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                    SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
    if (rc < 0) return SeccompError("seccomp_rule_add(clone)", rc);
  }
  const int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc < 0 && rc != -EDOM) return SeccompError("seccomp_rule_add(clone3)", rc);
  return {};
}

Result<std::vector<sock_filter>> Export(scmp_filter_ctx ctx) {
  UniqueFd memfd(::memfd_create("hotplex-seccomp", MFD_CLOEXEC));
  if (!memfd) return ErrnoError("memfd_create");
  const int rc = seccomp_export_bpf(ctx, memfd.Get());
  if (rc < 0) return SeccompError("seccomp_export_bpf", rc);
  const off_t size = ::lseek(memfd.Get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) return MakeError("bad seccomp program size");
  std::vector<sock_filter> filter(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(memfd.Get(), filter.data(), static_cast<std::size_t>(size), 0) != size) {
    return ErrnoError("read seccomp program");
  }
  return filter;
}

}  // namespace

const std::vector<std::string>& SeccompProgram::DefaultDenied() {
  static const std::vector<std::string> kDenied = {"mount",
                                                   "umount",
                                                   "umount2",
                                                   "pivot_root",
                                                   "chroot",
                                                   "fsopen",
                                                   "fsconfig",
                                                   "fsmount",
                                                   "fspick",
                                                   "move_mount",
                                                   "open_tree",
                                                   "mount_setattr",
                                                   "ptrace",
                                                   "process_vm_readv",
                                                   "process_vm_writev",
                                                   "kexec_load",
                                                   "kexec_file_load",
                                                   "init_module",
                                                   "finit_module",
                                                   "delete_module",
                                                   "create_module",
                                                   "get_kernel_syms",
                                                   "query_module",
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
                                                   "quotactl_fd",
                                                   "syslog",
                                                   "iopl",
                                                   "ioperm",
                                                   "io_uring_setup",
                                                   "io_uring_enter",
                                                   "io_uring_register",
                                                   "lookup_dcookie",
                                                   "nfsservctl",
                                                   "uselib",
                                                   "vm86",
                                                   "vm86old",
                                                   "settimeofday",
                                                   "stime",
                                                   "clock_settime",
                                                   "clock_adjtime",
                                                   "adjtimex",
                                                   "_sysctl",
                                                   "sethostname",
                                                   "setdomainname",
                                                   "fanotify_init",
                                                   "kcmp",
                                                   "pidfd_getfd",
                                                   "vhangup"};
  return kDenied;
}

Result<SeccompProgram> SeccompProgram::Build(const std::vector<std::string>& extra_denied) {
  ContextPtr ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return MakeError("seccomp_init failed");
  for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    const int rc = seccomp_arch_add(ctx.get(), arch);
    if (rc < 0 && rc != -EEXIST) return SeccompError("seccomp_arch_add", rc);
  }
  for (const auto& name : DefaultDenied()) {
    HOTPLEX_TRY_STATUS(DenyByName(ctx.get(), name, /*must_exist=*/false));
  }
  for (const auto& name : extra_denied) HOTPLEX_TRY_STATUS(DenyByName(ctx.get(), name, true));
  HOTPLEX_TRY_STATUS(AddArgumentRules(ctx.get()));
  HOTPLEX_TRY(auto filter, Export(ctx.get()));
  SeccompProgram program;
  program.filter_ = std::move(filter);
  return program;
}

Result<std::shared_ptr<const SeccompProgram>> SeccompCache::Get(
    const std::vector<std::string>& extra_denied) {
  constexpr std::size_t kMaxPrograms = 64;
  std::lock_guard lock(mu_);
  if (auto it = programs_.find(extra_denied); it != programs_.end()) return it->second;
  HOTPLEX_TRY(auto program, SeccompProgram::Build(extra_denied));
  auto shared = std::make_shared<const SeccompProgram>(std::move(program));
  if (programs_.size() < kMaxPrograms) programs_.emplace(extra_denied, shared);
  return shared;
}

int SeccompProgram::Install() const {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(filter_.size());
  prog.filter = const_cast<sock_filter*>(filter_.data());
  return ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

}  // namespace hotplex::sandbox
