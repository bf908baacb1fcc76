#!/bin/bash
# Wire compatibility with the kernel's own ESP: a runs ipsec_tun, b runs
# Linux XFRM (ip xfrm state/policy, tunnel mode) with the same keys. For
# every algorithm and outer v4 and v6: pings both ways and a TCP transfer,
# counted exactly on both implementations. This is the proof our ESP is ESP.
# vm-timeout: 1800
#
#        [ns a] ipsec_tun                             [ns b] Linux XFRM
#   lo 10.1.0.1, fd01::1                            lo 10.2.0.1, fd02::1
#   ipsec0 -> 10.2.0.0/24, fd02::/64            routes 10.1.0.0/24, fd01::/64 via ul0,
#                                               caught by xfrm policies (tunnel mode)
#   ul0 192.0.2.1, 2001:db8::1  ===== veth =====  ul0 192.0.2.2, 2001:db8::2
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/2xx_sites.bash"

BYTES=${VMTEST_TCP_BYTES:-500000}
PINGS=3
xfrm_sites_create

spi=$((0x30000))
for outer in 4 6; do
	if [ $outer = 4 ]; then pa=$PRIV_A4 pb=$PRIV_B4; else pa=$PRIV_A6 pb=$PRIV_B6; fi
	for alg in "${ALL_ALGS[@]}"; do
		spi_ab=$spi spi_ba=$((spi + 1))
		spi=$((spi + 2))
		what="$alg outer/inner v$outer"
		tunnel_xfrm "$alg" $outer $spi_ab $spi_ba
		in_ns a ping -$outer -c $PINGS -i 0.2 -W 5 -I $pa $pb >/dev/null || fail "$what: ping a -> b"
		in_ns b ping -$outer -c $PINGS -i 0.2 -W 5 -I $pb $pa >/dev/null || fail "$what: ping b -> a"
		# a sent 3 requests + 3 replies; XFRM decrypted exactly those.
		assert_eq "$(sa_stat a out $spi_ab tx_packets)" $((2 * PINGS)) "$what: ipsec_tun out SA tx"
		assert_eq "$(sa_stat a in $spi_ba rx_packets)" $((2 * PINGS)) "$what: ipsec_tun in SA rx"
		assert_eq "$(xfrm_state_packets b $spi_ab)" $((2 * PINGS)) "$what: XFRM in state packets"
		assert_eq "$(xfrm_state_packets b $spi_ba)" $((2 * PINGS)) "$what: XFRM out state packets"
		tcp_transfer a b $pb "$BYTES"
		tcp_transfer b a $pa "$BYTES"
		assert_eq "$(xfrm_state_packets b $spi_ab)" "$(sa_stat a out $spi_ab tx_packets)" "$what: a->b packets"
		assert_eq "$(xfrm_state_packets b $spi_ba)" "$(sa_stat a in $spi_ba rx_packets)" "$what: b->a packets"
		for f in drop_auth drop_replay drop_pad drop_header drop_selector; do
			assert_eq "$(dev_stat a $f)" 0 "$what: a $f"
		done
		stats_agree a
		xfrm_flush
		progress "ok: $alg outer/inner v$outer: XFRM <-> ipsec_tun both ways"
	done
done
ipsec_unload
