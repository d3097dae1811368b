#include "supervisor/line_splitter.hpp"

#include "supervisor/metrics/metrics.hpp"

namespace hotplex::supervisor {

void LineSplitter::Feed(std::string_view bytes, const LineHandler& on_line) {
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    const std::string_view chunk = bytes.substr(0, nl);
    if (!discarding_) {
      const std::size_t room = max_line_bytes_ - pending_.size();
      pending_.append(chunk.substr(0, room));
      if (chunk.size() > room) {
        Metrics::Global().LineTruncated();
        on_line(pending_, true);
        pending_.clear();
        discarding_ = true;
      }
    }
    if (nl == std::string_view::npos) return;
    if (!discarding_) on_line(pending_, false);
    pending_.clear();
    discarding_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::Finish(const LineHandler& on_line) {
  if (!discarding_ && !pending_.empty()) on_line(pending_, false);
  pending_.clear();
  discarding_ = false;
}

}  // namespace hotplex::supervisor
