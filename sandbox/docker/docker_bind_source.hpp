// Docker bind sources that dockerd cannot be tricked into resolving elsewhere.
//
// dockerd (root) stats a bind source path at create, creates it when missing,
// and runc resolves it again at start, following a symlink in any component.
// A tenant owns the inside of its workspace: between our check and runc's
// mount it can swap `x` in `x/sub` for a symlink to any host directory. So:
//  - a source is handed to dockerd as a path only when nobody but root can
//    change any directory on the way to it (`root_fixed`: every parent owned by
//    root and not writable by group or others, or sticky with a root-owned
//    entry, like /tmp): a tenant's workspace root, a session home;
//  - any other source (a workdir below the workspace root) is pinned (opened
//    component by component without following a link) and mounted FROM THAT FD
//    (open_tree + move_mount) on a fresh entry of a root-only staging directory;
//    dockerd gets the staging path. runc copies the mount into the container
//    at start; the launch then detaches and removes the staging entry.
// The docker socket, or a directory holding it, is refused by identity
// (device + inode), whatever path names it. See sandbox/docker/DOCKER.md "Bind sources".
// Thread-safety: free functions are reentrant; a DockerBindStaging has one owner.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "sandbox/sandbox_spec.hpp"

namespace hotplex::sandbox {

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId&) const = default;
};

struct PinnedSource {
  UniqueFd fd;       // O_PATH, reached without following a tenant's link
  std::string path;  // the path walked, free of links
  FileId id;         // of what fd refers to
  bool directory = false;
  bool root_fixed = false;  // no non-root user can change the path's meaning
  std::string changeable;   // when not: the directory that lets someone, and why
};

// Opens absolute `path` one component at a time with O_NOFOLLOW and says whether
// its meaning is fixed by root (see above). A symlink is refused, unless it is
// root's own in a root-fixed directory (/var/run -> /run) and not the last
// component: that one is followed.
Result<PinnedSource> PinBindSource(const std::string& path);

// One launch's staging directory, <root>/<name> (root-only, 0700), made on the
// first Mount. Each Mount adds an entry with the pinned source mounted on it.
// Release (and the destructor) detaches every mount and removes the entries
// and the directory.
class DockerBindStaging {
 public:
  DockerBindStaging(std::string root, std::string name)
      : root_(std::move(root)), name_(std::move(name)) {}
  DockerBindStaging(const DockerBindStaging&) = delete;
  DockerBindStaging& operator=(const DockerBindStaging&) = delete;
  ~DockerBindStaging() { Release(); }

  // The path of a new entry showing what `source` refers to.
  Result<std::string> Mount(const PinnedSource& source);
  bool Empty() const { return entries_.empty(); }
  void Release();

 private:
  Status Open();

  std::string root_;
  std::string name_;
  UniqueFd root_fd_;
  UniqueFd dir_fd_;
  struct Entry {
    std::string name;
    bool directory;
  };
  std::vector<Entry> entries_;
};

// Detaches and removes whatever a crashed run left under `root` (at most 4096
// directories); how many it removed.
std::size_t RemoveStaleStaging(const std::string& root);

// What dockerd is handed for each bind of a spec.
struct DockerBindSources {
  std::string workdir;
  std::string home;                 // empty when the spec has no home_source
  std::vector<std::string> mounts;  // one per spec.mounts entry, same order
  bool workdir_staged = false;
  FileId workdir_id;  // the pinned workdir: the container's cwd must be it
};

// Pins every source of `spec` (the workdir and home: the supervisor's fds,
// SandboxSpec::workdir_fd/home_fd, when set), refuses the docker socket
// (`docker_socket`, its directories), and stages the ones that are not
// root-fixed in `staging`.
Result<DockerBindSources> ResolveDockerBindSources(const SandboxSpec& spec,
                                                   const std::string& docker_socket,
                                                   DockerBindStaging& staging);

}  // namespace hotplex::sandbox
