#include "supervisor/transcript_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/unique_fd.hpp"
#include "supervisor/event_json.hpp"
#include "supervisor/session_id.hpp"

namespace hotplex::supervisor {
namespace {

std::string LostMarker(const std::string& session_id, std::uint64_t lost) {
  Event marker;
  marker.session_id = session_id;
  marker.ts = std::chrono::system_clock::now();
  marker.payload = ErrorEvent{"transcript_lost", std::to_string(lost) +
                                                     " events were not persisted (the "
                                                     "transcript writer fell behind)"};
  return EventToJsonText(marker) + "\n";
}

hotplex::Status AppendToFile(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError("open", "transcript " + path);
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd.Get(), text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write", "transcript " + path);
    off += static_cast<std::size_t>(n);
  }
  return {};
}

// The seq of one transcript line. Lines are EventToJsonText output, whose keys
// nlohmann::json writes in sorted order ("data" comes first and may hold any
// text), so the line is parsed rather than scanned. 0 = no seq (a marker).
std::uint64_t LineSeq(std::string_view line) {
  const auto event = nlohmann::json::parse(line, nullptr, false);
  if (!event.is_object()) return 0;
  const auto seq = event.find("seq");
  return seq != event.end() && seq->is_number_unsigned() ? seq->get<std::uint64_t>() : 0;
}

}  // namespace

TranscriptStore::TranscriptStore(TranscriptOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<TranscriptStore>> TranscriptStore::Open(TranscriptOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return MakeError("transcripts: create " + options.dir + ": " + ec.message());
  if (::chmod(options.dir.c_str(), 0700) != 0) return ErrnoError("chmod", options.dir);
  std::unique_ptr<TranscriptStore> store(new TranscriptStore(std::move(options)));
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

TranscriptStore::~TranscriptStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

std::string TranscriptStore::PathOf(std::string_view session_id) const {
  return options_.dir + "/" + std::string(session_id) + ".ndjson";
}

void TranscriptStore::Append(const EventPtr& event) {
  if (event->seq == 0) return;  // connection-level, not part of the log
  std::unique_lock lock(mu_);
  ++appended_;
  if (queue_.size() >= options_.queue_limit) {
    ++dropped_;
    ++written_;  // nothing left to write for it
    ++lost_[event->session_id];
    return;
  }
  queue_.push_back(event);
  // The writer waits for a first event, then lingers for a full batch.
  const bool wake = queue_.size() == 1 || queue_.size() == options_.batch;
  lock.unlock();
  if (wake) wake_.notify_one();
}

void TranscriptStore::WriterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    wake_.wait_for(lock, options_.linger, [&] {
      return stopping_ || flush_waiters_ > 0 || queue_.size() >= options_.batch;
    });
    std::deque<EventPtr> batch;
    batch.swap(queue_);
    std::map<std::string, std::uint64_t> lost;
    lost.swap(lost_);
    lock.unlock();
    WriteBatch(batch, lost);
    lock.lock();
    written_ += batch.size();
    progress_.notify_all();
  }
}

void TranscriptStore::WriteBatch(std::deque<EventPtr>& batch,
                                 std::map<std::string, std::uint64_t>& lost) {
  // One write per session and batch; lines keep the seq order of the queue.
  std::map<std::string, std::string> text;
  for (const auto& [session, count] : lost) text[session] += LostMarker(session, count);
  for (const auto& e : batch) text[e->session_id] += EventToJsonText(*e) + "\n";
  for (const auto& [session, lines] : text) {
    if (!LooksLikeSessionId(session)) continue;  // never a path from an unchecked id
    if (auto s = AppendToFile(PathOf(session), lines); !s) {
      std::lock_guard lock(mu_);
      ++dropped_;
    }
  }
}

void TranscriptStore::Flush() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = appended_;
  if (written_ >= target) return;
  ++flush_waiters_;
  wake_.notify_one();
  progress_.wait(lock, [&] { return written_ >= target || stopping_; });
  --flush_waiters_;
}

Result<std::uint64_t> TranscriptStore::Read(
    std::string_view session_id, std::uint64_t after_seq,
    const std::function<bool(std::string_view event_json)>& each) {
  if (!LooksLikeSessionId(session_id)) return MakeError("transcripts: not a session id");
  Flush();
  std::ifstream in(PathOf(session_id));
  std::uint64_t last = after_seq;
  if (!in) return last;  // no transcript (yet): nothing to read
  std::string line;
  while (std::getline(in, line)) {
    const std::uint64_t seq = LineSeq(line);
    // seq 0 = a transcript_lost marker: shown in place, after the events before it.
    if (seq != 0 && seq <= after_seq) continue;
    if (seq != 0) last = seq;
    if (!each(line)) break;
  }
  return last;
}

hotplex::Status TranscriptStore::Remove(std::string_view session_id) {
  if (!LooksLikeSessionId(session_id)) return MakeError("transcripts: not a session id");
  Flush();
  if (::unlink(PathOf(session_id).c_str()) != 0 && errno != ENOENT) {
    return ErrnoError("unlink", "transcript");
  }
  return {};
}

std::uint64_t TranscriptStore::Dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace hotplex::supervisor
