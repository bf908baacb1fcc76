/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel API differences between the kernels we build for
 * (Debian 6.1 and 6.12). Keep this file small: one entry per difference.
 */
#ifndef IPSEC_TUN_COMPAT_H
#define IPSEC_TUN_COMPAT_H

#include <linux/version.h>
#include <linux/crypto.h>

/* skb_gso_segment() moved to <net/gso.h> in 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <net/gso.h>
#endif

/* Crypto completion callbacks take the request's data pointer since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define IPSEC_TUN_CRYPTO_DONE(name) void name(void *cb_arg, int err)
#define ipsec_tun_crypto_cb_data() (cb_arg)
#else
#define IPSEC_TUN_CRYPTO_DONE(name) void name(struct crypto_async_request *cb_arg, int err)
#define ipsec_tun_crypto_cb_data() (cb_arg->data)
#endif

/* Parsed request attributes of a genetlink dump. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define ipsec_tun_dump_attrs(cb) (genl_dumpit_info(cb)->info.attrs)
#else
#define ipsec_tun_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/* The unaligned access helpers moved to <linux/unaligned.h> in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* Lockless transmit became a net_device bit (dev->lltx) in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define ipsec_tun_set_lltx(dev) ((dev)->lltx = true)
#else
#define ipsec_tun_set_lltx(dev) ((dev)->features |= NETIF_F_LLTX)
#endif

#endif /* IPSEC_TUN_COMPAT_H */
