#!/bin/bash
# Data path, the algorithms of lib/sites.sh (all of them in make check-full) x inner v4/v6 x outer v4/v6, manual keys:
# ping and a TCP transfer (SHA-256 checked) through ipsec0, with exact
# counter checks per SA and per device, in ipsecctl and in ip -s link.
# vm-timeout: 1800
#
#        [ns a]                                              [ns b]
#   lo 10.1.0.1, fd01::1                               lo 10.2.0.1, fd02::1
#   ipsec0 (routes 10.2.0.0/24, fd02::/64)    ipsec0 (routes 10.1.0.0/24, fd01::/64)
#   ul0 192.0.2.1, 2001:db8::1  ====== veth ======  ul0 192.0.2.2, 2001:db8::2
#                          ESP, outer v4 or v6
. "$(dirname "$0")/lib.sh" sites || exit 1

BYTES=${VMTEST_TCP_BYTES:-1000000}
PINGS=3
sites_create

spi=$((0x10000))
for outer in 4 6; do
	for alg in "${ALL_ALGS[@]}"; do
		spi_ab=$spi spi_ba=$((spi + 1))
		spi=$((spi + 2))
		ab=$(spi_hex $spi_ab) ba=$(spi_hex $spi_ba)
		tunnel_manual "$alg" $outer $spi_ab $spi_ba
		snap a
		snap b
		veth_drops snap
		drops0=$VD
		for inner in 4 6; do
			if [ $inner = 4 ]; then src=$PRIV_A4 dst=$PRIV_B4; else src=$PRIV_A6 dst=$PRIV_B6; fi
			what="$alg outer v$outer inner v$inner"
			# The counters that must each move by exactly $PINGS, read
			# before and after: "NS KEY".
			counters=("a sa out $ab tx_packets" "b sa in $ab rx_packets"
				"a link tx_packets" "b link rx_packets" "a dev tx_packets" "b dev rx_packets")
			snap a
			snap b
			before=()
			for c in "${counters[@]}"; do
				sv "${c%% *}" "${c#* }"
				before+=("$SV")
			done

			in_ns a ping -$inner -c $PINGS -i 0.2 -W 5 -I $src $dst >/dev/null ||
				fail "$what: ping $dst failed"

			# Exactly the echo requests went a -> b, and the replies back
			# (per SA, per device in ipsecctl and in ip -s link).
			snap a
			snap b
			for i in "${!counters[@]}"; do
				c=${counters[$i]}
				sv "${c%% *}" "${c#* }"
				assert_eq $((SV - before[i])) $PINGS "$what: $c"
			done

			tcp_transfer a b $dst "$BYTES"
		done
		# Nothing lost or refused: what one side sent the other received,
		# packet for packet, but for what the veth pair dropped itself.
		snap a
		snap b
		for ns in a b; do
			snap_no_drops $ns drop_auth drop_replay drop_pad drop_header drop_selector drop_nomem
		done
		veth_drops snap
		for pair in "a $ab b" "b $ba a"; do
			set -- $pair
			sv $1 "sa out $2 tx_packets"
			sent=$SV
			sv $3 "sa in $2 rx_packets"
			assert_delivered "$sent" "$SV" $((VD - drops0)) "$alg v$outer: $1->$3"
		done
		for ns in a b; do
			snap_stats_agree $ns
			ctl $ns sa flush dev ipsec0
		done
		progress "ok: $alg outer v$outer (inner v4 and v6: ping, ${BYTES}-byte TCP)"
	done
done
ipsec_unload
