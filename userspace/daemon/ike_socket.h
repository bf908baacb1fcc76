// The daemon's IKE UDP sockets: port 500 and port 4500 (NAT-T, RFC 3948),
// for IPv4 and IPv6 (IPV6_V6ONLY, so each family has its own socket).
//
// Every socket asks for the packet's destination address (IP_PKTINFO /
// IPV6_RECVPKTINFO) and replies carry it back as the source, so an answer
// leaves from the address the request came to even on a multi-homed host.
//
// On the 4500 sockets, IKE messages carry a 4-byte zero non-ESP marker
// (RFC 3948 2.2): Receive() strips it, Send() adds it. A 1-byte 0xff
// datagram is a NAT-keepalive (RFC 3948 2.3) and is dropped silently. An
// ESP packet (non-zero SPI in the first four bytes) reaching us means the
// module does not own the socket's ESP-in-UDP: dropped and counted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/result.h"
#include "engine/engine.h"

namespace ipsec::daemon {

struct IkeSocketOptions {
  uint16_t ike_port = 500;
  uint16_t natt_port = 4500;
  bool ipv4 = true;
  bool ipv6 = true;
  // Bind addresses (tests use loopback); unset: the wildcard address.
  std::optional<IpAddress> bind_v4, bind_v6;
};

struct IkeSocketCounters {
  uint64_t received = 0, sent = 0;
  uint64_t send_errors = 0, receive_errors = 0;
  uint64_t dropped_short = 0;      // shorter than an IKE header / marker
  uint64_t dropped_esp = 0;        // ESP on 4500 that the module did not take
  uint64_t keepalives = 0;         // NAT-keepalives received
  uint64_t dropped_no_socket = 0;  // Send() for a family/port we have no socket for
};

struct ReceivedDatagram {
  std::vector<uint8_t> data;  // IKE message, non-ESP marker stripped
  engine::Endpoint local, remote;
};

class IkeSockets : public engine::DatagramSender {
 public:
  // Opens and binds every socket the options ask for. Fails naming the
  // address and port that could not be bound ("bind 0.0.0.0:500: Address
  // already in use (is another IKE daemon running in this netns?)").
  static Result<std::unique_ptr<IkeSockets>> Open(const IkeSocketOptions& opts);
  ~IkeSockets() override;
  IkeSockets(const IkeSockets&) = delete;
  IkeSockets& operator=(const IkeSockets&) = delete;

  // The file descriptors to poll for reading.
  std::vector<int> fds() const;
  // The NAT-T socket of a family (-1 if none), for Kernel::SetEncapSocket.
  int natt_fd(int family) const;
  uint16_t ike_port() const { return opts_.ike_port; }
  uint16_t natt_port() const { return opts_.natt_port; }

  // Reads one datagram from fd (non-blocking). nullopt when there was
  // nothing to read or the datagram was dropped (see counters()).
  std::optional<ReceivedDatagram> Receive(int fd);

  // engine::DatagramSender.
  void Send(std::span<const uint8_t> datagram, const engine::Endpoint& local,
            const engine::Endpoint& remote) override;

  const IkeSocketCounters& counters() const { return counters_; }

 private:
  struct Sock {
    int fd = -1;
    int family = 0;
    uint16_t port = 0;
    bool natt = false;
  };
  explicit IkeSockets(const IkeSocketOptions& opts) : opts_(opts) {}
  Status OpenOne(int family, uint16_t port, bool natt, const std::optional<IpAddress>& bind);
  const Sock* Find(int family, uint16_t port) const;

  IkeSocketOptions opts_;
  std::vector<Sock> socks_;
  IkeSocketCounters counters_;
};

// True when a datagram received on a NAT-T port is an IKE message after
// the non-ESP marker (exposed for tests).
bool HasNonEspMarker(std::span<const uint8_t> datagram);

}  // namespace ipsec::daemon
