#include "supervisor/transcript_store.hpp"

#include "supervisor/metrics/metrics.hpp"
#include "supervisor/session_id.hpp"

namespace hotplex::supervisor {
namespace {

// Room kept in a file for its one `transcript_quota` line (an error event of
// a few hundred bytes), so that the file ends with it within the quota.
constexpr std::uint64_t kQuotaMarkerRoom = 1024;
// No line this store writes is longer: an event's encoded bound is a few
// times max_line_bytes at most (validated <= ring_bytes / 2).
constexpr std::size_t kMaxReadLine = 256u << 20;

std::string FileName(std::string_view session_id) { return std::string(session_id) + ".ndjson"; }

Event LostMarker(const std::string& session_id, std::uint64_t lost) {
  Event marker;
  marker.session_id = session_id;
  marker.ts = std::chrono::system_clock::now();
  marker.payload = ErrorEvent{
      ErrorCode::kTranscriptLost,
      std::to_string(lost) + " events were not persisted (the transcript writer fell behind)"};
  return marker;
}

// The seq of one transcript line. Lines are JSON objects whose keys come in
// the encoder's order (api/'s sorts them: "data" comes first and may hold any
// text), so the line is parsed rather than scanned. 0 = no seq (a marker).
std::uint64_t LineSeq(std::string_view line) {
  const auto event = nlohmann::json::parse(line, nullptr, false);
  if (!event.is_object()) return 0;
  const auto seq = event.find("seq");
  return seq != event.end() && seq->is_number_unsigned() ? seq->get<std::uint64_t>() : 0;
}

bool IsQuotaMarker(const Event& event) {
  const auto* error = std::get_if<ErrorEvent>(&event.payload);
  return error != nullptr && error->code == ErrorCode::kTranscriptQuota;
}

}  // namespace

TranscriptStore::TranscriptStore(TranscriptOptions options, EventEncoder encode, TranscriptDir dir)
    : options_(std::move(options)), encode_(std::move(encode)), dir_(std::move(dir)) {}

Result<std::unique_ptr<TranscriptStore>> TranscriptStore::Open(TranscriptOptions options,
                                                               EventEncoder encode) {
  if (!encode) return MakeError("transcripts: no event encoder given (a bug in the caller)");
  HOTPLEX_TRY(auto dir, TranscriptDir::Open(options.dir));
  std::unique_ptr<TranscriptStore> store(
      new TranscriptStore(std::move(options), std::move(encode), std::move(dir)));
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

TranscriptStore::SessionUsage& TranscriptStore::UsageLocked(const std::string& session_id,
                                                            std::string_view tenant_id) {
  auto it = usage_.find(session_id);
  if (it != usage_.end()) return it->second;
  // First event of this session since the daemon started: its file may exist.
  SessionUsage usage;
  usage.tenant = std::string(tenant_id);
  if (LooksLikeSessionId(session_id)) usage.bytes = dir_.SizeOf(FileName(session_id));
  tenants_[usage.tenant] += usage.bytes;
  return usage_.emplace(session_id, std::move(usage)).first->second;
}

std::optional<std::string> TranscriptStore::QuotaCrossedLocked(const SessionUsage& usage,
                                                               std::size_t bytes) {
  if (usage.bytes + bytes + kQuotaMarkerRoom > options_.session_quota) {
    Metrics::Global().TranscriptQuota("session");
    return "the transcript of this session reached its quota of " +
           std::to_string(options_.session_quota) +
           " bytes (transcripts.session_quota); later events are not persisted, the live "
           "stream goes on";
  }
  if (tenants_[usage.tenant] + bytes + kQuotaMarkerRoom > options_.tenant_quota) {
    Metrics::Global().TranscriptQuota("tenant");
    return "the transcripts of tenant " + usage.tenant + " reached their quota of " +
           std::to_string(options_.tenant_quota) +
           " bytes (transcripts.tenant_quota); later events are not persisted, the live "
           "stream goes on";
  }
  return std::nullopt;
}

// The one `transcript_quota` line a session's file ends with, if it fits.
bool TranscriptStore::AcceptMarkerLocked(SessionUsage& usage, const EventPtr& event,
                                         const EventSize& size) {
  usage.state = QuotaState::kClosed;
  return IsQuotaMarker(*event) && usage.bytes + size.encoded_bound <= options_.session_quota;
}

void TranscriptStore::QueueLocked(const EventPtr& event, const EventSize& size,
                                  SessionUsage& usage) {
  if (queue_.size() >= options_.queue_limit ||
      (!queue_.empty() && queued_bytes_ + size.footprint > options_.queue_bytes)) {
    ++dropped_;
    ++written_;  // nothing left to write for it
    Metrics::Global().TranscriptDropped(size.encoded_bound);
    ++lost_[event->session_id];
    return;
  }
  queue_.push_back({event, size.footprint});
  queued_bytes_ += size.footprint;
  usage.bytes += size.encoded_bound;
  tenants_[usage.tenant] += size.encoded_bound;
}

std::optional<std::string> TranscriptStore::Append(std::string_view tenant_id,
                                                   const EventPtr& event, const EventSize& size) {
  if (event->seq == 0) return std::nullopt;  // connection-level, not part of the log
  std::unique_lock lock(mu_);
  ++appended_;
  SessionUsage& usage = UsageLocked(event->session_id, tenant_id);
  std::optional<std::string> crossed;
  bool queue = false;
  if (usage.state == QuotaState::kMarkerDue) {
    queue = AcceptMarkerLocked(usage, event, size);
  } else if (usage.state == QuotaState::kOpen) {
    crossed = QuotaCrossedLocked(usage, size.encoded_bound);
    if (crossed) usage.state = QuotaState::kMarkerDue;
    queue = !crossed;
  }
  if (!queue) {
    ++written_;  // refused: nothing to write
    Metrics::Global().TranscriptDropped(size.encoded_bound);
    return crossed;
  }
  QueueLocked(event, size, usage);
  // The writer waits for a first event, then lingers for a full batch.
  const bool wake = queue_.size() == 1 || queue_.size() == options_.batch;
  lock.unlock();
  if (wake) wake_.notify_one();
  return std::nullopt;
}

void TranscriptStore::WriterLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    wake_.wait_for(lock, options_.linger, [&] {
      return stopping_ || flush_waiters_ > 0 || queue_.size() >= options_.batch;
    });
    std::deque<Queued> batch;
    batch.swap(queue_);
    std::map<std::string, std::uint64_t> lost;
    lost.swap(lost_);
    lock.unlock();
    WriteBatch(batch, lost);
    std::size_t bytes = 0;
    for (const auto& q : batch) bytes += q.footprint;
    const std::size_t count = batch.size();
    batch.clear();  // the events go before the bytes are given back
    lock.lock();
    queued_bytes_ -= bytes;
    written_ += count;
    progress_.notify_all();
  }
}

void TranscriptStore::WriteBatch(std::deque<Queued>& batch,
                                 std::map<std::string, std::uint64_t>& lost) {
  // One write per session and batch; lines keep the seq order of the queue.
  std::map<std::string, std::string> text;
  for (const auto& [session, count] : lost) {
    text[session] += *encode_(LostMarker(session, count));
    text[session] += '\n';
  }
  for (const auto& q : batch) {
    std::string& lines = text[q.event->session_id];
    lines += *encode_(*q.event);
    lines += '\n';
  }
  for (const auto& [session, lines] : text) {
    if (!LooksLikeSessionId(session)) continue;  // never a path from an unchecked id
    auto fd = dir_.OpenForAppend(FileName(session));
    if (!fd || !WriteAllTo(fd->Get(), lines)) {
      Metrics::Global().TranscriptDropped(lines.size());
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
    const std::function<bool(std::string_view line)>& each) {
  if (!LooksLikeSessionId(session_id)) return MakeError("transcripts: not a session id");
  Flush();
  HOTPLEX_TRY(auto fd, dir_.OpenForRead(FileName(session_id)));
  std::uint64_t last = after_seq;
  if (!fd) return last;  // no transcript (yet): nothing to read
  HOTPLEX_TRY_STATUS(ForEachLine(fd.Get(), kMaxReadLine, [&](std::string_view line) {
    const std::uint64_t seq = LineSeq(line);
    // seq 0 = a transcript_lost marker: shown in place, after the events before it.
    if (seq != 0 && seq <= after_seq) return true;
    if (seq != 0) last = seq;
    return each(line);
  }));
  return last;
}

hotplex::Status TranscriptStore::Remove(std::string_view session_id) {
  if (!LooksLikeSessionId(session_id)) return MakeError("transcripts: not a session id");
  Flush();
  HOTPLEX_TRY_STATUS(dir_.Remove(FileName(session_id)));
  std::lock_guard lock(mu_);
  if (auto it = usage_.find(session_id); it != usage_.end()) {
    auto& tenant = tenants_[it->second.tenant];
    tenant -= std::min(tenant, it->second.bytes);
    usage_.erase(it);
  }
  return {};
}

std::uint64_t TranscriptStore::Dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace hotplex::supervisor
