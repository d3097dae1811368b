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

void HostServer::Serve() {
  while (!stop_) {
    pollfd pfd{listener_.Get(), POLLIN, 0};
    if (::poll(&pfd, 1, 50) != 1) continue;
    UniqueFd conn(::accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) continue;
    ++connections_;
    // Read the request head (the tests send small ones), answer, close.
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      pollfd cp{conn.Get(), POLLIN, 0};
      if (::poll(&cp, 1, 5000) != 1) break;
      const ssize_t n = ::recv(conn.Get(), buf, sizeof buf, 0);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    const std::string first_line = head.substr(0, head.find("\r\n"));
    const std::string body = body_ + " " + first_line;
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                 body;
    (void)::send(conn.Get(), response.data(), response.size(), MSG_NOSIGNAL);
  }
}

std::uint16_t UnusedPort() {
  std::uint16_t port = 0;
  UniqueFd fd = ListenLoopback(&port);
  return port;
}

}  // namespace hotplex::testing
