// DockerStreamDemuxer: splits Docker's multiplexed attach stream (Tty: false).
//
// Every frame is an 8-byte header {stream, 0, 0, 0, size (big-endian u32)}
// followed by `size` bytes of payload; stream 1 is stdout, 2 stderr, 3 the
// daemon's own errors. Frames arrive split at arbitrary byte boundaries, so the
// demuxer keeps the partial header between Feed() calls. Thread-safety: one
// owner at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace hotplex::sandbox {

enum class DockerStream : std::uint8_t { kStdin = 0, kStdout = 1, kStderr = 2, kSystemErr = 3 };

class DockerStreamDemuxer {
 public:
  using Sink = std::function<void(DockerStream, std::string_view)>;

  // Hands every complete or partial payload piece to `sink` in order.
  void Feed(std::string_view data, const Sink& sink);
  // True when the stream ended cleanly between frames.
  bool AtFrameBoundary() const { return header_fill_ == 0 && remaining_ == 0; }

 private:
  std::array<unsigned char, 8> header_{};
  std::size_t header_fill_ = 0;
  std::uint32_t remaining_ = 0;
  DockerStream stream_ = DockerStream::kStdout;
};

}  // namespace hotplex::sandbox
