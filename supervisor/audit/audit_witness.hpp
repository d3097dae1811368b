// The audit witness: signed checkpoints of the chain's head kept OUTSIDE
// audit.db, so that putting back an older copy, cutting the tail or the WAL,
// or moving the anchor is visible to `hotplexd audit verify`.
//
// One line per checkpoint (supervisor/audit/AUDIT.md, "Witness"):
//   hotplex-audit-checkpoint v1 kind=head seq=12 hash=<hex> anchor_seq=0 anchor_hash=-
//     keyed_from=1 key_id=<16 hex> ts_ms=<ms> mac=<hex HMAC-SHA-256 under the audit key>
// (on one line). kinds: new (the witness was created), start, head, anchor (retention
// moved the anchor), stop. The text may sit after a syslog prefix: readers
// look for the marker anywhere in a line, so a journal export verifies too.
//
// AuditWitness writes them (an O_APPEND|O_NOFOLLOW 0600 file, fsynced per
// line, or syslog(3) LOG_AUTHPRIV). ReadWitness checks a witness file line by
// line in constant memory (plus the last kRecentCheckpoints checkpoints).
// Thread-safety: AuditWitness is used under the audit store's write lock.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "supervisor/audit/audit_key.hpp"

namespace hotplex::supervisor {

struct AuditCheckpoint {
  std::string kind = "head";    // new | start | head | anchor | stop
  std::int64_t seq = 0;         // the last committed record (0: none yet)
  std::string hash;             // its hash ("" when none)
  std::int64_t anchor_seq = 0;  // the chain's starting point (last pruned record)
  std::string anchor_hash;
  std::int64_t keyed_from = 1;  // the first record chained with the key
  std::int64_t ts_ms = 0;
};

inline constexpr std::size_t kWitnessMaxLine = 1024;
inline constexpr std::size_t kRecentCheckpoints = 4096;

std::string FormatCheckpoint(const AuditCheckpoint& c, const AuditKey& key);  // no newline
// nullopt: the line holds no checkpoint (syslog noise); an error: a checkpoint
// whose format or MAC is wrong (message says which).
Result<std::optional<AuditCheckpoint>> ParseCheckpoint(std::string_view line, const AuditKey& key);

enum class WitnessMode { kFile, kSyslog, kNone };
Result<WitnessMode> ParseWitnessMode(std::string_view text);

class AuditWitness {
 public:
  // kFile: opens (creating 0600) `path`; refuses a link, another owner or group/other bits.
  static Result<std::unique_ptr<AuditWitness>> Open(WitnessMode mode, const std::string& path);
  bool Created() const { return created_; }  // the file did not exist before
  WitnessMode Mode() const { return mode_; }
  // Appends the signed line and makes it durable (fsync) before returning.
  hotplex::Status Write(const AuditCheckpoint& c, const AuditKey& key);

 private:
  WitnessMode mode_ = WitnessMode::kNone;
  std::string path_;
  UniqueFd fd_;
  bool created_ = false;
};

// A problem found in the witness itself (or in the database against it).
struct WitnessFinding {
  std::optional<std::int64_t> seq;  // the first record concerned, when one is
  std::string kind;                 // witness | rollback | anchor | downgrade
  std::string text;
};

struct WitnessSummary {
  std::int64_t checkpoints = 0;
  std::optional<AuditCheckpoint> first;
  std::optional<AuditCheckpoint> last;
  std::int64_t last_line = 0;
  std::optional<WitnessFinding> finding;  // the first problem in the file
  struct Recent {
    std::int64_t line;
    AuditCheckpoint checkpoint;
  };
  std::deque<Recent> recent;  // the newest kRecentCheckpoints, in file order
};

// Reads and checks every checkpoint line of `path` (links refused).
Result<WitnessSummary> ReadWitness(const std::string& path, const AuditKey& key);

std::string FormatMs(std::int64_t ts_ms);  // RFC 3339 UTC, for messages

}  // namespace hotplex::supervisor
