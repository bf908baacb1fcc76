#!/bin/bash
# Data path, every algorithm x inner v4/v6 x outer v4/v6, manual keys:
# ping and a TCP transfer (SHA-256 checked) through ipsec0, with exact
# counter checks per SA and per device, in ipsecctl and in ip -s link.
# vm-timeout: 1800
#
#        [ns a]                                              [ns b]
#   lo 10.1.0.1, fd01::1                               lo 10.2.0.1, fd02::1
#   ipsec0 (routes 10.2.0.0/24, fd02::/64)    ipsec0 (routes 10.1.0.0/24, fd01::/64)
#   ul0 192.0.2.1, 2001:db8::1  ====== veth ======  ul0 192.0.2.2, 2001:db8::2
#                          ESP, outer v4 or v6
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/2xx_sites.bash"

BYTES=${VMTEST_TCP_BYTES:-1000000}
PINGS=3
sites_create

spi=$((0x10000))
for outer in 4 6; do
	for alg in "${ALL_ALGS[@]}"; do
		spi_ab=$spi spi_ba=$((spi + 1))
		spi=$((spi + 2))
		tunnel_manual "$alg" $outer $spi_ab $spi_ba
		for inner in 4 6; do
			if [ $inner = 4 ]; then src=$PRIV_A4 dst=$PRIV_B4; else src=$PRIV_A6 dst=$PRIV_B6; fi
			what="$alg outer v$outer inner v$inner"
			a_tx0=$(link_counter a ipsec0 tx_packets)
			b_rx0=$(link_counter b ipsec0 rx_packets)
			a_ctl_tx0=$(dev_stat a tx_packets)
			b_ctl_rx0=$(dev_stat b rx_packets)
			out_tx0=$(sa_stat a out $spi_ab tx_packets)
			in_rx0=$(sa_stat b in $spi_ab rx_packets)

			in_ns a ping -$inner -c $PINGS -i 0.2 -W 5 -I $src $dst >/dev/null ||
				fail "$what: ping $dst failed"

			# Exactly the echo requests went a -> b, and the replies back.
			assert_eq $(($(sa_stat a out $spi_ab tx_packets) - out_tx0)) $PINGS "$what: a out SA tx_packets"
			assert_eq $(($(sa_stat b in $spi_ab rx_packets) - in_rx0)) $PINGS "$what: b in SA rx_packets"
			assert_eq $(($(link_counter a ipsec0 tx_packets) - a_tx0)) $PINGS "$what: a ipsec0 tx_packets (ip -s link)"
			assert_eq $(($(link_counter b ipsec0 rx_packets) - b_rx0)) $PINGS "$what: b ipsec0 rx_packets (ip -s link)"
			assert_eq $(($(dev_stat a tx_packets) - a_ctl_tx0)) $PINGS "$what: a ipsec0 tx_packets (ipsecctl)"
			assert_eq $(($(dev_stat b rx_packets) - b_ctl_rx0)) $PINGS "$what: b ipsec0 rx_packets (ipsecctl)"

			tcp_transfer a b $dst "$BYTES"
		done
		# Nothing lost or refused on a lossless veth: what one side sent
		# the other received, packet for packet and byte for byte.
		for pair in "a out $spi_ab b in $spi_ab" "b out $spi_ba a in $spi_ba"; do
			set -- $pair
			assert_eq "$(sa_stat $4 $5 $6 rx_packets)" "$(sa_stat $1 $2 $3 tx_packets)" "$alg v$outer: $1->$4 packets"
			assert_eq "$(sa_stat $4 $5 $6 rx_bytes)" "$(sa_stat $1 $2 $3 tx_bytes)" "$alg v$outer: $1->$4 bytes"
		done
		for ns in a b; do
			for f in drop_auth drop_replay drop_pad drop_header drop_selector drop_nomem; do
				assert_eq "$(dev_stat $ns $f)" 0 "$alg v$outer: $ns $f"
			done
			stats_agree $ns
			ctl $ns sa flush dev ipsec0
		done
		progress "ok: $alg outer v$outer (inner v4 and v6: ping, ${BYTES}-byte TCP)"
	done
done
ipsec_unload
