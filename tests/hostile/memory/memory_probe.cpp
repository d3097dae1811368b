#include "tests/hostile/memory/memory_probe.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>

#include "tests/hostile/support/raw_client.hpp"

namespace hotplex::testing {
using nlohmann::json;

namespace {

// Counts one SSE frame's event into `count`; true when it was the end marker.
// Big frames are not parsed (the reader must keep up with the agent): their
// size bounds the text, the `truncated` flag is the last key of `data`.
bool CountFrame(std::string_view frame, const std::string& marker, BurstCount& count) {
  const auto type_at = frame.find("event: ");
  if (type_at == std::string_view::npos) return false;
  const auto type = frame.substr(type_at + 7, frame.find('\n', type_at) - type_at - 7);
  if (type == "error") {
    const json event = json::parse(frame.substr(frame.find("data: ") + 6), nullptr, false);
    count.error_codes.push_back(event.is_object() ? event["data"].value("code", "") : "?");
  }
  if (type != "text") return false;
  if (frame.size() < 4096) {
    const json event = json::parse(frame.substr(frame.find("data: ") + 6), nullptr, false);
    if (event.is_object() && event["data"].value("text", "") == marker) return true;
  }
  ++count.text_events;
  if (frame.substr(frame.size() - std::min<std::size_t>(frame.size(), 256))
          .find("\"truncated\":true") != std::string_view::npos) {
    ++count.truncated;
  }
  count.max_frame = std::max(count.max_frame, frame.size());
  return false;
}

// A masked client text frame (RFC 6455 5.2).
std::string ClientTextFrame(const std::string& payload) {
  std::string frame(1, static_cast<char>(0x81));
  if (payload.size() < 126) {
    frame += static_cast<char>(0x80 | payload.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((payload.size() >> 8) & 0xff);
    frame += static_cast<char>(payload.size() & 0xff);
  }
  const std::array<char, 4> mask{0x11, 0x22, 0x33, 0x44};
  frame.append(mask.data(), mask.size());
  for (std::size_t i = 0; i < payload.size(); ++i)
    frame += static_cast<char>(payload[i] ^ mask[i % 4]);
  return frame;
}

// The seq of an SSE frame ("id: N" line), 0 when it has none.
std::uint64_t FrameSeq(std::string_view frame) {
  const auto at = frame.find("id: ");
  if (at == std::string_view::npos || (at != 0 && frame[at - 1] != '\n')) return 0;
  return std::strtoull(std::string(frame.substr(at + 4, 24)).c_str(), nullptr, 10);
}

// Reads the session's SSE stream from `after`, counting frames into `count`,
// until the marker, the deadline or the end of the stream; the last seq seen.
std::uint64_t ReadBurst(const HostileDaemon& daemon, const std::string& path, std::uint64_t after,
                        const std::string& marker, std::chrono::steady_clock::time_point deadline,
                        BurstCount& count) {
  httplib::Client client("127.0.0.1", daemon.ApiPort());
  client.set_read_timeout(5, 0);
  httplib::Headers headers{{"Authorization", std::string("Bearer ") + HostileDaemon::kKeyA}};
  std::string pending;
  std::size_t scanned = 0;  // bytes of `pending` known to hold no frame end
  client.Get(
      path + "/events?after=" + std::to_string(after), headers, [&](const char* data, size_t n) {
        pending.append(data, n);
        std::size_t start = 0;
        for (auto end = pending.find("\n\n", scanned); end != std::string::npos && !count.done;
             end = pending.find("\n\n", start)) {
          const std::string_view frame = std::string_view(pending).substr(start, end - start);
          after = std::max(after, FrameSeq(frame));
          count.done = CountFrame(frame, marker, count);
          start = end + 2;
        }
        pending.erase(0, start);
        scanned = pending.size() > 0 ? pending.size() - 1 : 0;
        return !count.done && std::chrono::steady_clock::now() < deadline;
      });
  return after;
}

}  // namespace

BurstCount RunAndCount(const HostileDaemon& daemon, const std::string& session,
                       const std::string& command, std::chrono::seconds timeout) {
  BurstCount count;
  const std::string path = "/v1/sessions/" + session;
  std::uint64_t after = daemon.Call("GET", path).body.value("last_seq", std::uint64_t{0});
  static int serial = 0;
  const std::string tag = std::to_string(++serial);
  const std::string marker = "__burst_done_" + tag + "__";
  const std::string line =
      "{ " + command + "\n} 2>&1; printf '%s%s\\n' __burst_done_ " + tag + "__";
  if (daemon.Call("POST", path + "/messages", {{"text", line}}).status != 202) return count;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // A reader that falls behind on a loaded machine is cut off (slow_consumer, by
  // design); it comes back after the last seq it saw, as a client would, so the
  // burst's end is still seen. The cuts stay in error_codes for the tests to judge.
  for (int attempt = 0; attempt < 20 && !count.done && std::chrono::steady_clock::now() < deadline;
       ++attempt) {
    after = ReadBurst(daemon, path, after, marker, deadline, count);
  }
  return count;
}

RssSampler::RssSampler(const HostileDaemon& daemon) : daemon_(daemon) {
  peak_ = daemon_.RssKiB();
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      const long rss = daemon_.RssKiB();
      if (rss > peak_.load()) peak_ = rss;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
}

RssSampler::~RssSampler() {
  stop_ = true;
  thread_.join();
}

std::string SilentClient::Dial(int port) {
  // A tiny receive window: the daemon's writes stall after a few KiB.
  fd_ = ConnectFrom("127.0.0.1", port, 4096);
  return fd_ ? std::string() : "connect failed";
}

std::string SilentClient::ConnectSse(int port, const std::string& key, const std::string& session,
                                     std::uint64_t after) {
  if (auto failed = Dial(port); !failed.empty()) return failed;
  const std::string request = "GET /v1/sessions/" + session +
                              "/events?after=" + std::to_string(after) +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Authorization: Bearer " +
                              key + "\r\n\r\n";
  return SendAll(fd_.Get(), request) ? "" : "send request failed";
}

std::string SilentClient::ConnectWebSocket(int port, const std::string& key,
                                           const std::string& session, std::uint64_t after) {
  if (auto failed = Dial(port); !failed.empty()) return failed;
  const std::string upgrade =
      "GET /ws/v1/agent HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
      key + "\r\n\r\n";
  if (!SendAll(fd_.Get(), upgrade)) return "send upgrade failed";
  std::string head;  // byte by byte: nothing after the headers is consumed
  char c = 0;
  while (head.size() < 4096 && head.find("\r\n\r\n") == std::string::npos) {
    if (::recv(fd_.Get(), &c, 1, 0) != 1) return "no upgrade answer: " + head;
    head += c;
  }
  if (head.rfind("HTTP/1.1 101", 0) != 0) return "upgrade refused: " + head;
  const json attach{{"type", "attach"}, {"session_id", session}, {"after", after}};
  if (!SendAll(fd_.Get(), ClientTextFrame(attach.dump()))) return "send attach failed";
  return {};
}

bool SilentClient::DrainUntilClosed(std::chrono::seconds timeout, std::size_t* bytes) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<char> buffer(1 << 16);
  std::size_t total = 0;
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_.Get(), POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd_.Get(), buffer.data(), buffer.size(), 0);
    if (n <= 0)
      closed = true;
    else
      total += static_cast<std::size_t>(n);
  }
  if (bytes != nullptr) *bytes = total;
  return closed;
}

}  // namespace hotplex::testing
