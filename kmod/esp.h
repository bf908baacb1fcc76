/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two directions of the ESP data path.
 */
#ifndef IPSEC_TUN_ESP_H
#define IPSEC_TUN_ESP_H

#include <linux/skbuff.h>
#include "device.h"

#define IPSEC_TUN_ESP_HDR_LEN 8

/* esp_output.c: ndo_start_xmit body. Consumes skb. */
netdev_tx_t ipsec_tun_xmit(struct sk_buff *skb, struct net_device *dev);
/* The NAPI polls of the transmit and receive queues (cryptq.h). */
int ipsec_tun_txq_poll(struct napi_struct *napi, int budget);
int ipsec_tun_rxq_poll(struct napi_struct *napi, int budget);
/* Frees the per-CPU page fragments; after every device is gone. */
void ipsec_tun_output_uninit(void);

/* esp_input.c */
int ipsec_tun_input_init(void);
void ipsec_tun_input_uninit(void);
/*
 * skb->data at the ESP header, outer IP header at skb_network_header().
 * Returns 0 when the packet was ours (consumed), -ENOENT when the SPI is
 * not one of ours (skb untouched).
 */
int ipsec_tun_esp_rcv(struct net *net, struct sk_buff *skb);

#endif /* IPSEC_TUN_ESP_H */
