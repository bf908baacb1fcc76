// The ipsec_tun attribute trees <-> the Kernel interface's structs. Pure
// functions over netlink messages (no sockets), so the host unit tests can
// round-trip them and feed them malformed replies.
//
// Parsing distrusts the kernel as it would the network: every attribute's
// length is checked before it is read (no libnl policy is assumed), and a
// reply missing a required field yields nullopt rather than half a struct.
#pragma once

#include <linux/netlink.h>

#include <optional>

#include "kernel/kernel.h"

struct nl_msg;
struct nlattr;

namespace ipsec::kernel {

// Length-checked getters; nullopt when the attribute is absent or too short.
std::optional<uint8_t> GetU8(const nlattr* a);
std::optional<uint16_t> GetU16(const nlattr* a);
std::optional<uint32_t> GetU32(const nlattr* a);
std::optional<uint64_t> GetU64(const nlattr* a);
// 4 bytes for AF_INET, 16 for AF_INET6, anything else nullopt.
std::optional<IpAddress> GetAddr(const nlattr* a, int family);

// Requests. Each returns false when the message ran out of room.
bool PutNewSa(nl_msg* m, int ifindex, const SaParams& sa);
bool PutSaUpdate(nl_msg* m, int ifindex, const SaUpdate& upd);
bool PutSaId(nl_msg* m, int ifindex, uint32_t spi, Direction dir);
bool PutPolicy(nl_msg* m, int ifindex, const Policy& pol);
// ALLOC_SPI: an SPI free for inbound SAs to `local`. ifindex > 0: reserved
// on that device (and its underlay is the netns); 0: no device, the
// caller's netns is the underlay, nothing reserved.
bool PutAllocSpi(nl_msg* m, const IpAddress& local, int ifindex);
// A selector nest of IPSEC_TUN_POL_A_* under attribute type `type`.
bool PutSelector(nl_msg* m, int type, const TrafficSelector& sel);

// Replies and events (a whole genetlink message).
std::optional<DevInfo> ParseDevInfo(const nlmsghdr* nlh);
std::optional<SaInfo> ParseSaInfo(const nlmsghdr* nlh);
// ALLOC_SPI's reply: the SPI, >= 256.
std::optional<uint32_t> ParseAllocSpi(const nlmsghdr* nlh);
std::optional<Policy> ParsePolicyMsg(const nlmsghdr* nlh);
std::optional<AcquireEvent> ParseAcquire(const nlmsghdr* nlh);
std::optional<ExpireEvent> ParseExpire(const nlmsghdr* nlh);
std::optional<ErrorEvent> ParseErrorEvent(const nlmsghdr* nlh);
std::optional<MappingEvent> ParseMapping(const nlmsghdr* nlh);

// A selector nest's contents; nullopt on a missing family/address or a
// prefix length longer than the address.
std::optional<TrafficSelector> ParseSelector(const nlattr* nest);
Counters ParseCounters(const nlattr* nest);

}  // namespace ipsec::kernel
