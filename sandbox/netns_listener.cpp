#include "sandbox/netns_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace hotplex::sandbox {
namespace {

Result<UniqueFd> ListenHere(const sockaddr_in& addr, int backlog) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return ErrnoError("socket");
  const int one = 1;
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // A namespace sandbox's `lo` is still down while its parent-side hooks run
  // (the child brings it up later), so 127.0.0.1 is not assigned yet: bind
  // anyway; connections are accepted once the address exists.
  if (::setsockopt(fd.Get(), IPPROTO_IP, IP_FREEBIND, &one, sizeof one) != 0) {
    return ErrnoError("setsockopt IP_FREEBIND");
  }
  if (::bind(fd.Get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return ErrnoError("bind in sandbox network namespace");
  }
  if (::listen(fd.Get(), backlog) != 0) return ErrnoError("listen");
  return fd;
}

}  // namespace

Result<UniqueFd> ListenInNetworkNamespace(pid_t pid, const std::string& ipv4_address,
                                          std::uint16_t port, int backlog) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, ipv4_address.c_str(), &addr.sin_addr) != 1) {
    return MakeError("invalid IPv4 address '" + ipv4_address + "'");
  }
  UniqueFd ns(::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return ErrnoError("open network namespace", "of pid " + std::to_string(pid));
  Result<UniqueFd> result = MakeError("listener thread did not run");
  // setns changes only the calling thread: a thread of our own keeps the
  // caller (an io_context thread, say) in the host's namespace.
  std::thread worker([&] {
    if (::setns(ns.Get(), CLONE_NEWNET) != 0) {
      result = ErrnoError("setns", "into the network namespace of pid " + std::to_string(pid));
      return;
    }
    result = ListenHere(addr, backlog);
  });
  worker.join();
  return result;
}

Result<std::uint16_t> BoundPort(int socket_fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoError("getsockname");
  }
  return ntohs(addr.sin_port);
}

}  // namespace hotplex::sandbox
