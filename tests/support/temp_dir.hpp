// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed with
// its contents when the owner goes away. The one temp-dir fixture of the tests.
// Thread-safety: one owner thread.
#pragma once

#include <string>

namespace hotplex::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "hotplex-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& Path() const { return path_; }
  // Writes `text` to Path()/name (creating parent directories); returns the file's path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

}  // namespace hotplex::testing
