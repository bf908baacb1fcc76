#include "kernel/genl_parse.h"

#include <linux/ipsec_tun.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cstring>

namespace ipsec::kernel {
namespace {

template <class T>
std::optional<T> GetScalar(const nlattr* a) {
  if (!a || nla_len(a) < static_cast<int>(sizeof(T))) return std::nullopt;
  T v;
  std::memcpy(&v, nla_data(a), sizeof(T));
  return v;
}

// Parses a nest into tb (zeroed first); false when it is malformed.
template <size_t N>
bool ParseNest(nlattr* (&tb)[N], const nlattr* nest) {
  for (auto& t : tb) t = nullptr;
  if (!nest) return false;
  return nla_parse_nested(tb, N - 1, const_cast<nlattr*>(nest), nullptr) == 0;
}

template <size_t N>
bool ParseTop(nlattr* (&tb)[N], const nlmsghdr* nlh) {
  for (auto& t : tb) t = nullptr;
  if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) return false;
  return genlmsg_parse(const_cast<nlmsghdr*>(nlh), 0, tb, N - 1, nullptr) == 0;
}

bool PutU64IfSet(nl_msg* m, int type, uint64_t v) {
  return v == 0 || nla_put_u64(m, type, v) == 0;
}

bool PutLifetime(nl_msg* m, const Lifetime& soft, const Lifetime& hard) {
  return PutU64IfSet(m, IPSEC_TUN_SA_A_SOFT_BYTES, soft.bytes) &&
         PutU64IfSet(m, IPSEC_TUN_SA_A_HARD_BYTES, hard.bytes) &&
         PutU64IfSet(m, IPSEC_TUN_SA_A_SOFT_PACKETS, soft.packets) &&
         PutU64IfSet(m, IPSEC_TUN_SA_A_HARD_PACKETS, hard.packets) &&
         PutU64IfSet(m, IPSEC_TUN_SA_A_SOFT_SECONDS, soft.seconds) &&
         PutU64IfSet(m, IPSEC_TUN_SA_A_HARD_SECONDS, hard.seconds);
}

bool PutIfindex(nl_msg* m, int ifindex) {
  return nla_put_u32(m, IPSEC_TUN_A_IFINDEX, static_cast<uint32_t>(ifindex)) == 0;
}

bool PutAddr(nl_msg* m, int type, const IpAddress& a) {
  return nla_put(m, type, static_cast<int>(a.size()), a.bytes().data()) == 0;
}

// The selector fields of a policy nest, plus REQID and PRIORITY.
bool PutSelectorFields(nl_msg* m, const TrafficSelector& sel) {
  return nla_put_u16(m, IPSEC_TUN_POL_A_FAMILY, static_cast<uint16_t>(sel.src.family())) == 0 &&
         PutAddr(m, IPSEC_TUN_POL_A_SRC, sel.src.address()) &&
         nla_put_u8(m, IPSEC_TUN_POL_A_SRC_PLEN, sel.src.length()) == 0 &&
         PutAddr(m, IPSEC_TUN_POL_A_DST, sel.dst.address()) &&
         nla_put_u8(m, IPSEC_TUN_POL_A_DST_PLEN, sel.dst.length()) == 0 &&
         nla_put_u8(m, IPSEC_TUN_POL_A_PROTO, sel.proto) == 0 &&
         nla_put_u16(m, IPSEC_TUN_POL_A_SPORT_MIN, sel.sport_min) == 0 &&
         nla_put_u16(m, IPSEC_TUN_POL_A_SPORT_MAX, sel.sport_max) == 0 &&
         nla_put_u16(m, IPSEC_TUN_POL_A_DPORT_MIN, sel.dport_min) == 0 &&
         nla_put_u16(m, IPSEC_TUN_POL_A_DPORT_MAX, sel.dport_max) == 0;
}

std::optional<Direction> GetDir(const nlattr* a) {
  auto d = GetU8(a);
  if (d == IPSEC_TUN_DIR_IN) return Direction::kIn;
  if (d == IPSEC_TUN_DIR_OUT) return Direction::kOut;
  return std::nullopt;
}

}  // namespace

std::optional<uint8_t> GetU8(const nlattr* a) {
  return GetScalar<uint8_t>(a);
}
std::optional<uint16_t> GetU16(const nlattr* a) {
  return GetScalar<uint16_t>(a);
}
std::optional<uint32_t> GetU32(const nlattr* a) {
  return GetScalar<uint32_t>(a);
}
std::optional<uint64_t> GetU64(const nlattr* a) {
  return GetScalar<uint64_t>(a);
}

std::optional<IpAddress> GetAddr(const nlattr* a, int family) {
  if (!a) return std::nullopt;
  const auto* p = static_cast<const uint8_t*>(nla_data(a));
  if (family == AF_INET && nla_len(a) == 4) return IpAddress::V4(std::span<const uint8_t, 4>(p, 4));
  if (family == AF_INET6 && nla_len(a) == 16)
    return IpAddress::V6(std::span<const uint8_t, 16>(p, 16));
  return std::nullopt;
}

bool PutSelector(nl_msg* m, int type, const TrafficSelector& sel) {
  nlattr* nest = nla_nest_start(m, type);
  if (!nest || !PutSelectorFields(m, sel)) return false;
  nla_nest_end(m, nest);
  return true;
}

bool PutNewSa(nl_msg* m, int ifindex, const SaParams& sa) {
  if (!PutIfindex(m, ifindex)) return false;
  nlattr* nest = nla_nest_start(m, IPSEC_TUN_A_SA);
  if (!nest) return false;
  bool ok = nla_put_u32(m, IPSEC_TUN_SA_A_SPI, sa.spi) == 0 &&
            nla_put_u8(m, IPSEC_TUN_SA_A_DIR, static_cast<uint8_t>(sa.dir)) == 0 &&
            nla_put_u32(m, IPSEC_TUN_SA_A_REQID, sa.reqid) == 0 &&
            nla_put_u16(m, IPSEC_TUN_SA_A_FAMILY, static_cast<uint16_t>(sa.src.family())) == 0 &&
            PutAddr(m, IPSEC_TUN_SA_A_SRC, sa.src) && PutAddr(m, IPSEC_TUN_SA_A_DST, sa.dst) &&
            nla_put_u16(m, IPSEC_TUN_SA_A_ENCR_ID, sa.encr_id) == 0 &&
            (sa.encr_key_bits == 0 ||
             nla_put_u16(m, IPSEC_TUN_SA_A_ENCR_KEYLEN, sa.encr_key_bits) == 0) &&
            nla_put(m, IPSEC_TUN_SA_A_ENC_KEY, static_cast<int>(sa.enc_key.size()),
                    sa.enc_key.data()) == 0 &&
            (sa.integ_id == 0 || nla_put_u16(m, IPSEC_TUN_SA_A_INTEG_ID, sa.integ_id) == 0) &&
            (sa.auth_key.empty() ||
             nla_put(m, IPSEC_TUN_SA_A_AUTH_KEY, static_cast<int>(sa.auth_key.size()),
                     sa.auth_key.data()) == 0) &&
            nla_put_u32(m, IPSEC_TUN_SA_A_REPLAY_WINDOW, sa.replay_window) == 0 &&
            nla_put_u32(m, IPSEC_TUN_SA_A_FLAGS, sa.esn ? IPSEC_TUN_SA_F_ESN : 0) == 0 &&
            (!sa.encap_sport || nla_put_u16(m, IPSEC_TUN_SA_A_ENCAP_SPORT, *sa.encap_sport) == 0) &&
            (!sa.encap_dport || nla_put_u16(m, IPSEC_TUN_SA_A_ENCAP_DPORT, *sa.encap_dport) == 0) &&
            PutLifetime(m, sa.soft, sa.hard) &&
            (!sa.seq || nla_put_u64(m, IPSEC_TUN_SA_A_SEQ, *sa.seq) == 0);
  if (!ok) return false;
  if (!sa.selectors.empty()) {
    nlattr* sels = nla_nest_start(m, IPSEC_TUN_SA_A_SEL);
    if (!sels) return false;
    int i = 1;
    for (const auto& sel : sa.selectors)
      if (!PutSelector(m, i++, sel)) return false;
    nla_nest_end(m, sels);
  }
  nla_nest_end(m, nest);
  return true;
}

bool PutSaUpdate(nl_msg* m, int ifindex, const SaUpdate& upd) {
  if (!PutIfindex(m, ifindex)) return false;
  nlattr* nest = nla_nest_start(m, IPSEC_TUN_A_SA);
  if (!nest) return false;
  bool ok =
      nla_put_u32(m, IPSEC_TUN_SA_A_SPI, upd.spi) == 0 &&
      nla_put_u8(m, IPSEC_TUN_SA_A_DIR, static_cast<uint8_t>(upd.dir)) == 0 &&
      (!upd.src || PutAddr(m, IPSEC_TUN_SA_A_SRC, *upd.src)) &&
      (!upd.dst || PutAddr(m, IPSEC_TUN_SA_A_DST, *upd.dst)) &&
      (!upd.encap_sport || nla_put_u16(m, IPSEC_TUN_SA_A_ENCAP_SPORT, *upd.encap_sport) == 0) &&
      (!upd.encap_dport || nla_put_u16(m, IPSEC_TUN_SA_A_ENCAP_DPORT, *upd.encap_dport) == 0) &&
      PutLifetime(m, upd.soft.value_or(Lifetime{}), upd.hard.value_or(Lifetime{}));
  if (!ok) return false;
  nla_nest_end(m, nest);
  return true;
}

bool PutSaId(nl_msg* m, int ifindex, uint32_t spi, Direction dir) {
  if (!PutIfindex(m, ifindex)) return false;
  nlattr* nest = nla_nest_start(m, IPSEC_TUN_A_SA);
  if (!nest || nla_put_u32(m, IPSEC_TUN_SA_A_SPI, spi) != 0 ||
      nla_put_u8(m, IPSEC_TUN_SA_A_DIR, static_cast<uint8_t>(dir)) != 0)
    return false;
  nla_nest_end(m, nest);
  return true;
}

bool PutAllocSpi(nl_msg* m, const IpAddress& local, int ifindex) {
  if (ifindex > 0 && !PutIfindex(m, ifindex)) return false;
  nlattr* nest = nla_nest_start(m, IPSEC_TUN_A_SA);
  if (!nest || nla_put_u16(m, IPSEC_TUN_SA_A_FAMILY, static_cast<uint16_t>(local.family())) != 0 ||
      !PutAddr(m, IPSEC_TUN_SA_A_DST, local))
    return false;
  nla_nest_end(m, nest);
  return true;
}

bool PutPolicy(nl_msg* m, int ifindex, const Policy& pol) {
  if (!PutIfindex(m, ifindex)) return false;
  nlattr* nest = nla_nest_start(m, IPSEC_TUN_A_POLICY);
  if (!nest || !PutSelectorFields(m, pol.sel) ||
      nla_put_u32(m, IPSEC_TUN_POL_A_REQID, pol.reqid) != 0 ||
      nla_put_u32(m, IPSEC_TUN_POL_A_PRIORITY, pol.priority) != 0)
    return false;
  nla_nest_end(m, nest);
  return true;
}

std::optional<TrafficSelector> ParseSelector(const nlattr* nest) {
  nlattr* tb[IPSEC_TUN_POL_A_MAX + 1];
  if (!ParseNest(tb, nest)) return std::nullopt;
  auto family = GetU16(tb[IPSEC_TUN_POL_A_FAMILY]);
  if (!family) return std::nullopt;
  auto src = GetAddr(tb[IPSEC_TUN_POL_A_SRC], *family);
  auto dst = GetAddr(tb[IPSEC_TUN_POL_A_DST], *family);
  auto src_plen = GetU8(tb[IPSEC_TUN_POL_A_SRC_PLEN]);
  auto dst_plen = GetU8(tb[IPSEC_TUN_POL_A_DST_PLEN]);
  if (!src || !dst || !src_plen || !dst_plen || *src_plen > src->size() * 8 ||
      *dst_plen > dst->size() * 8)
    return std::nullopt;
  TrafficSelector sel;
  sel.src = IpPrefix(*src, *src_plen);
  sel.dst = IpPrefix(*dst, *dst_plen);
  sel.proto = GetU8(tb[IPSEC_TUN_POL_A_PROTO]).value_or(0);
  sel.sport_min = GetU16(tb[IPSEC_TUN_POL_A_SPORT_MIN]).value_or(0);
  sel.sport_max = GetU16(tb[IPSEC_TUN_POL_A_SPORT_MAX]).value_or(65535);
  sel.dport_min = GetU16(tb[IPSEC_TUN_POL_A_DPORT_MIN]).value_or(0);
  sel.dport_max = GetU16(tb[IPSEC_TUN_POL_A_DPORT_MAX]).value_or(65535);
  return sel;
}

Counters ParseCounters(const nlattr* nest) {
  Counters c;
  nlattr* tb[IPSEC_TUN_STAT_MAX + 1];
  if (!ParseNest(tb, nest)) return c;
  auto get = [&](int i) { return GetU64(tb[i]).value_or(0); };
  c.rx_packets = get(IPSEC_TUN_STAT_RX_PACKETS);
  c.rx_bytes = get(IPSEC_TUN_STAT_RX_BYTES);
  c.tx_packets = get(IPSEC_TUN_STAT_TX_PACKETS);
  c.tx_bytes = get(IPSEC_TUN_STAT_TX_BYTES);
  c.drop_auth = get(IPSEC_TUN_STAT_DROP_AUTH);
  c.drop_replay = get(IPSEC_TUN_STAT_DROP_REPLAY);
  c.drop_pad = get(IPSEC_TUN_STAT_DROP_PAD);
  c.drop_header = get(IPSEC_TUN_STAT_DROP_HEADER);
  c.drop_no_sa = get(IPSEC_TUN_STAT_DROP_NO_SA);
  c.drop_no_policy = get(IPSEC_TUN_STAT_DROP_NO_POLICY);
  c.drop_selector = get(IPSEC_TUN_STAT_DROP_SELECTOR);
  c.drop_mtu = get(IPSEC_TUN_STAT_DROP_MTU);
  c.drop_expired = get(IPSEC_TUN_STAT_DROP_EXPIRED);
  c.drop_nomem = get(IPSEC_TUN_STAT_DROP_NOMEM);
  c.drop_ecn = get(IPSEC_TUN_STAT_DROP_ECN);
  c.icmp_pmtu = get(IPSEC_TUN_STAT_ICMP_PMTU);
  c.icmp_ignored = get(IPSEC_TUN_STAT_ICMP_IGNORED);
  c.rx_held = get(IPSEC_TUN_STAT_RX_HELD);
  c.drop_hold_expired = get(IPSEC_TUN_STAT_DROP_HOLD_EXPIRED);
  c.drop_hold_full = get(IPSEC_TUN_STAT_DROP_HOLD_FULL);
  return c;
}

std::optional<DevInfo> ParseDevInfo(const nlmsghdr* nlh) {
  nlattr* tb[IPSEC_TUN_A_MAX + 1];
  if (!ParseTop(tb, nlh)) return std::nullopt;
  auto ifindex = GetU32(tb[IPSEC_TUN_A_IFINDEX]);
  const nlattr* name = tb[IPSEC_TUN_A_IFNAME];
  if (!ifindex || !name || nla_len(name) < 1) return std::nullopt;
  DevInfo d;
  d.ifindex = static_cast<int>(*ifindex);
  const char* s = static_cast<const char*>(nla_data(name));
  d.name.assign(s, strnlen(s, static_cast<size_t>(nla_len(name))));
  d.mtu = GetU32(tb[IPSEC_TUN_A_MTU]).value_or(0);
  if (auto id = GetU32(tb[IPSEC_TUN_A_LINK_NETNSID])) d.link_netnsid = static_cast<int>(*id);
  if (auto id = GetU32(tb[IPSEC_TUN_A_NETNSID])) d.netnsid = static_cast<int>(*id);
  d.encap_port = GetU16(tb[IPSEC_TUN_A_ENCAP_PORT]);
  d.mss_clamp = GetU16(tb[IPSEC_TUN_A_MSS_CLAMP]).value_or(0);
  d.sa_count = GetU32(tb[IPSEC_TUN_A_SA_COUNT]).value_or(0);
  d.policy_count = GetU32(tb[IPSEC_TUN_A_POLICY_COUNT]).value_or(0);
  d.spi_reserved = GetU32(tb[IPSEC_TUN_A_SPI_RESERVED]).value_or(0);
  d.stats = ParseCounters(tb[IPSEC_TUN_A_STATS]);
  return d;
}

std::optional<uint32_t> ParseAllocSpi(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  nlattr* tb[IPSEC_TUN_SA_A_MAX + 1];
  if (!ParseTop(top, nlh) || !ParseNest(tb, top[IPSEC_TUN_A_SA])) return std::nullopt;
  auto spi = GetU32(tb[IPSEC_TUN_SA_A_SPI]);
  if (!spi || *spi < 256) return std::nullopt;  // RFC 4303 2.1: 1..255 reserved
  return spi;
}

std::optional<SaInfo> ParseSaInfo(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  nlattr* tb[IPSEC_TUN_SA_A_MAX + 1];
  if (!ParseTop(top, nlh) || !ParseNest(tb, top[IPSEC_TUN_A_SA])) return std::nullopt;
  auto ifindex = GetU32(top[IPSEC_TUN_A_IFINDEX]);
  auto spi = GetU32(tb[IPSEC_TUN_SA_A_SPI]);
  auto dir = GetDir(tb[IPSEC_TUN_SA_A_DIR]);
  auto family = GetU16(tb[IPSEC_TUN_SA_A_FAMILY]);
  if (!ifindex || !spi || !dir || !family) return std::nullopt;
  auto src = GetAddr(tb[IPSEC_TUN_SA_A_SRC], *family);
  auto dst = GetAddr(tb[IPSEC_TUN_SA_A_DST], *family);
  if (!src || !dst) return std::nullopt;
  SaInfo sa;
  sa.ifindex = static_cast<int>(*ifindex);
  sa.spi = *spi;
  sa.dir = *dir;
  sa.reqid = GetU32(tb[IPSEC_TUN_SA_A_REQID]).value_or(0);
  sa.src = *src;
  sa.dst = *dst;
  sa.encr_id = GetU16(tb[IPSEC_TUN_SA_A_ENCR_ID]).value_or(0);
  sa.encr_key_bits = GetU16(tb[IPSEC_TUN_SA_A_ENCR_KEYLEN]).value_or(0);
  sa.integ_id = GetU16(tb[IPSEC_TUN_SA_A_INTEG_ID]).value_or(0);
  sa.replay_window = GetU32(tb[IPSEC_TUN_SA_A_REPLAY_WINDOW]).value_or(0);
  sa.flags = GetU32(tb[IPSEC_TUN_SA_A_FLAGS]).value_or(0);
  sa.esn = sa.flags & IPSEC_TUN_SA_F_ESN;
  sa.encap_sport = GetU16(tb[IPSEC_TUN_SA_A_ENCAP_SPORT]);
  sa.encap_dport = GetU16(tb[IPSEC_TUN_SA_A_ENCAP_DPORT]);
  sa.soft.bytes = GetU64(tb[IPSEC_TUN_SA_A_SOFT_BYTES]).value_or(0);
  sa.hard.bytes = GetU64(tb[IPSEC_TUN_SA_A_HARD_BYTES]).value_or(0);
  sa.soft.packets = GetU64(tb[IPSEC_TUN_SA_A_SOFT_PACKETS]).value_or(0);
  sa.hard.packets = GetU64(tb[IPSEC_TUN_SA_A_HARD_PACKETS]).value_or(0);
  sa.soft.seconds = GetU64(tb[IPSEC_TUN_SA_A_SOFT_SECONDS]).value_or(0);
  sa.hard.seconds = GetU64(tb[IPSEC_TUN_SA_A_HARD_SECONDS]).value_or(0);
  sa.seq = GetU64(tb[IPSEC_TUN_SA_A_SEQ]).value_or(0);
  sa.add_time = GetU64(tb[IPSEC_TUN_SA_A_ADD_TIME]).value_or(0);
  sa.stats = ParseCounters(tb[IPSEC_TUN_SA_A_STATS]);
  if (const nlattr* sels = tb[IPSEC_TUN_SA_A_SEL]) {
    const nlattr* a;
    int rem;
    nla_for_each_nested(a, const_cast<nlattr*>(sels), rem) {
      auto sel = ParseSelector(a);
      if (!sel) return std::nullopt;
      sa.selectors.push_back(*sel);
    }
  }
  return sa;
}

std::optional<Policy> ParsePolicyMsg(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  nlattr* tb[IPSEC_TUN_POL_A_MAX + 1];
  if (!ParseTop(top, nlh) || !ParseNest(tb, top[IPSEC_TUN_A_POLICY])) return std::nullopt;
  auto sel = ParseSelector(top[IPSEC_TUN_A_POLICY]);
  auto reqid = GetU32(tb[IPSEC_TUN_POL_A_REQID]);
  if (!sel || !reqid) return std::nullopt;
  Policy p;
  p.sel = *sel;
  p.reqid = *reqid;
  p.priority = GetU32(tb[IPSEC_TUN_POL_A_PRIORITY]).value_or(0);
  return p;
}

std::optional<AcquireEvent> ParseAcquire(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  if (!ParseTop(top, nlh)) return std::nullopt;
  auto ifindex = GetU32(top[IPSEC_TUN_A_IFINDEX]);
  auto sel = ParseSelector(top[IPSEC_TUN_A_PACKET_SEL]);
  if (!ifindex || !sel) return std::nullopt;
  AcquireEvent ev;
  ev.ifindex = static_cast<int>(*ifindex);
  ev.reqid = GetU32(top[IPSEC_TUN_A_REQID]);
  ev.packet = *sel;
  return ev;
}

std::optional<ExpireEvent> ParseExpire(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  nlattr* tb[IPSEC_TUN_SA_A_MAX + 1];
  if (!ParseTop(top, nlh) || !ParseNest(tb, top[IPSEC_TUN_A_SA])) return std::nullopt;
  auto ifindex = GetU32(top[IPSEC_TUN_A_IFINDEX]);
  auto spi = GetU32(tb[IPSEC_TUN_SA_A_SPI]);
  auto dir = GetDir(tb[IPSEC_TUN_SA_A_DIR]);
  if (!ifindex || !spi || !dir) return std::nullopt;
  ExpireEvent ev;
  ev.ifindex = static_cast<int>(*ifindex);
  ev.spi = *spi;
  ev.dir = *dir;
  ev.reqid = GetU32(tb[IPSEC_TUN_SA_A_REQID]).value_or(0);
  ev.hard = top[IPSEC_TUN_A_EXPIRE_HARD] != nullptr;
  ev.reason = GetU8(top[IPSEC_TUN_A_EXPIRE_REASON]).value_or(0);
  return ev;
}

std::optional<ErrorEvent> ParseErrorEvent(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  if (!ParseTop(top, nlh)) return std::nullopt;
  auto ifindex = GetU32(top[IPSEC_TUN_A_IFINDEX]);
  auto code = GetU32(top[IPSEC_TUN_A_ERROR_CODE]);
  if (!ifindex || !code) return std::nullopt;
  ErrorEvent ev;
  ev.ifindex = static_cast<int>(*ifindex);
  ev.code = *code;
  nlattr* tb[IPSEC_TUN_SA_A_MAX + 1];
  if (top[IPSEC_TUN_A_SA] && ParseNest(tb, top[IPSEC_TUN_A_SA])) {
    ev.spi = GetU32(tb[IPSEC_TUN_SA_A_SPI]).value_or(0);
    ev.dir = GetDir(tb[IPSEC_TUN_SA_A_DIR]).value_or(Direction::kIn);
  }
  return ev;
}

std::optional<MappingEvent> ParseMapping(const nlmsghdr* nlh) {
  nlattr* top[IPSEC_TUN_A_MAX + 1];
  nlattr* tb[IPSEC_TUN_SA_A_MAX + 1];
  if (!ParseTop(top, nlh) || !ParseNest(tb, top[IPSEC_TUN_A_SA])) return std::nullopt;
  auto ifindex = GetU32(top[IPSEC_TUN_A_IFINDEX]);
  auto spi = GetU32(tb[IPSEC_TUN_SA_A_SPI]);
  auto family = GetU16(tb[IPSEC_TUN_SA_A_FAMILY]);
  if (!ifindex || !spi || !family) return std::nullopt;
  auto old_addr = GetAddr(tb[IPSEC_TUN_SA_A_SRC], *family);
  auto new_addr = GetAddr(top[IPSEC_TUN_A_MAPPING_ADDR], *family);
  auto new_port = GetU16(top[IPSEC_TUN_A_MAPPING_PORT]);
  if (!old_addr || !new_addr || !new_port) return std::nullopt;
  MappingEvent ev;
  ev.ifindex = static_cast<int>(*ifindex);
  ev.spi = *spi;
  ev.reqid = GetU32(tb[IPSEC_TUN_SA_A_REQID]).value_or(0);
  ev.old_addr = *old_addr;
  ev.new_addr = *new_addr;
  ev.old_port = GetU16(tb[IPSEC_TUN_SA_A_ENCAP_SPORT]).value_or(0);
  ev.new_port = *new_port;
  return ev;
}

}  // namespace ipsec::kernel
