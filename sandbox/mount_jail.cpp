// Child side of the mount jail. Runs after clone() in a copy of a
// multi-threaded process: only syscalls and stack buffers, no allocation.
#include "sandbox/mount_jail.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "sandbox/mount_plan.hpp"
#include "sandbox/setup_report.hpp"

namespace hotplex::sandbox {
namespace child {
namespace {

constexpr const char* kStaging = "/tmp";

// Mount flags the kernel locks on a bind made inside a user namespace: a
// remount must repeat them or fail with EPERM.
unsigned long LockedFlags(const char* path) {
  struct statfs st {};
  if (::statfs(path, &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flags & ST_RDONLY) flags |= MS_RDONLY;
  if (st.f_flags & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flags & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flags & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flags & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flags & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flags & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

bool MakeParentDirs(const char* path) {
  char parent[PATH_MAX];
  const std::size_t len = std::strlen(path);
  if (len >= sizeof parent) {
    errno = ENAMETOOLONG;
    return false;
  }
  std::memcpy(parent, path, len + 1);
  char* slash = std::strrchr(parent, '/');
  if (slash == nullptr || slash == parent) return true;
  *slash = '\0';
  return MakeDirsNoAlloc(parent, 0755);
}

bool CreateTarget(const char* path, bool dir) {
  if (dir) return MakeDirsNoAlloc(path, 0755);
  if (!MakeParentDirs(path)) return false;
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return errno == EEXIST;
  ::close(fd);
  return true;
}

void Bind(const MountOp& op, int report_fd) {
  if (!CreateTarget(op.target.c_str(), op.source_is_dir))
    ReportSetupFailure(report_fd, "mount target");
  if (::mount(op.source.c_str(), op.target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    ReportSetupFailure(report_fd, "bind mount");
  }
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | LockedFlags(op.target.c_str());
  if (!op.allow_devices) flags |= MS_NODEV;
  // A read-write bind stays read-only when its source is: LockedFlags keeps MS_RDONLY then.
  if (op.read_only) flags |= MS_RDONLY;
  if (::mount(nullptr, op.target.c_str(), nullptr, flags, nullptr) != 0) {
    ReportSetupFailure(report_fd, "remount bind");
  }
}

// The parent cloned the pinned directory into a detached mount (open_tree) and
// set nosuid+nodev(+ro) on it: attaching it resolves no host path at all. A
// bind of /proc/self/fd/N would not do: that fd's mount belongs to the parent's
// namespace and the kernel refuses to copy it here (EINVAL).
void AttachTree(const MountOp& op, int report_fd) {
  if (!MakeDirsNoAlloc(op.target.c_str(), 0755)) ReportSetupFailure(report_fd, "mount target");
  if (::syscall(SYS_move_mount, op.tree_fd, "", AT_FDCWD, op.target.c_str(),
                MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    ReportSetupFailure(report_fd, "attach pinned mount");
  }
  ::close(op.tree_fd);
}

void BindSelfReadOnly(const MountOp& op, int report_fd) {
  if (::mount(op.target.c_str(), op.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    ReportSetupFailure(report_fd, "bind proc entry");
  }
  const unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | LockedFlags(op.target.c_str());
  if (::mount(nullptr, op.target.c_str(), nullptr, flags, nullptr) != 0) {
    ReportSetupFailure(report_fd, "remount proc entry");
  }
}

void MountFs(const MountOp& op, const char* fstype, unsigned long flags, const char* step,
             int report_fd) {
  if (!MakeDirsNoAlloc(op.target.c_str(), 0755)) ReportSetupFailure(report_fd, "mount target");
  const char* data = op.data.empty() ? nullptr : op.data.c_str();
  if (::mount(fstype, op.target.c_str(), fstype, flags, data) != 0) {
    ReportSetupFailure(report_fd, step);
  }
}

void WriteFile(const MountOp& op, int report_fd) {
  if (!MakeParentDirs(op.target.c_str())) ReportSetupFailure(report_fd, "mkdir /etc");
  const int fd =
      ::open(op.target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) ReportSetupFailure(report_fd, "write file");
  const ssize_t n = ::write(fd, op.data.data(), op.data.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(op.data.size())) ReportSetupFailure(report_fd, "write file");
}

}  // namespace

bool MakeDirsNoAlloc(const char* path, unsigned mode) {
  char buf[PATH_MAX];
  const std::size_t len = std::strlen(path);
  if (len >= sizeof buf) {
    errno = ENAMETOOLONG;
    return false;
  }
  std::memcpy(buf, path, len + 1);
  for (std::size_t i = 1; i <= len; ++i) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    const char saved = buf[i];
    buf[i] = '\0';
    if (::mkdir(buf, mode) != 0 && errno != EEXIST) return false;
    buf[i] = saved;
  }
  return true;
}

void PrepareStagingRoot(int report_fd) {
  // Nothing we mount may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    ReportSetupFailure(report_fd, "make mounts private");
  }
  if (::mount("tmpfs", kStaging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0) {
    ReportSetupFailure(report_fd, "mount staging tmpfs");
  }
  if (::chdir(kStaging) != 0) ReportSetupFailure(report_fd, "chdir staging");
  if (::mkdir("newroot", 0755) != 0 || ::mkdir("oldroot", 0755) != 0) {
    ReportSetupFailure(report_fd, "mkdir staging");
  }
  // After this the host's root (including its /tmp, uncovered again) is at /oldroot.
  if (::syscall(SYS_pivot_root, ".", "oldroot") != 0)
    ReportSetupFailure(report_fd, "pivot_root staging");
  if (::chdir("/") != 0) ReportSetupFailure(report_fd, "chdir /");
  if (::mount("tmpfs", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    ReportSetupFailure(report_fd, "mount root tmpfs");
  }
}

void EnterNewRoot(int report_fd) {
  if (::chdir(kNewRoot) != 0) ReportSetupFailure(report_fd, "chdir newroot");
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // "." then drops the staging root and, with it, every host mount.
  if (::syscall(SYS_pivot_root, ".", ".") != 0) ReportSetupFailure(report_fd, "pivot_root");
  if (::umount2(".", MNT_DETACH) != 0) ReportSetupFailure(report_fd, "detach old root");
  if (::chdir("/") != 0) ReportSetupFailure(report_fd, "chdir /");
  const unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;
  if (::mount(nullptr, "/", nullptr, flags, nullptr) != 0)
    ReportSetupFailure(report_fd, "remount root ro");
}

}  // namespace child

void MountPlan::Apply(int report_fd) const {
  for (const MountOp& op : ops_) {
    switch (op.kind) {
      case MountOpKind::kBind: child::Bind(op, report_fd); break;
      case MountOpKind::kBindSelfRo: child::BindSelfReadOnly(op, report_fd); break;
      case MountOpKind::kTmpfs:
        child::MountFs(op, "tmpfs", MS_NOSUID | MS_NODEV, "mount tmpfs", report_fd);
        break;
      case MountOpKind::kProc:
        child::MountFs(op, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mount proc", report_fd);
        break;
      case MountOpKind::kDevpts:
        child::MountFs(op, "devpts", MS_NOSUID | MS_NOEXEC, "mount devpts", report_fd);
        break;
      case MountOpKind::kSymlink:
        if (!child::MakeParentDirs(op.target.c_str()) ||
            ::symlink(op.data.c_str(), op.target.c_str()) != 0) {
          ReportSetupFailure(report_fd, "symlink");
        }
        break;
      case MountOpKind::kWriteFile: child::WriteFile(op, report_fd); break;
      case MountOpKind::kAttachTree: child::AttachTree(op, report_fd); break;
    }
  }
}

}  // namespace hotplex::sandbox
