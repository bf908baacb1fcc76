/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ipsec_tun: route-based IPsec (ESP tunnel mode) on ipsecN devices.
 *
 * This header is the only definition of the "ipsec_tun" generic netlink
 * family. The kernel module and all userspace (ipsecd, ipsecctl) include it.
 *
 * Model
 * -----
 * An ipsecN device is a layer-3 point-to-point device. Packets routed into it
 * are matched against the device's *policies* (selectors, "eroutes"); a
 * matching policy names a *reqid*; the newest live outbound SA on that device
 * with that reqid encrypts the packet (ESP tunnel mode, RFC 4303) and the outer
 * packet is sent in the netns where the device was created (the "underlay"),
 * even after the device has been moved to another netns.
 *
 * Inbound ESP (IP protocol 50, or UDP-encapsulated per RFC 3948 on an attached
 * socket) is looked up in the underlay netns by RFC 4301's SAD key: SPI,
 * outer destination address (the inbound SA's DST) and ESP; ESP whose (SPI,
 * destination) is not ours is left to XFRM. After decryption the inner
 * packet is checked against the SA's own selectors (IPSEC_TUN_SA_A_SEL), its
 * ECN field set from the outer one (RFC 6040: outer CE over a Not-ECT inner
 * packet is dropped, STAT_DROP_ECN) and it is delivered on the SA's device.
 *
 * Rekey without loss: install the new inbound SA, then the new outbound SA
 * with the same reqid (it takes over at once, being the newest), then delete
 * the old pair after a grace period. Policies do not change.
 *
 * Addresses are binary in network byte order: 4 bytes for AF_INET, 16 for
 * AF_INET6. Integers are host byte order, SPIs included (userspace converts).
 *
 * Permissions: every command below, GET_* and dumps included, and joining
 * the events group need CAP_NET_ADMIN in the user namespace that owns the
 * caller's netns (as XFRM); anything else is -EPERM. The root of a user
 * namespace thus manages the devices of a netns it created, never those of
 * another netns.
 *
 * Commands (request attributes; "dev" = IPSEC_TUN_A_IFINDEX, 1..INT_MAX, or
 * IPSEC_TUN_A_IFNAME, a NUL-terminated name; IFINDEX wins when both are
 * given; the device must be an ipsec device of the caller's netns or, if
 * none matches there, one created in the caller's netns (its underlay) and
 * since moved to another netns, matched by its current IFINDEX or IFNAME
 * there, for a caller with CAP_NET_ADMIN in the caller's netns (two such
 * matches: ambiguous); else -ENODEV; an IFINDEX out of range is -ERANGE.
 * With IPSEC_TUN_A_NETNS_FD (a file descriptor of a network namespace, as
 * /run/netns/NAME), IFINDEX or IFNAME is looked up in that netns only, and
 * must be a device of the caller's netns or one created in it: the
 * underlay's daemon names exactly which of its moved devices it means;
 * -EBADF/-EINVAL for an fd that is not a netns, -ENODEV otherwise)
 * --------
 * IPSEC_TUN_CMD_GET_DEV   doit: dev. dumpit: all ipsec devices of the netns,
 *     and those created in it and since moved to another netns.
 *     Reply: IFINDEX, IFNAME, MTU, LINK_NETNSID (when created elsewhere),
 *     NETNSID (when the device lives in another netns than the caller's:
 *     that netns's id as the caller's netns knows it, `ip netns list-id`),
 *     ENCAP_PORT (local port of the attached UDP socket, if any),
 *     SA_COUNT, POLICY_COUNT, STATS (nest of IPSEC_TUN_STAT_*), MSS_CLAMP
 *     (when not 0).
 * IPSEC_TUN_CMD_SET_DEV   [admin] dev, and MSS_CLAMP (u16): TCP MSS clamping
 *     on the device, off (0) by default. When on, the MSS option of every
 *     inner TCP SYN and SYN-ACK crossing the device, in both directions
 *     (before encryption, after decapsulation), is lowered to the device
 *     MTU - 40 (IPv4) or MTU - 60 (IPv6) and to MSS_CLAMP (an IPv4 MSS;
 *     MSS_CLAMP - 20 for IPv6); never raised; the TCP checksum is fixed.
 *     IPSEC_TUN_MSS_CLAMP_MTU: the MTU alone sets it. Values 1..535 are
 *     -EINVAL. Fragments and malformed TCP options are left alone. For paths
 *     whose ICMP is filtered, where path MTU discovery cannot work.
 * IPSEC_TUN_CMD_NEW_SA    [admin] dev, SA (nest, IPSEC_TUN_SA_A_*). Required:
 *     SPI, DIR, FAMILY, SRC, DST, ENCR_ID, ENC_KEY; REQID for outbound;
 *     INTEG_ID + AUTH_KEY for non-AEAD ciphers. -EEXIST for the same (dev,
 *     DIR, SPI), and for an inbound SA whose (SPI, DST) is already taken in
 *     the underlay netns: by an inbound SA of any of our devices, or by an
 *     XFRM state (without mark). The same SPI with another DST is accepted.
 *     Optional SEQ: where the sequence numbers start (default 0): outbound,
 *     the last number sent, so the first packet carries SEQ + 1; inbound, the
 *     highest number received (counted as seen, the window below it empty).
 *     For moving a live SA to another host, and for testing what happens at
 *     the end of the sequence space. -ERANGE past 2^32 - 1 without ESN, past
 *     2^63 - 1 for an outbound ESN SA.
 * IPSEC_TUN_CMD_UPD_SA    [admin] dev, SA with SPI + DIR, and any of: lifetimes,
 *     ENCAP_SPORT/ENCAP_DPORT (NAT mapping moved), SRC/DST (peer moved). A
 *     new DST moves an inbound SA to that SAD key: -EEXIST as in NEW_SA.
 *     Keys, algorithms, selectors and SEQ cannot change (-EINVAL).
 * IPSEC_TUN_CMD_DEL_SA    [admin] dev, SA with SPI + DIR. An inbound SPI with
 *     no SA but a reservation on dev (ALLOC_SPI) releases the reservation
 *     (0): the daemon gives up a child SA that will never be added.
 * IPSEC_TUN_CMD_GET_SA    doit: dev, SA with SPI + DIR. dumpit: dev (all SAs
 *     of the device) or nothing (all SAs of the netns's ipsec devices).
 *     Reply: IFINDEX and an SA nest with everything given at creation except
 *     ENC_KEY and AUTH_KEY, which are never sent back, plus SEQ (last outbound
 *     sequence number sent or highest inbound one received), ADD_TIME, STATS.
 * IPSEC_TUN_CMD_FLUSH     [admin] dev: delete every SA and policy of the device.
 * IPSEC_TUN_CMD_NEW_POLICY [admin] dev, POLICY (nest, IPSEC_TUN_POL_A_*):
 *     FAMILY, SRC+SRC_PLEN, DST+DST_PLEN, REQID required; PROTO, port ranges,
 *     PRIORITY optional. Lookup picks the lowest PRIORITY value, then the
 *     longest DST prefix, then the longest SRC prefix.
 * IPSEC_TUN_CMD_DEL_POLICY [admin] dev, POLICY with the same selector fields.
 * IPSEC_TUN_CMD_GET_POLICY dumpit: dev or nothing.
 * IPSEC_TUN_CMD_SET_ENCAP [admin] dev, ENCAP_FD: a bound UDP socket of the
 *     caller (the daemon's port-4500 IKE socket). The module turns it into an
 *     ESP-in-UDP socket (RFC 3948): non-ESP datagrams (non-ESP marker, IKE,
 *     NAT keepalives) still reach the socket's owner. ENCAP_FD = -1 detaches.
 * IPSEC_TUN_CMD_ALLOC_SPI [admin] SA nest with FAMILY and DST (the local
 *     address the inbound SA will have); optional dev (default: the caller's
 *     netns is the underlay; with dev: the device's underlay netns, and
 *     the SPI is also free among the device's inbound SAs); optional
 *     SPI_MIN, SPI_MAX (default 256 .. 2^32 - 1; -EINVAL if MIN > MAX).
 *     Reply: SA nest with SPI, picked at random in the range among those no
 *     inbound SA of ours nor any XFRM state (without mark) has with that DST
 *     in that netns; -ENOSPC if none was found (ranges up to 4096 SPIs are
 *     searched fully, larger ones by 64 random tries; SPIs reserved, below,
 *     count as taken). Without dev nothing is reserved: NEW_SA refuses an
 *     SPI taken meanwhile with -EEXIST, and the caller allocates again.
 *     With dev the (SPI, DST) is reserved on that device, as XFRM's larval
 *     state, until NEW_SA adds the inbound SA with that SPI and DST, DEL_SA
 *     (dir in) names the SPI, FLUSH, the device goes, or 60 s pass; at most
 *     4096 reservations per device (-ENOSPC).
 *
 * Holding ESP for a reserved SPI: the responder of a CREATE_CHILD_SA may
 * send ESP on the new child as soon as it has answered, before the
 * initiator has processed the answer and added the inbound SA (whose keys
 * need the responder's nonce). ESP whose (SPI, destination) is reserved and
 * has no SA yet is therefore held, unauthenticated, on the reserving
 * device: at most 32 packets per SPI and 256 packets or 1 MiB (truesize)
 * per device (beyond: dropped, STAT_DROP_HOLD_FULL), each for at most
 * the module parameter spi_hold_ms (default 1000; 0 turns holding off).
 * NEW_SA of the SPI on that device puts the held packets through the normal
 * input path (replay window, ICV, selectors; counted by the SA), after any
 * that found the new SA directly; packets held too long, or whose
 * reservation ends without its SA, are dropped (STAT_DROP_HOLD_EXPIRED).
 * Held packets are counted in STAT_RX_HELD and, in total over all devices,
 * in /sys/module/ipsec_tun/parameters/live_held. Established SAs never
 * wait for or share anything with held packets.
 *
 * Events (multicast group IPSEC_TUN_MCGRP_EVENTS, sent in the underlay netns
 * and in the device's current netns if different; joining needs
 * CAP_NET_ADMIN as above)
 * ------
 * IPSEC_TUN_CMD_ACQUIRE   a packet on dev matched a policy whose reqid has no
 *     live outbound SA (or matched no policy: REQID absent). IFINDEX, REQID,
 *     PACKET_SEL (nest of IPSEC_TUN_POL_A_*: the packet's addresses, proto,
 *     ports). Rate-limited per device.
 * IPSEC_TUN_CMD_EXPIRE    an SA reached a lifetime: IFINDEX, SA nest with SPI,
 *     DIR, REQID, STATS; EXPIRE_HARD flag when the hard limit was reached (the
 *     SA is dead and no longer used), absent for soft. EXPIRE_REASON.
 * IPSEC_TUN_CMD_ERROR_EVENT something the daemon should hear of: IFINDEX, SA
 *     nest (SPI, DIR) when about an SA, ERROR_CODE (IPSEC_TUN_ERR_*).
 *     AUTH_BURST events are rate-limited per device (10 a second).
 * IPSEC_TUN_CMD_MAPPING   an ESP-in-UDP packet that passed the ICV and
 *     replay checks of an inbound SA came from another address or UDP
 *     source port than the SA's peer (a NAT rebinding): IFINDEX, SA nest
 *     (SPI, DIR, REQID, FAMILY, and the SA's SRC and ENCAP_SPORT: the old
 *     endpoint), MAPPING_ADDR and MAPPING_PORT (where it came from). The
 *     module moves nothing (the packet is delivered, replies still go to
 *     the old endpoint): the daemon decides and moves the SAs with UPD_SA,
 *     as for XFRM's XFRM_MSG_MAPPING. At most one a second per SA. Not
 *     sent for IPv6 outer packets with extension headers.
 *
 * Errors: every failure returns a negative errno in the netlink ack with an
 * extack message naming the attribute; unknown SA flags give -EOPNOTSUPP.
 * Dumps carry a generation number (genl_dump_check_consistent): a dump
 * interrupted by a change is flagged NLM_F_DUMP_INTR and should be retried.
 * A dump lists everything or ends in an error (-EMSGSIZE if one entry
 * cannot fit a message), never a short list; GET_SA messages reach about
 * 7.5 KiB (an SA with IPSEC_TUN_SA_SEL_MAX selectors): receive with 8 KiB
 * or more, or peek at each message's size.
 * [admin] marks the commands that change state; all need CAP_NET_ADMIN
 * (see Permissions above).
 */
#ifndef _UAPI_LINUX_IPSEC_TUN_H
#define _UAPI_LINUX_IPSEC_TUN_H

#define IPSEC_TUN_GENL_NAME "ipsec_tun"
#define IPSEC_TUN_GENL_VERSION 1
#define IPSEC_TUN_MCGRP_EVENTS "events"

/* rtnl_link kind: ip link add ipsec1 type ipsec */
#define IPSEC_TUN_LINK_KIND "ipsec"

/*
 * rtnetlink link details: IFLA_INFO_DATA in IFLA_LINKINFO (kind "ipsec") of
 * every RTM_GETLINK / RTM_NEWLINK message about an ipsec device, read only
 * (`ip link add ... type ipsec` takes no data; changes go through the
 * genetlink family). A snapshot of the device's configuration, never a key.
 * The underlay netns is the standard IFLA_LINK_NETNSID, present when it is
 * not the netns the device lives in (`ip -d link` prints link-netns).
 * Attributes may be added at the end: skip the unknown ones.
 */
enum ipsec_tun_link_attr {
	IFLA_IPSEC_TUN_UNSPEC,
	IFLA_IPSEC_TUN_MSS_CLAMP,	/* u16: as IPSEC_TUN_A_MSS_CLAMP, 0 = off */
	IFLA_IPSEC_TUN_MSS_V4,		/* u16: MSS that IPv4 SYNs are lowered to
					 * now (ceiling and MTU), 0 = none */
	IFLA_IPSEC_TUN_MSS_V6,		/* u16: the same for IPv6 SYNs */
	IFLA_IPSEC_TUN_ENCAP_PORT,	/* u16: local port of the attached NAT-T
					 * socket (SET_ENCAP), 0 = none */
	IFLA_IPSEC_TUN_SA_COUNT,	/* u32 */
	IFLA_IPSEC_TUN_POLICY_COUNT,	/* u32 */
	IFLA_IPSEC_TUN_CRYPT_QUEUES,	/* u32: ordering queues per direction,
					 * each a threaded NAPI context */
	IFLA_IPSEC_TUN_UNDERLAY_GONE,	/* flag: the underlay netns exited; the
					 * device has no SAs and drops all */
	IFLA_IPSEC_TUN_THREADED,	/* u8: 1 when the queues run in kernel
					 * threads (default), 0 in softirq
					 * (/sys/class/net/DEV/threaded) */
	IFLA_IPSEC_TUN_SPI_RESERVED,	/* u32: as IPSEC_TUN_A_SPI_RESERVED */
	__IFLA_IPSEC_TUN_MAX
};
#define IFLA_IPSEC_TUN_MAX (__IFLA_IPSEC_TUN_MAX - 1)

/* Largest anti-replay window the module accepts, in packets. */
#define IPSEC_TUN_REPLAY_WINDOW_MAX 4096

/* IPSEC_TUN_A_MSS_CLAMP: clamp to what the device MTU allows, no lower ceiling. */
#define IPSEC_TUN_MSS_CLAMP_MTU 65535
/* Smallest ceiling IPSEC_TUN_A_MSS_CLAMP accepts (RFC 9293's default MSS). */
#define IPSEC_TUN_MSS_CLAMP_MIN 536

/* Most selectors an SA may carry (IPSEC_TUN_SA_A_SEL). */
#define IPSEC_TUN_SA_SEL_MAX 64

enum ipsec_tun_cmd {
	IPSEC_TUN_CMD_UNSPEC,
	IPSEC_TUN_CMD_GET_DEV,
	IPSEC_TUN_CMD_NEW_SA,
	IPSEC_TUN_CMD_UPD_SA,
	IPSEC_TUN_CMD_DEL_SA,
	IPSEC_TUN_CMD_GET_SA,
	IPSEC_TUN_CMD_FLUSH,
	IPSEC_TUN_CMD_NEW_POLICY,
	IPSEC_TUN_CMD_DEL_POLICY,
	IPSEC_TUN_CMD_GET_POLICY,
	IPSEC_TUN_CMD_SET_ENCAP,
	IPSEC_TUN_CMD_ACQUIRE,
	IPSEC_TUN_CMD_EXPIRE,
	IPSEC_TUN_CMD_ERROR_EVENT,
	IPSEC_TUN_CMD_ALLOC_SPI,
	IPSEC_TUN_CMD_SET_DEV,
	IPSEC_TUN_CMD_MAPPING,
	__IPSEC_TUN_CMD_MAX
};
#define IPSEC_TUN_CMD_MAX (__IPSEC_TUN_CMD_MAX - 1)

/* Top-level attributes. */
enum ipsec_tun_attr {
	IPSEC_TUN_A_UNSPEC,
	IPSEC_TUN_A_IFINDEX,		/* u32, 1..INT_MAX */
	IPSEC_TUN_A_IFNAME,		/* string, < IFNAMSIZ */
	IPSEC_TUN_A_MTU,		/* u32 */
	IPSEC_TUN_A_LINK_NETNSID,	/* s32 */
	IPSEC_TUN_A_ENCAP_FD,		/* s32, -1 or a file descriptor */
	IPSEC_TUN_A_ENCAP_PORT,		/* u16 */
	IPSEC_TUN_A_SA_COUNT,		/* u32 */
	IPSEC_TUN_A_POLICY_COUNT,	/* u32 */
	IPSEC_TUN_A_STATS,		/* nest: IPSEC_TUN_STAT_* */
	IPSEC_TUN_A_SA,			/* nest: IPSEC_TUN_SA_A_* */
	IPSEC_TUN_A_POLICY,		/* nest: IPSEC_TUN_POL_A_* */
	IPSEC_TUN_A_REQID,		/* u32, in ACQUIRE */
	IPSEC_TUN_A_PACKET_SEL,		/* nest: IPSEC_TUN_POL_A_*, in ACQUIRE */
	IPSEC_TUN_A_EXPIRE_HARD,	/* flag, in EXPIRE */
	IPSEC_TUN_A_EXPIRE_REASON,	/* u8: IPSEC_TUN_EXPIRE_* */
	IPSEC_TUN_A_ERROR_CODE,		/* u32: IPSEC_TUN_ERR_* */
	IPSEC_TUN_A_PAD,
	IPSEC_TUN_A_SPI_MIN,		/* u32 >= 256, in ALLOC_SPI */
	IPSEC_TUN_A_SPI_MAX,		/* u32 >= 256, in ALLOC_SPI */
	IPSEC_TUN_A_MSS_CLAMP,		/* u16: 0 off, else IPv4 MSS ceiling, SET_DEV */
	IPSEC_TUN_A_MAPPING_ADDR,	/* binary 4 or 16: new peer address, in MAPPING */
	IPSEC_TUN_A_MAPPING_PORT,	/* u16: new peer UDP port, in MAPPING */
	IPSEC_TUN_A_NETNS_FD,		/* s32 >= 0, with dev: the netns it is in */
	IPSEC_TUN_A_NETNSID,		/* s32, in GET_DEV: the netns it is in */
	IPSEC_TUN_A_SPI_RESERVED,	/* u32, in GET_DEV: SPIs reserved by
					 * ALLOC_SPI whose SA is not added yet */
	__IPSEC_TUN_A_MAX
};
#define IPSEC_TUN_A_MAX (__IPSEC_TUN_A_MAX - 1)

enum ipsec_tun_dir {
	IPSEC_TUN_DIR_IN = 1,
	IPSEC_TUN_DIR_OUT = 2,
};

/* SA attributes (inside IPSEC_TUN_A_SA). */
enum ipsec_tun_sa_attr {
	IPSEC_TUN_SA_A_UNSPEC,
	IPSEC_TUN_SA_A_SPI,		/* u32, host order */
	IPSEC_TUN_SA_A_DIR,		/* u8: enum ipsec_tun_dir */
	IPSEC_TUN_SA_A_REQID,		/* u32 */
	IPSEC_TUN_SA_A_FAMILY,		/* u16: outer AF_INET or AF_INET6 */
	IPSEC_TUN_SA_A_SRC,		/* binary 4 or 16: outer source */
	IPSEC_TUN_SA_A_DST,		/* binary 4 or 16: outer destination */
	IPSEC_TUN_SA_A_ENCR_ID,		/* u16: IANA IKEv2 Transform Type 1 ID */
	IPSEC_TUN_SA_A_ENCR_KEYLEN,	/* u16: key length in bits (AES), not salt */
	IPSEC_TUN_SA_A_ENC_KEY,		/* binary: key || salt (4 bytes) for
					 * AEAD/GMAC, as RFC 4106/4543/7634 keymat */
	IPSEC_TUN_SA_A_INTEG_ID,	/* u16: IANA Transform Type 3 ID */
	IPSEC_TUN_SA_A_AUTH_KEY,	/* binary */
	IPSEC_TUN_SA_A_REPLAY_WINDOW,	/* u32: packets, 0..IPSEC_TUN_REPLAY_WINDOW_MAX */
	IPSEC_TUN_SA_A_FLAGS,		/* u32: IPSEC_TUN_SA_F_* */
	IPSEC_TUN_SA_A_ENCAP_SPORT,	/* u16: UDP encapsulation (RFC 3948) */
	IPSEC_TUN_SA_A_ENCAP_DPORT,	/* u16 */
	IPSEC_TUN_SA_A_SOFT_BYTES,	/* u64, 0 = none */
	IPSEC_TUN_SA_A_HARD_BYTES,	/* u64 */
	IPSEC_TUN_SA_A_SOFT_PACKETS,	/* u64 */
	IPSEC_TUN_SA_A_HARD_PACKETS,	/* u64 */
	IPSEC_TUN_SA_A_SOFT_SECONDS,	/* u64, since the SA was added */
	IPSEC_TUN_SA_A_HARD_SECONDS,	/* u64 */
	IPSEC_TUN_SA_A_SEL,		/* nest of IPSEC_TUN_POL_A_* (up to
					 * IPSEC_TUN_SA_SEL_MAX, in
					 * a nest of nests): inner traffic an inbound
					 * SA may carry. None: anything. */
	IPSEC_TUN_SA_A_SEQ,		/* u64: last sent (out) / highest received
					 * (in); settable in NEW_SA only */
	IPSEC_TUN_SA_A_ADD_TIME,	/* u64, seconds since boot, read only */
	IPSEC_TUN_SA_A_STATS,		/* nest: IPSEC_TUN_STAT_*, read only */
	IPSEC_TUN_SA_A_PAD,
	__IPSEC_TUN_SA_A_MAX
};
#define IPSEC_TUN_SA_A_MAX (__IPSEC_TUN_SA_A_MAX - 1)

/* SA flags. Unknown bits: -EOPNOTSUPP. */
#define IPSEC_TUN_SA_F_ESN		(1U << 0) /* 64-bit extended sequence numbers */
#define IPSEC_TUN_SA_F_DECAP_DSCP	(1U << 1) /* copy outer DSCP to inner on input */
#define IPSEC_TUN_SA_F_NO_DF		(1U << 2) /* outer IPv4 DF always clear */
#define IPSEC_TUN_SA_F_ALL		(IPSEC_TUN_SA_F_ESN | IPSEC_TUN_SA_F_DECAP_DSCP | \
					 IPSEC_TUN_SA_F_NO_DF)

/* Policy / selector attributes (inside IPSEC_TUN_A_POLICY, SA_A_SEL, PACKET_SEL). */
enum ipsec_tun_pol_attr {
	IPSEC_TUN_POL_A_UNSPEC,
	IPSEC_TUN_POL_A_FAMILY,		/* u16: inner AF_INET or AF_INET6 */
	IPSEC_TUN_POL_A_SRC,		/* binary 4 or 16 */
	IPSEC_TUN_POL_A_SRC_PLEN,	/* u8 */
	IPSEC_TUN_POL_A_DST,		/* binary 4 or 16 */
	IPSEC_TUN_POL_A_DST_PLEN,	/* u8 */
	IPSEC_TUN_POL_A_PROTO,		/* u8, 0 = any */
	IPSEC_TUN_POL_A_SPORT_MIN,	/* u16 (default 0) */
	IPSEC_TUN_POL_A_SPORT_MAX,	/* u16 (default 65535) */
	IPSEC_TUN_POL_A_DPORT_MIN,	/* u16 */
	IPSEC_TUN_POL_A_DPORT_MAX,	/* u16 */
	IPSEC_TUN_POL_A_REQID,		/* u32 */
	IPSEC_TUN_POL_A_PRIORITY,	/* u32, lower wins, default 0 */
	__IPSEC_TUN_POL_A_MAX
};
#define IPSEC_TUN_POL_A_MAX (__IPSEC_TUN_POL_A_MAX - 1)

/* Counters: device-wide in IPSEC_TUN_A_STATS, per SA in IPSEC_TUN_SA_A_STATS. */
enum ipsec_tun_stat {
	IPSEC_TUN_STAT_UNSPEC,
	IPSEC_TUN_STAT_RX_PACKETS,	/* u64: decrypted and delivered */
	IPSEC_TUN_STAT_RX_BYTES,	/* u64: inner bytes */
	IPSEC_TUN_STAT_TX_PACKETS,	/* u64: encrypted and sent */
	IPSEC_TUN_STAT_TX_BYTES,	/* u64: inner bytes */
	IPSEC_TUN_STAT_DROP_AUTH,	/* u64: ICV check failed */
	IPSEC_TUN_STAT_DROP_REPLAY,	/* u64: replayed or too old */
	IPSEC_TUN_STAT_DROP_PAD,	/* u64: bad padding / trailer / next header */
	IPSEC_TUN_STAT_DROP_HEADER,	/* u64: truncated or malformed ESP/UDP/inner */
	IPSEC_TUN_STAT_DROP_NO_SA,	/* u64: unknown SPI (in) or no SA for policy (out) */
	IPSEC_TUN_STAT_DROP_NO_POLICY,	/* u64: outbound packet matched no policy */
	IPSEC_TUN_STAT_DROP_SELECTOR,	/* u64: inner packet outside the SA's selectors */
	IPSEC_TUN_STAT_DROP_MTU,	/* u64: too big, ICMP sent back */
	IPSEC_TUN_STAT_DROP_EXPIRED,	/* u64: SA past its hard lifetime or seq limit */
	IPSEC_TUN_STAT_DROP_NOMEM,	/* u64: allocation / crypto queue failure */
	IPSEC_TUN_STAT_PAD,		/* padding for the u64s, not a counter */
	IPSEC_TUN_STAT_DROP_ECN,	/* u64: outer CE over a Not-ECT inner
					 * packet (RFC 6040 4.2) */
	/*
	 * ICMP/ICMPv6 errors about our outer ESP (raw or in UDP), appended
	 * after PAD so the older numbers stay. Counted on the device and on
	 * the outbound SA the quoted SPI names.
	 */
	IPSEC_TUN_STAT_ICMP_PMTU,	/* u64: frag-needed / too-big accepted: path MTU lowered */
	IPSEC_TUN_STAT_ICMP_IGNORED,	/* u64: quote does not match the SA's peer, or bogus MTU */
	/*
	 * ESP for an SPI reserved by ALLOC_SPI with a device, arriving
	 * before NEW_SA added its SA ("Holding ESP for a reserved SPI"
	 * above). Device counters only: there is no SA yet.
	 */
	IPSEC_TUN_STAT_RX_HELD,		/* u64: held; those the SA takes are
					 * then counted by the SA as any packet */
	IPSEC_TUN_STAT_DROP_HOLD_EXPIRED, /* u64: held, then dropped: held too
					 * long, or the reservation ended
					 * without its SA */
	IPSEC_TUN_STAT_DROP_HOLD_FULL,	/* u64: not held: over the per-SPI or
					 * per-device bound */
	__IPSEC_TUN_STAT_MAX
};
#define IPSEC_TUN_STAT_MAX (__IPSEC_TUN_STAT_MAX - 1)

enum ipsec_tun_expire_reason {
	IPSEC_TUN_EXPIRE_BYTES = 1,
	IPSEC_TUN_EXPIRE_PACKETS,
	IPSEC_TUN_EXPIRE_SECONDS,
	IPSEC_TUN_EXPIRE_SEQ,		/* sequence number space about to wrap */
};

enum ipsec_tun_error_code {
	IPSEC_TUN_ERR_AUTH_BURST = 1,	/* repeated ICV failures on an SA */
	IPSEC_TUN_ERR_ENCAP_CLOSED,	/* the attached UDP socket was closed */
};

/* IANA IKEv2 transform IDs the module implements (RFC 7296 3.3.2, IANA). */
#define IPSEC_TUN_ENCR_AES_CBC		12
#define IPSEC_TUN_ENCR_AES_GCM_8	18
#define IPSEC_TUN_ENCR_AES_GCM_12	19
#define IPSEC_TUN_ENCR_AES_GCM_16	20
#define IPSEC_TUN_ENCR_NULL_AUTH_AES_GMAC 21
#define IPSEC_TUN_ENCR_CHACHA20_POLY1305 28
#define IPSEC_TUN_AUTH_NONE		0
#define IPSEC_TUN_AUTH_HMAC_SHA1_96	2
#define IPSEC_TUN_AUTH_HMAC_SHA2_256_128 12
#define IPSEC_TUN_AUTH_HMAC_SHA2_384_192 13
#define IPSEC_TUN_AUTH_HMAC_SHA2_512_256 14

#endif /* _UAPI_LINUX_IPSEC_TUN_H */
