// The audit and transcript degraded paths are counted in /metrics: a transcript
// quota reached (by scope) and the bytes not persisted, and a witness
// checkpoint that could not be written. Each test expects the family to move.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "api/event_json.hpp"
#include "supervisor/audit/audit_store.hpp"
#include "supervisor/event_log.hpp"
#include "supervisor/metrics/metrics.hpp"
#include "supervisor/transcript_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

namespace hotplex::supervisor {
namespace {

// The value of one series ("name" or "name{labels}") in /metrics, 0 if absent.
double Series(const std::string& series) {
  std::istringstream in(Metrics::Global().Expose({}, {}));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return 0;
}

Text Line(std::size_t bytes) {
  Text t;
  t.text.assign(bytes, 'x');
  return t;
}

std::unique_ptr<TranscriptStore> OpenStore(const std::string& dir, std::uint64_t session_quota,
                                           std::uint64_t tenant_quota) {
  TranscriptOptions options{dir + "/transcripts"};
  options.session_quota = session_quota;
  options.tenant_quota = tenant_quota;
  auto store = TranscriptStore::Open(options, &api::EventToJsonText);
  EXPECT_TRUE(store) << (store ? "" : store.error().Describe());
  return store ? std::move(*store) : nullptr;
}

TEST(AuditMetrics, TranscriptQuotasAndTheBytesNotPersistedAreCounted) {
  hotplex::testing::TempDir dir;
  auto store = OpenStore(dir.Path(), 8 * 1024, 12 * 1024);
  ASSERT_TRUE(store);
  const double session0 = Series("hotplex_transcript_quota_total{scope=\"session\"}");
  const double tenant0 = Series("hotplex_transcript_quota_total{scope=\"tenant\"}");
  const double dropped0 = Series("hotplex_transcript_dropped_bytes_total");
  EventLog first("5f0c3a52-7d7e-4a43-9a55-0f6b0d2a8c11", 4096, 1, store.get(), "t1");
  for (int i = 0; i < 40; ++i) first.Publish(Line(300));  // ~12 KiB+ into an 8 KiB quota
  EXPECT_EQ(Series("hotplex_transcript_quota_total{scope=\"session\"}") - session0, 1)
      << "once per session, not per dropped event";
  const double dropped1 = Series("hotplex_transcript_dropped_bytes_total");
  EXPECT_GT(dropped1 - dropped0, 300.0 * 5) << "the events past the quota are counted in bytes";
  EventLog second("6a1d4b63-8e8f-4b54-8b66-1a7c1e3b9d22", 4096, 1, store.get(), "t1");
  for (int i = 0; i < 20; ++i) second.Publish(Line(300));
  EXPECT_EQ(Series("hotplex_transcript_quota_total{scope=\"tenant\"}") - tenant0, 1)
      << "t1's second session ran into the tenant quota";
  EXPECT_GT(Series("hotplex_transcript_dropped_bytes_total"), dropped1);
}

// The descriptor the store appends its witness checkpoints to.
int FdOf(const std::string& path) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target == path) return std::stoi(entry.path().filename().string());
  }
  return -1;
}

TEST(AuditMetrics, AWitnessCheckpointThatCannotBeWrittenIsCounted) {
  hotplex::testing::TempDir dir;
  AuditOptions options;
  options.path = dir.Path() + "/audit.db";
  options.checkpoint_every = 1;
  auto store = AuditStore::Open(options);
  ASSERT_TRUE(store) << store.error().Describe();
  // The witness's file becomes unwritable under the store (a read-only fd in
  // its place): every later checkpoint fails, like on a full or lost disk.
  const int fd = FdOf(dir.Path() + "/audit-witness");
  ASSERT_GE(fd, 0) << "the witness file is not open";
  const int read_only = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(::dup2(read_only, fd), 0);
  ::close(read_only);
  const double before = Series("hotplex_audit_witness_failures_total");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        supervisor::testing::AppendSync(**store, supervisor::testing::Rec(audit_type::kPrompt)));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((*store)->Stats().witness_failures == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto failures = (*store)->Stats().witness_failures;
  ASSERT_GT(failures, 0u);
  EXPECT_GE(Series("hotplex_audit_witness_failures_total") - before, double(failures));
}

}  // namespace
}  // namespace hotplex::supervisor
