#include "tests/hostile/support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

namespace hotplex::testing {
namespace {

sockaddr_in Loopback(const std::string& address, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
  return sa;
}

// Milliseconds left until `deadline`, at least 0.
int Remaining(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace

UniqueFd ConnectFrom(const std::string& source, int port, int receive_buffer) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fd;
  if (receive_buffer > 0) {
    ::setsockopt(fd.Get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  // A full accept backlog would leave connect() retrying SYNs for minutes.
  const timeval connect_timeout{3, 0};
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_SNDTIMEO, &connect_timeout, sizeof(connect_timeout));
  const sockaddr_in from = Loopback(source, 0);
  const sockaddr_in to = Loopback("127.0.0.1", port);
  if (::bind(fd.Get(), reinterpret_cast<const sockaddr*>(&from), sizeof(from)) != 0 ||
      ::connect(fd.Get(), reinterpret_cast<const sockaddr*>(&to), sizeof(to)) != 0) {
    return UniqueFd();
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string ReadUntilClosed(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  char buffer[4096];
  for (int rounds = 0; rounds < 10000; ++rounds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, Remaining(deadline)) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

bool ClosedWithin(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  for (int rounds = 0; rounds < 10000; ++rounds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, Remaining(deadline)) <= 0) return false;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return true;  // EOF, or reset
  }
  return false;
}

std::string RawGet(const std::string& source, int port, const std::string& path,
                   const std::string& bearer, std::chrono::milliseconds timeout) {
  UniqueFd fd = ConnectFrom(source, port);
  if (!fd) return {};
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                              "Authorization: Bearer " + bearer + "\r\nConnection: close\r\n\r\n";
  if (!SendAll(fd.Get(), request)) return {};
  return ReadUntilClosed(fd.Get(), timeout);
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::atoi(response.substr(9, 3).c_str());
}

}  // namespace hotplex::testing
