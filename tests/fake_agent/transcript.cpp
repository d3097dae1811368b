#include "tests/fake_agent/transcript.hpp"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>

namespace hotplex::fake_agent {

namespace fs = std::filesystem;

fs::path Transcript::PathFor(const std::string& home, const std::string& cwd,
                             const std::string& session_id) {
  std::string project = cwd;
  for (char& c : project) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  }
  return fs::path(home) / ".claude" / "projects" / project / (session_id + ".jsonl");
}

Result<Transcript> Transcript::Create(const std::string& home, const std::string& cwd,
                                      const std::string& session_id) {
  fs::path path = PathFor(home, cwd, session_id);
  std::error_code ec;
  if (fs::exists(path, ec) || Resume(home, session_id)) {
    return MakeError("Session ID " + session_id + " is already in use.");
  }
  return Transcript(std::move(path));
}

Result<Transcript> Transcript::Resume(const std::string& home, const std::string& session_id) {
  std::error_code ec;
  const fs::path projects = fs::path(home) / ".claude" / "projects";
  for (const auto& dir : fs::directory_iterator(projects, ec)) {
    const fs::path candidate = dir.path() / (session_id + ".jsonl");
    if (!fs::exists(candidate, ec)) continue;
    Transcript transcript(candidate);
    std::ifstream in(candidate);
    std::string line;
    while (std::getline(in, line)) {
      const auto entry = nlohmann::json::parse(line, nullptr, false);
      if (entry.is_discarded() || !entry.is_object()) continue;  // a torn last line after kill -9
      transcript.entries_.push_back({entry.value("role", ""), entry.value("text", "")});
    }
    return transcript;
  }
  return MakeError("No conversation found with session ID: " + session_id);
}

Status Transcript::Append(const std::string& role, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path_.parent_path(), ec);
  if (ec) return MakeError("transcript: cannot create " + path_.parent_path().string());
  std::ofstream out(path_, std::ios::app);
  out << nlohmann::json{{"role", role}, {"text", text}}.dump() << "\n";
  out.flush();
  if (!out) return MakeError("transcript: cannot write " + path_.string());
  entries_.push_back({role, text});
  return {};
}

}  // namespace hotplex::fake_agent
