#include "sandbox/docker/docker_stream.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hotplex::sandbox {
namespace {

std::string Frame(DockerStream stream, const std::string& payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  const auto n = static_cast<std::uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + payload;
}

struct Collected {
  std::string out, err, sys;
};

Collected FeedInPieces(const std::string& data, std::size_t piece) {
  DockerStreamDemuxer demux;
  Collected c;
  const auto sink = [&](DockerStream s, std::string_view d) {
    (s == DockerStream::kStdout ? c.out : s == DockerStream::kStderr ? c.err : c.sys).append(d);
  };
  for (std::size_t i = 0; i < data.size(); i += piece) {
    demux.Feed(std::string_view(data).substr(i, piece), sink);
  }
  EXPECT_TRUE(demux.AtFrameBoundary());
  return c;
}

TEST(DockerStreamDemuxer, SplitsStdoutAndStderr) {
  const std::string data = Frame(DockerStream::kStdout, "hello\n") +
                           Frame(DockerStream::kStderr, "oops\n") +
                           Frame(DockerStream::kStdout, "world\n");
  const Collected c = FeedInPieces(data, data.size());
  EXPECT_EQ(c.out, "hello\nworld\n");
  EXPECT_EQ(c.err, "oops\n");
}

TEST(DockerStreamDemuxer, HandlesEveryByteBoundary) {
  const std::string big(70000, 'x');
  const std::string data = Frame(DockerStream::kStdout, "a") + Frame(DockerStream::kStderr, big) +
                           Frame(DockerStream::kStdout, "") + Frame(DockerStream::kSystemErr, "e");
  for (std::size_t piece : {1u, 3u, 7u, 8u, 9u, 4096u}) {
    const Collected c = FeedInPieces(data, piece);
    EXPECT_EQ(c.out, "a") << piece;
    EXPECT_EQ(c.err, big) << piece;
    EXPECT_EQ(c.sys, "e") << piece;
  }
}

TEST(DockerStreamDemuxer, PartialHeaderIsNotABoundary) {
  DockerStreamDemuxer demux;
  demux.Feed(std::string_view("\x01\0\0", 3), [](DockerStream, std::string_view) {});
  EXPECT_FALSE(demux.AtFrameBoundary());
}

}  // namespace
}  // namespace hotplex::sandbox
