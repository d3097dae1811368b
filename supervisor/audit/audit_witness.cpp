#include "supervisor/audit/audit_witness.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>

#include "common/json_text.hpp"
#include "supervisor/audit/hmac_sha256.hpp"

namespace hotplex::supervisor {
namespace {

constexpr std::string_view kMarker = "hotplex-audit-checkpoint v1 ";
// Domain separation: a witness MAC can never be mistaken for a row's (rows
// MAC a JSON array, which starts with '[').
constexpr std::string_view kMacContext = "hotplex audit witness\n";

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::optional<std::int64_t> ToInt(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

// Fills `c` from one `key=value` token; false on an unknown key or a bad value.
bool Assign(AuditCheckpoint& c, std::string& key_id, std::string_view token) {
  const auto eq = token.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string_view k = token.substr(0, eq);
  const std::string_view v = token.substr(eq + 1);
  auto text = [&](std::string& out) {
    out = v == "-" ? "" : std::string(v);
    return true;
  };
  auto number = [&](std::int64_t& out) {
    auto n = ToInt(v);
    if (n) out = *n;
    return n.has_value();
  };
  if (k == "kind") return text(c.kind);
  if (k == "seq") return number(c.seq);
  if (k == "hash") return text(c.hash);
  if (k == "anchor_seq") return number(c.anchor_seq);
  if (k == "anchor_hash") return text(c.anchor_hash);
  if (k == "keyed_from") return number(c.keyed_from);
  if (k == "key_id") return text(key_id);
  if (k == "ts_ms") return number(c.ts_ms);
  return false;
}

template <class Find>
void CheckHead(const WitnessSummary& s, const AuditCheckpoint& c, const std::string& at,
               Find& find) {
  const AuditCheckpoint& last = *s.last;
  if (c.kind == "new") {
    find(c.seq + 1, "witness", at + ": the witness was started again inside the same file");
  }
  if (c.seq < last.seq) {
    find(c.seq + 1, "rollback",
         at + ": the head went back from seq " + std::to_string(last.seq) + " to seq " +
             std::to_string(c.seq) + ": records " + std::to_string(c.seq + 1) + ".." +
             std::to_string(last.seq) +
             " were lost before this start (audit.db restored from "
             "an older copy, its tail or WAL cut)");
  }
  if (c.keyed_from != s.first->keyed_from) {
    find(std::min(c.keyed_from, s.first->keyed_from), "downgrade",
         at + ": the keyed chain's start moved from seq " + std::to_string(s.first->keyed_from) +
             " to seq " + std::to_string(c.keyed_from));
  }
}

template <class Find>
void CheckAnchor(const WitnessSummary& s, const AuditCheckpoint& c, const std::string& at,
                 Find& find) {
  const AuditCheckpoint& last = *s.last;
  if (c.anchor_seq < last.anchor_seq) {
    find(c.anchor_seq + 1, "anchor",
         at + ": the anchor went back from seq " + std::to_string(last.anchor_seq) + " to seq " +
             std::to_string(c.anchor_seq) + " (an older copy was restored)");
  } else if (c.anchor_seq > last.anchor_seq && c.kind != "anchor") {
    // Only retention moves the anchor forward, and it writes an `anchor` line.
    find(last.anchor_seq + 1, "anchor",
         at + ": the anchor moved from seq " + std::to_string(last.anchor_seq) + " to seq " +
             std::to_string(c.anchor_seq) + " outside retention: records " +
             std::to_string(last.anchor_seq + 1) + ".." + std::to_string(c.anchor_seq) +
             " were deleted from the start");
  }
  if (c.seq == last.seq && c.hash != last.hash) {
    find(c.seq, "rewritten",
         at + ": seq " + std::to_string(c.seq) +
             " has another hash than in the line before: "
             "the chain was rewritten while the daemon was stopped");
  }
}

// The checkpoint findings that only the sequence of lines shows.
void CheckSequence(WitnessSummary& s, const AuditCheckpoint& c, std::int64_t line) {
  auto find = [&](std::int64_t seq, const char* kind, std::string text) {
    if (!s.finding) s.finding = WitnessFinding{seq, kind, std::move(text)};
  };
  const std::string at =
      "witness line " + std::to_string(line) + " (" + c.kind + ", " + FormatMs(c.ts_ms) + ")";
  if (!s.first) {
    if (c.kind == "new" && c.keyed_from <= c.seq) {
      find(c.keyed_from, "witness",
           at + ": the witness was created while keyed records " + std::to_string(c.keyed_from) +
               ".." + std::to_string(c.seq) +
               " already existed: its earlier checkpoints are "
               "gone (the witness file was deleted or replaced)");
    }
    return;
  }
  CheckHead(s, c, at, find);
  CheckAnchor(s, c, at, find);
}

void Accept(WitnessSummary& s, std::string_view text, std::int64_t line, const AuditKey& key) {
  if (text.size() > kWitnessMaxLine && text.find(kMarker) != std::string_view::npos) {
    if (!s.finding) {
      s.finding = WitnessFinding{std::nullopt, "witness",
                                 "witness line " + std::to_string(line) + " is too long"};
    }
    return;
  }
  auto parsed = ParseCheckpoint(text, key);
  if (!parsed) {
    if (!s.finding) {
      s.finding =
          WitnessFinding{std::nullopt, "witness",
                         "witness line " + std::to_string(line) + ": " + parsed.error().message};
    }
    return;
  }
  if (!*parsed) return;
  const AuditCheckpoint& c = **parsed;
  CheckSequence(s, c, line);
  if (!s.first) s.first = c;
  s.last = c;
  s.last_line = line;
  ++s.checkpoints;
  s.recent.push_back({line, c});
  if (s.recent.size() > kRecentCheckpoints) s.recent.pop_front();
}

}  // namespace

std::string FormatMs(std::int64_t ts_ms) {
  return FormatTimestamp(std::chrono::system_clock::time_point(std::chrono::milliseconds(ts_ms)));
}

std::string FormatCheckpoint(const AuditCheckpoint& c, const AuditKey& key) {
  std::string body(kMarker);
  body += "kind=" + c.kind + " seq=" + std::to_string(c.seq) + " hash=" + OrDash(c.hash) +
          " anchor_seq=" + std::to_string(c.anchor_seq) + " anchor_hash=" + OrDash(c.anchor_hash) +
          " keyed_from=" + std::to_string(c.keyed_from) + " key_id=" + key.Id() +
          " ts_ms=" + std::to_string(c.ts_ms);
  return body + " mac=" + key.Mac(std::string(kMacContext) + body);
}

Result<std::optional<AuditCheckpoint>> ParseCheckpoint(std::string_view line, const AuditKey& key) {
  const auto start = line.find(kMarker);
  if (start == std::string_view::npos) return std::optional<AuditCheckpoint>();
  std::string_view body = line.substr(start);
  while (!body.empty() && (body.back() == '\r' || body.back() == ' ')) body.remove_suffix(1);
  const auto mac_at = body.rfind(" mac=");
  if (mac_at == std::string_view::npos) return MakeError("checkpoint without a MAC");
  const std::string_view signed_part = body.substr(0, mac_at);
  AuditCheckpoint c;
  std::string key_id;
  std::string_view rest = signed_part.substr(kMarker.size());
  while (!rest.empty()) {
    const auto sp = rest.find(' ');
    if (!Assign(c, key_id, rest.substr(0, sp))) return MakeError("malformed checkpoint");
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  if (key_id != key.Id()) {
    return MakeError("signed with key id " + key_id + ", not with the key file's (" + key.Id() +
                     "): wrong key file, or a forged line");
  }
  const std::string expected = key.Mac(std::string(kMacContext) + std::string(signed_part));
  if (!MacEqual(expected, body.substr(mac_at + 5))) {
    return MakeError("bad MAC: the line was altered or forged");
  }
  return std::optional<AuditCheckpoint>(std::move(c));
}

Result<WitnessMode> ParseWitnessMode(std::string_view text) {
  if (text == "file") return WitnessMode::kFile;
  if (text == "syslog") return WitnessMode::kSyslog;
  if (text == "none") return WitnessMode::kNone;
  return MakeError("audit.witness must be file, syslog or none");
}

Result<std::unique_ptr<AuditWitness>> AuditWitness::Open(WitnessMode mode,
                                                         const std::string& path) {
  auto w = std::make_unique<AuditWitness>();
  w->mode_ = mode;
  w->path_ = path;
  if (mode != WitnessMode::kFile) return w;
  struct stat st {};
  w->created_ = ::lstat(path.c_str(), &st) != 0 && errno == ENOENT;
  w->fd_.Reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!w->fd_) {
    if (errno == ELOOP) {
      return MakeError("audit witness " + path + " is a symbolic link: replace it with the file");
    }
    return ErrnoError("open", "audit witness " + path);
  }
  if (w->created_) (void)::fchmod(w->fd_.Get(), 0600);
  HOTPLEX_TRY_STATUS(CheckPrivateFile(w->fd_.Get(), path, "audit witness file"));
  return w;
}

hotplex::Status AuditWitness::Write(const AuditCheckpoint& c, const AuditKey& key) {
  const std::string line = FormatCheckpoint(c, key) + "\n";
  if (mode_ == WitnessMode::kSyslog) {
    ::syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", line.c_str());
    return {};
  }
  if (mode_ != WitnessMode::kFile) return {};
  // One write(2) with O_APPEND: the line lands whole at the end, never torn by
  // another writer's offset.
  const ssize_t n = ::write(fd_.Get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) return ErrnoError("write", "audit witness " + path_);
  if (::fdatasync(fd_.Get()) != 0) return ErrnoError("fdatasync", "audit witness " + path_);
  return {};
}

Result<WitnessSummary> ReadWitness(const std::string& path, const AuditKey& key) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return ErrnoError("open", "audit witness " + path);
  WitnessSummary s;
  std::string pending;
  std::int64_t line = 0;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.Get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read", "audit witness " + path);
    if (n == 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t begin = 0;
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', begin)) {
      Accept(s, std::string_view(pending).substr(begin, nl - begin), ++line, key);
      begin = nl + 1;
    }
    pending.erase(0, begin);
    if (pending.size() > 16 * kWitnessMaxLine) pending.erase(0, pending.size() - kWitnessMaxLine);
  }
  if (!pending.empty()) Accept(s, pending, ++line, key);
  return s;
}

}  // namespace hotplex::supervisor
