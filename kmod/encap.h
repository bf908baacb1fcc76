/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT-T (RFC 3948): ESP in UDP on the daemon's own socket.
 */
#ifndef IPSEC_TUN_ENCAP_H
#define IPSEC_TUN_ENCAP_H

#include "device.h"

/* Config mutex held. fd < 0 detaches. */
int ipsec_tun_encap_set(struct ipsec_tun_dev *itd, int fd, struct netlink_ext_ack *extack);
void ipsec_tun_encap_detach(struct ipsec_tun_dev *itd);

#endif /* IPSEC_TUN_ENCAP_H */
