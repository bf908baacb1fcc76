// SPDX-License-Identifier: GPL-2.0
/*
 * NAT traversal (RFC 3948): the daemon hands us its bound UDP socket (the
 * port-4500 IKE socket) by fd, as L2TP takes its tunnel socket. We turn it
 * into an encapsulation socket: ESP (non-zero SPI that is one of our
 * inbound SAs) is taken off in softirq before it reaches the socket queue;
 * everything else - IKE after the non-ESP marker, NAT keepalives, unknown
 * SPIs - is returned to normal UDP delivery for the daemon.
 *
 * Output does not use the socket: esp_output.c builds the UDP header from
 * the SA's ports and sends from the underlay netns. ICMP errors about that
 * ESP still find the socket (udp_err() looks it up by the quoted ports):
 * its encap_err_lookup (icmp_err.c) decides whether the kernel may act on
 * them, i.e. lower the path MTU toward the peer.
 *
 * Lifetime: we hold a struct sock reference while attached. The socket is
 * restored on detach (SET_ENCAP -1, device removal, underlay netns exit) or,
 * when the daemon closes it first, encap_destroy detaches and tells the
 * daemon (ERROR_EVENT ENCAP_CLOSED). Both run under the config mutex.
 *
 * Module reference: udp_destroy_sock() reads up->encap_destroy and calls it
 * outside any lock or RCU section, so a close racing with rmmod could call
 * into freed module text. An attached socket therefore holds a reference
 * on the module: rmmod fails (EBUSY) until the daemon detaches, closes the
 * socket or the device goes. The reference is dropped in detach, under the
 * config mutex, which module exit (device removal) takes after us.
 */
#include <linux/file.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <net/inet_sock.h>
#include "encap.h"
#include "esp.h"
#include "events.h"
#include "icmp_err.h"
#include "sa.h"
#include "compat.h"

static int ipsec_tun_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	unsigned int len = skb->len - sizeof(struct udphdr);
	const u8 *payload;
	u32 spi;

	if (!pskb_may_pull(skb, sizeof(struct udphdr) + min(len, 8u)))
		return 1;
	payload = skb->data + sizeof(struct udphdr);
	/* Keepalive (0xff), IKE (non-ESP marker) or too short: the daemon's. */
	if (len < IPSEC_TUN_ESP_HDR_LEN || !get_unaligned((const u32 *)payload))
		return 1;
	spi = get_unaligned_be32(payload);
	__skb_pull(skb, sizeof(struct udphdr));
	skb_reset_transport_header(skb);
	if (ipsec_tun_esp_rcv(sock_net(sk), skb) == -ENOENT) {
		struct ipsec_tun_dev *itd = rcu_dereference_sk_user_data(sk);

		/* Counted on the device the socket is attached to. */
		if (itd)
			ipsec_tun_drop(itd, NULL, IPSEC_TUN_STAT_DROP_NO_SA, true);
		net_dbg_ratelimited("ipsec_tun: ESP-in-UDP with unknown SPI 0x%08x\n",
				    spi);
		__skb_push(skb, sizeof(struct udphdr));
		skb_reset_transport_header(skb);
		return 1;	/* not our SPI: the daemon may know it */
	}
	return 0;
}

static void encap_restore(struct sock *sk)
{
	struct udp_sock *up = udp_sk(sk);

	WRITE_ONCE(up->encap_rcv, NULL);
	WRITE_ONCE(up->encap_destroy, NULL);
	WRITE_ONCE(up->encap_err_lookup, NULL);
	WRITE_ONCE(up->encap_type, 0);
	rcu_assign_sk_user_data(sk, NULL);
}

/* Config mutex held. */
void ipsec_tun_encap_detach(struct ipsec_tun_dev *itd)
{
	struct sock *sk = itd->encap_sk;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	if (!sk)
		return;
	encap_restore(sk);
	itd->encap_sk = NULL;
	itd->encap_port = 0;
	/* No CPU may still be inside ipsec_tun_encap_rcv() for this socket. */
	synchronize_net();
	sock_put(sk);
	module_put(THIS_MODULE);
}

/* The daemon closed the socket while it was attached. */
static void ipsec_tun_encap_destroy(struct sock *sk)
{
	struct ipsec_tun_dev *itd;

	mutex_lock(&ipsec_tun_config_mutex);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (itd->encap_sk != sk)
			continue;
		ipsec_tun_encap_detach(itd);
		ipsec_tun_event_error(itd, NULL, IPSEC_TUN_ERR_ENCAP_CLOSED);
		break;
	}
	mutex_unlock(&ipsec_tun_config_mutex);
}

int ipsec_tun_encap_set(struct ipsec_tun_dev *itd, int fd, struct netlink_ext_ack *extack)
{
	struct udp_sock *up;
	struct socket *sock;
	struct sock *sk;
	int err;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	if (fd < 0) {
		ipsec_tun_encap_detach(itd);
		atomic_inc(&ipsec_tun_generation);
		return 0;
	}
	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG(extack, "ENCAP_FD is not a socket");
		return err;
	}
	sk = sock->sk;
	err = -EINVAL;
	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "ENCAP_FD must be a UDP socket");
		goto out;
	}
	if (!itd->underlay || !net_eq(sock_net(sk), itd->underlay)) {
		NL_SET_ERR_MSG(extack, "ENCAP_FD socket must live in the device's underlay netns");
		goto out;
	}
	if (!inet_sk(sk)->inet_sport) {
		NL_SET_ERR_MSG(extack, "ENCAP_FD socket is not bound");
		goto out;
	}
	if (itd->encap_sk == sk) {
		err = 0;
		goto out;
	}
	up = udp_sk(sk);
	if (READ_ONCE(up->encap_type) || rcu_access_pointer(sk->sk_user_data)) {
		NL_SET_ERR_MSG(extack, "ENCAP_FD socket already has a UDP encapsulation");
		err = -EBUSY;
		goto out;
	}
	ipsec_tun_encap_detach(itd);

	__module_get(THIS_MODULE);	/* a genl op of ours is running: we are live */
	sock_hold(sk);
	rcu_assign_sk_user_data(sk, itd);
	WRITE_ONCE(up->encap_destroy, ipsec_tun_encap_destroy);
	WRITE_ONCE(up->encap_err_lookup, ipsec_tun_encap_err_lookup);
	WRITE_ONCE(up->encap_rcv, ipsec_tun_encap_rcv);
	WRITE_ONCE(up->encap_type, UDP_ENCAP_ESPINUDP);
	udp_tunnel_encap_enable(sk);
	itd->encap_sk = sk;
	itd->encap_port = ntohs(inet_sk(sk)->inet_sport);
	atomic_inc(&ipsec_tun_generation);
	err = 0;
out:
	sockfd_put(sock);
	return err;
}
