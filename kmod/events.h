/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multicast events of the "ipsec_tun" family (ACQUIRE, EXPIRE, ERROR_EVENT),
 * sent from packet paths, timers and configuration changes.
 */
#ifndef IPSEC_TUN_EVENTS_H
#define IPSEC_TUN_EVENTS_H

#include <net/genetlink.h>
#include "device.h"
#include "selector.h"

struct ipsec_tun_sa;

/*
 * The family events are sent as; netlink.c hands it over when it registers
 * the family and takes it back before unregistering it. Until then no event
 * is sent. Events thus depend on nothing above them (sa.c and the packet
 * paths call in here, netlink.c calls sa.c).
 */
void ipsec_tun_events_start(const struct genl_family *family);
void ipsec_tun_events_stop(void);

/* Any context (GFP_ATOMIC). */
void ipsec_tun_event_acquire(struct ipsec_tun_dev *itd, const u32 *reqid,
			     const struct ipsec_tun_flow *fl);
void ipsec_tun_event_expire(struct ipsec_tun_sa *sa, bool hard, u8 reason);
void ipsec_tun_event_error(struct ipsec_tun_dev *itd, struct ipsec_tun_sa *sa, u32 code);
void ipsec_tun_event_mapping(struct ipsec_tun_sa *sa, const union ipsec_tun_addr *addr,
			     __be16 port);

#endif /* IPSEC_TUN_EVENTS_H */
