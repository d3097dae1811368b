#include "host_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <stdexcept>

namespace hotplex::testing {
namespace {

UniqueFd ListenLoopback(std::uint16_t* port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (!fd || ::bind(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.Get(), 16) != 0 ||
      ::getsockname(fd.Get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

HostServer::HostServer(std::string body) : body_(std::move(body)) {
  listener_ = ListenLoopback(&port_);
  thread_ = std::thread([this] { Serve(); });
}

HostServer::~HostServer() {
  stop_ = true;
  thread_.join();
}

namespace {

// Reads the request head (the tests send small ones), then whatever else
// arrives within 150 ms, so that a pipelined second request is seen.
std::string ReadRequest(int fd) {
  std::string data;
  char buf[4096];
  int quiet_ms = 5000;
  while (true) {
    pollfd cp{fd, POLLIN, 0};
    if (::poll(&cp, 1, quiet_ms) != 1) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.find("\r\n\r\n") != std::string::npos) quiet_ms = 150;
  }
  return data;
}

}  // namespace

std::vector<std::string> HostServer::Received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void HostServer::Serve() {
  while (!stop_) {
    pollfd pfd{listener_.Get(), POLLIN, 0};
    if (::poll(&pfd, 1, 50) != 1) continue;
    UniqueFd conn(::accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) continue;
    ++connections_;
    const std::string request = ReadRequest(conn.Get());
    {
      std::lock_guard lock(mu_);
      received_.push_back(request);
    }
    const std::string first_line = request.substr(0, request.find("\r\n"));
    const std::string body = body_ + " " + first_line;
    const std::string response =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    (void)::send(conn.Get(), response.data(), response.size(), MSG_NOSIGNAL);
  }
}

std::uint16_t UnusedPort() {
  std::uint16_t port = 0;
  UniqueFd fd = ListenLoopback(&port);
  return port;
}

}  // namespace hotplex::testing
