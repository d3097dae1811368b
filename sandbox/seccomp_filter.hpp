// SeccompProgram: the syscall filter every sandboxed payload runs under.
//
// Built in the parent with libseccomp and exported as a classic BPF program;
// the child installs it with one prctl() right before execve. The default
// profile follows Docker's: allow by default, deny with EPERM the syscalls
// that reach the kernel's attack surface or escape the namespaces (mount,
// ptrace, bpf, keyctl, module loading, unshare, setns, clone with namespace
// flags, TIOCSTI/TIOCLINUX ioctls, io_uring, ...). clone3 answers ENOSYS (its
// flags sit behind a pointer and cannot be filtered) so that libc falls back
// to clone. The i386 and x32 ABIs get the same rules.
#pragma once

#include <linux/filter.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::sandbox {

class SeccompProgram {
 public:
  // `extra_denied` are syscall names denied with EPERM on top of the default;
  // an unknown name is an error.
  static Result<SeccompProgram> Build(const std::vector<std::string>& extra_denied);

  // The syscall names denied by the default profile (for docs and tests).
  static const std::vector<std::string>& DefaultDenied();

  // Child side, async-signal-safe: installs the filter (needs no_new_privs).
  // Returns -1 with errno set on failure.
  int Install() const;

  std::size_t InstructionCount() const { return filter_.size(); }

 private:
  std::vector<sock_filter> filter_;
};

// Compiled programs by their extra denials: compiling one takes about a
// millisecond, and a supervisor launches many sandboxes with few policies.
// Thread-safe; holds at most 64 programs (more are compiled but not kept).
class SeccompCache {
 public:
  Result<std::shared_ptr<const SeccompProgram>> Get(const std::vector<std::string>& extra_denied);

 private:
  std::mutex mu_;
  std::map<std::vector<std::string>, std::shared_ptr<const SeccompProgram>> programs_;
};

}  // namespace hotplex::sandbox
