#include "sandbox/docker/docker_stream.hpp"

#include <algorithm>

namespace hotplex::sandbox {

void DockerStreamDemuxer::Feed(std::string_view data, const Sink& sink) {
  while (!data.empty()) {
    if (remaining_ == 0) {
      const std::size_t take = std::min(header_.size() - header_fill_, data.size());
      std::copy_n(data.begin(), take, header_.begin() + static_cast<std::ptrdiff_t>(header_fill_));
      header_fill_ += take;
      data.remove_prefix(take);
      if (header_fill_ < header_.size()) return;
      header_fill_ = 0;
      stream_ = static_cast<DockerStream>(header_[0]);
      remaining_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                   (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
      continue;
    }
    const std::size_t take = std::min<std::size_t>(remaining_, data.size());
    sink(stream_, data.substr(0, take));
    remaining_ -= static_cast<std::uint32_t>(take);
    data.remove_prefix(take);
  }
}

}  // namespace hotplex::sandbox
