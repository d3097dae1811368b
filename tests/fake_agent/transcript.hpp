// Transcript: the fake agent's conversation file, kept where Claude Code keeps its own:
// $HOME/.claude/projects/<cwd with every non-alphanumeric byte as '-'>/<session-id>.jsonl,
// one {"role": "user"|"assistant", "text": …} object per line, appended as the turn goes.
// A resumed session reads it back, so a test can check that --resume kept the history.
// Thread-safety: one owner thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace hotplex::fake_agent {

struct TranscriptEntry {
  std::string role;
  std::string text;
};

class Transcript {
 public:
  static std::filesystem::path PathFor(const std::string& home, const std::string& cwd,
                                       const std::string& session_id);
  // A new session: fails when a transcript with this id already exists (like the CLI).
  static Result<Transcript> Create(const std::string& home, const std::string& cwd,
                                   const std::string& session_id);
  // An earlier session: looks for <session-id>.jsonl under every project of $HOME.
  static Result<Transcript> Resume(const std::string& home, const std::string& session_id);

  Status Append(const std::string& role, const std::string& text);
  const std::vector<TranscriptEntry>& Entries() const { return entries_; }

 private:
  explicit Transcript(std::filesystem::path path) : path_(std::move(path)) {}

  std::filesystem::path path_;
  std::vector<TranscriptEntry> entries_;
};

}  // namespace hotplex::fake_agent
