#include "policies/path_confinement.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace hotplex::policies {
namespace {

constexpr int kMaxSymlinks = 40;

void SplitInto(std::string_view path, std::vector<std::string>& parts) {
  // Components are pushed in reverse so the next one to walk is at the back.
  std::vector<std::string> forward;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t next = std::min(path.find('/', i), path.size());
    if (next > i) forward.emplace_back(path.substr(i, next - i));
    i = next + 1;
  }
  parts.insert(parts.end(), forward.rbegin(), forward.rend());
}

std::string Parent(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

std::string Child(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

Result<std::string> ReadLink(const std::string& path, const struct stat& st) {
  std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
  const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
  if (n < 0) return ErrnoError("readlink", path);
  target.resize(static_cast<std::size_t>(n));
  return target;
}

}  // namespace

Result<std::string> ResolvePath(std::string_view path, std::string_view base) {
  if (path.empty()) return MakeError("empty path");
  if (path.find('\0') != std::string_view::npos) return MakeError("path contains a NUL byte");
  std::vector<std::string> todo;  // remaining components, next at the back
  SplitInto(path, todo);
  std::string current = "/";
  if (path[0] != '/') {
    if (base.empty() || base[0] != '/') return MakeError("relative path without an absolute base");
    SplitInto(base, todo);  // pushed last, so the base is walked first
  }
  int symlinks = 0;
  bool exists = true;
  while (!todo.empty()) {
    const std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      current = Parent(current);
      continue;
    }
    const std::string next = Child(current, part);
    struct stat st {};
    if (!exists || ::lstat(next.c_str(), &st) != 0) {
      exists = false;  // the rest cannot be links: keep it lexically
      current = next;
      continue;
    }
    if (!S_ISLNK(st.st_mode)) {
      current = next;
      continue;
    }
    if (++symlinks > kMaxSymlinks) return MakeError("too many levels of symbolic links");
    HOTPLEX_TRY(const std::string target, ReadLink(next, st));
    SplitInto(target, todo);
    if (!target.empty() && target[0] == '/') current = "/";
  }
  return current;
}

bool IsWithin(std::string_view path, std::string_view root) {
  if (root == "/") return true;
  if (path.size() < root.size() || path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

}  // namespace hotplex::policies
