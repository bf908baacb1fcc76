// ikev1_probe: our IKEv1 main mode + quick mode (userspace/ike/v1) as the
// initiator against a real peer, before the engine negotiates IKEv1. It
// proves the wire format and the key schedule against strongSwan or
// libreswan: the peer verifies HASH_I and HASH(1..3) and installs its child;
// the scenario (tests/vm/58x) installs ours from the keys written to OUT
// (mode 0600, never printed) and sends traffic through both.
//
//   ikev1_probe LOCAL REMOTE PSK IKE ESP LOCAL_TS REMOTE_TS IN_SPI PFS_GROUP OUT
//
// PSK: the key itself (a test value); IKE, ESP: ike=/esp= strings; PFS_GROUP:
// an IKEv2 group number, 0 without PFS. OUT gets shell assignments:
// OUT_SPI IN_SPI ENC KEY_OUT KEY_IN [AUTH AUTHKEY_OUT AUTHKEY_IN].
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "common/hex.h"
#include "common/proposal_names.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/phase1_proposal.h"
#include "ike/v1/quick_mode.h"
#include "ike/v1/traffic_ids.h"

using namespace ipsec;
using namespace ipsec::ike::v1;

namespace {

[[noreturn]] void Die(const std::string& what) {
  fprintf(stderr, "ikev1_probe: %s\n", what.c_str());
  exit(1);
}

template <class T>
T Need(Result<T> r, const char* what) {
  if (!r) Die(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

// Sends `out` and returns what `take` makes of the first datagram it
// accepts; others (say an informational about an older SA) are shown and
// ignored. Resends every 2 s for 40 s (pluto has been seen to take 13 s
// over its first quick-mode answer under TCG).
template <class Take>
Bytes Exchange(int fd, const Bytes& out, const char* what, Take take) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (send(fd, out.data(), out.size(), 0) < 0) Die(std::string("send: ") + strerror(errno));
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 2000) > 0) {
      Bytes in(65535);
      ssize_t n = recv(fd, in.data(), in.size(), 0);
      if (n < 0) Die(std::string("recv: ") + strerror(errno));
      in.resize(static_cast<size_t>(n));
      Result<Bytes> r = take(in);
      if (r) return std::move(*r);
      fprintf(stderr, "ikev1_probe: ignored a datagram: %s\n", r.error().message.c_str());
    }
  }
  Die(std::string("no answer to ") + what);
}

int Socket(const IpAddress& local, const IpAddress& remote) {
  int fd = socket(local.family(), SOCK_DGRAM, 0);
  sockaddr_storage a{};
  socklen_t len = local.ToSockaddr(500, &a);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), len) < 0)
    Die(std::string("bind port 500: ") + strerror(errno));
  len = remote.ToSockaddr(500, &a);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), len) < 0)
    Die(std::string("connect: ") + strerror(errno));
  return fd;
}

IdPayload AddressId(const IpAddress& a) {
  return IdPayload{a.is_v4() ? idtype::kIpv4Addr : idtype::kIpv6Addr, 0, 0,
                   Bytes(a.bytes().begin(), a.bytes().end())};
}

std::string HexKey(const SecureBytes& k) { return "0x" + ToHex(k.span()); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 11) Die("usage: LOCAL REMOTE PSK IKE ESP LOCAL_TS REMOTE_TS IN_SPI PFS_GROUP OUT");
  auto local = IpAddress::Parse(argv[1]);
  auto remote = IpAddress::Parse(argv[2]);
  auto local_ts = IpPrefix::Parse(argv[6]);
  auto remote_ts = IpPrefix::Parse(argv[7]);
  if (!local || !remote || !local_ts || !remote_ts) Die("bad address or prefix");
  auto ike = Need(ParseProposals(argv[4], ProtocolId::kIke), "ike=");
  auto esp = Need(ParseProposals(argv[5], ProtocolId::kEsp), "esp=");
  const uint32_t in_spi = static_cast<uint32_t>(strtoul(argv[8], nullptr, 0));
  const uint16_t pfs = static_cast<uint16_t>(atoi(argv[9]));

  SystemRandom random;
  MainModeParams mm;
  mm.transforms = Need(Phase1TransformsFor(ike.proposals, 28800), "IKEv1 phase 1");
  mm.psk = SecureBytes(std::span(reinterpret_cast<const uint8_t*>(argv[3]), strlen(argv[3])));
  mm.local_id = AddressId(*local);
  mm.expected_peer_id = AddressId(*remote);
  mm.local = {*local, 500};
  mm.remote = {*remote, 500};
  int fd = Socket(*local, *remote);

  MainModeInitiator i(std::move(mm), random);
  Bytes out = Need(i.Start(), "main mode 1");
  auto main_mode = [&](const Bytes& in) { return i.Receive(in); };
  for (int n = 2; n <= 6; n += 2) out = Exchange(fd, out, "a main mode message", main_mode);
  printf("phase 1: %s established\n", DescribePhase1(i.sa().transform).c_str());

  QuickModeParams qm{Need(QuickModeTransformsFor(esp.proposals, pfs, 3600, false), "esp="),
                     *local_ts, *remote_ts};
  uint32_t mid = 0;
  while (mid == 0) random.Fill(std::span(reinterpret_cast<uint8_t*>(&mid), sizeof mid));
  QuickModeInitiator q(i.sa(), std::move(qm), mid, in_spi, random);
  Bytes qm3 = Exchange(fd, Need(q.Start(), "quick mode 1"), "quick mode 1",
                       [&](const Bytes& in) { return q.Receive(in); });
  if (send(fd, qm3.data(), qm3.size(), 0) < 0) Die("send quick mode 3");
  const QuickModeResult& r = q.result();
  printf("quick mode: %s, SPIs in 0x%08x out 0x%08x\n", DescribeEsp(r.transform).c_str(),
         r.inbound_spi, r.outbound_spi);

  umask(077);
  std::ofstream f(argv[10]);
  f << "OUT_SPI=0x" << std::hex << r.outbound_spi << " IN_SPI=0x" << r.inbound_spi << std::dec
    << "\nENC=" << KernelAlgorithmName({TransformType::kEncr, r.transforms.encr,
                                        r.transforms.encr_key_bits})
    << "\nKEY_OUT=" << HexKey(r.keys.encr_i) << "\nKEY_IN=" << HexKey(r.keys.encr_r) << "\n";
  if (r.transforms.integ)
    f << "AUTH=" << KernelAlgorithmName({TransformType::kInteg, r.transforms.integ, 0})
      << "\nAUTHKEY_OUT=" << HexKey(r.keys.integ_i) << "\nAUTHKEY_IN=" << HexKey(r.keys.integ_r)
      << "\n";
  return f ? 0 : 1;
}
