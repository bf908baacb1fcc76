# shellcheck shell=bash
# Helpers of the lifecycle scenarios (5*_lifecycle_*, 59x): SAs that are
# rekeyed, revived, restarted, while a ping runs and is counted. The
# subject "lifecycle" of lib.sh (loads topology and ipsecd; the scenario
# names its peer's subject too, e.g. `. lib.sh sswan lifecycle`):
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
#   lc_ping_start N      N pings h1 -> h2, one every 0.1 s, in the background.
#   lc_ping_result       waits for it (in this shell, not a subshell: only
#                        the parent can wait); sets LC_SENT, LC_RECEIVED.
#   lc_assert_no_loss    lc_ping_result with every echo answered.
#   lc_live_pair         waits until exactly one SA pair is left at both
#                        ends (ipsecd's ipsec0 and strongSwan's XFRM) and
#                        ipsecd shows one IKE SA with one child SA.
#   lc_count NS PATTERN  how many lines of ipsecd's log in NS match PATTERN.
#   lc_sswan_dies_and_returns PATTERN
#                        strongSwan (ss_setup/ss_start's, in gw2) SIGKILLed:
#                        ipsecd's log must show PATTERN (its DPD verdict)
#                        within 16 s (dpddelay 2 s + dpdtimeout 6 s + slack
#                        under TCG); then strongSwan starts again with its
#                        state lost (XFRM flushed) and the tunnel must come
#                        back by itself (90 s) and carry ss_traffic 5. Sets
#                        LC_DEAD_S. 543 (IKEv2), 592 (IKEv1).
#   lc_sigkill_restart DIR
#                        ipsecd in gw1 SIGKILLed under a ping (one every
#                        0.1 s for 30 s) and started again from DIR: the
#                        tunnel back within 30 s with a new child, no EEXIST,
#                        the killed one's leftovers removed, at most 5 s of
#                        pings lost. Sets LC_RESTART_S (seconds to tunnel).

lib_use topology ipsecd

LC_PING_PID='' LC_PING_OUT=''

lc_ping_start() {
	LC_PING_OUT=$(mktemp /tmp/lcping.XXXXXX)
	# -D: each answer carries its time, so a loss can be placed among the
	# daemons' log lines (_lc_show_lost).
	in_ns "$NS_LAN1" ping -D -c "$1" -i 0.1 -W 2 "$H2" >"$LC_PING_OUT" 2>&1 &
	LC_PING_PID=$!
}

lc_ping_result() {
	local line
	wait "$LC_PING_PID" || true
	line=$(grep 'packets transmitted' "$LC_PING_OUT") || { cat "$LC_PING_OUT" >&2; fail "ping printed no summary"; }
	read -r LC_SENT LC_RECEIVED < <(sed -E 's/^([0-9]+) packets transmitted, ([0-9]+) (packets )?received.*/\1 \2/' <<<"$line")
}

lc_assert_no_loss() {
	local sent received
	lc_ping_result
	sent=$LC_SENT received=$LC_RECEIVED
	echo "ping: $sent sent, $received answered"
	[ "$received" = "$sent" ] || {
		_ss_dump >&2
		_lc_show_lost "$sent" >&2
		fail "$((sent - received)) of $sent pings lost"
	}
}

# Which echo requests went unanswered and when (the answer before each),
# both daemons' log lines from 1 s before to 2 s after the first one, and
# the drop counters at both gateways.
_lc_show_lost() {
	local first secs
	echo "--- unanswered pings (seq, after the answer at):"
	awk -v n="$1" '
		match($0, /icmp_seq=[0-9]+ /) {
			s = substr($0, RSTART + 9, RLENGTH - 10); seen[s] = 1
			t[s] = substr($1, 2, length($1) - 2)
		}
		END { for (i = 1; i <= n; i++) if (!(i in seen)) print "  seq " i " after " ((i - 1) in t ? t[i - 1] : "?") }' \
		"$LC_PING_OUT" | head -n 20
	first=$(awk -v n="$1" '
		match($0, /icmp_seq=[0-9]+ /) {
			s = substr($0, RSTART + 9, RLENGTH - 10); seen[s] = 1
			t[s] = substr($1, 2, length($1) - 2)
		}
		END { for (i = 1; i <= n; i++) if (!(i in seen) && (i - 1) in t) { print int(t[i - 1]); exit } }' \
		"$LC_PING_OUT")
	if [ -n "$first" ]; then
		secs=$(for d in -1 0 1 2; do date -u -d "@$((first + d))" +%T; done | paste -sd'|')
		echo "--- ipsecd log around it ($secs):"
		ipsecd_log "$NS_GW1" | grep -E " ($secs)\." || true
		echo "--- charon.log around it:"
		grep -E "^($secs) " "${_sswan_dir[$NS_GW2]}/charon.log" || true
	fi
	echo "--- ipsecd device and SA counters (gw1):"
	in_ns "$NS_GW1" "$IPSECCTL" dev list dev ipsec0 2>&1 | tail -n 20 || true
	in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 2>&1 | tail -n 30 || true
	echo "--- XFRM errors (gw2):"
	in_ns "$NS_GW2" grep -v ' 0$' /proc/net/xfrm_stat || true
}

_lc_sa_counts() {
	local ours theirs ike
	ours=$(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json | jq length) || return 1
	theirs=$(in_ns "$NS_GW2" ip xfrm state | grep -c '^src') || true
	ike=$(ictl "$NS_GW1" status --json | jq '(.ike_sas | length), ([.ike_sas[].children[]] | length)' | tr '\n' ' ')
	echo "ipsecd SAs $ours, strongSwan SAs $theirs, ipsecd IKE SAs / children: $ike"
	[ "$ours" = 2 ] && [ "$theirs" = 2 ] && [ "$ike" = "1 1 " ]
}

# Waits for the moment only the live pair is left (a rekey may be under
# way again when it is seen; a second look could catch that one).
lc_live_pair() {
	wait_or_dump 30 "_ss_dump; _lc_sa_counts" _lc_sa_counts
	echo "only the live pair was left"
}

lc_count() {
	ipsecd_log "$1" | grep -cE "$2" || true
}

lc_sswan_dies_and_returns() {
	local pattern=$1 charon t0 t1
	charon=$(pgrep -P "$SSWAN_PID" charon) || fail "no charon under starter $SSWAN_PID"
	kill -KILL "$charon" "$SSWAN_PID"
	t0=$SECONDS
	wait_or_dump 40 "ipsecd_log $NS_GW1 | tail -n 40" _lc_log_has "$NS_GW1" "$pattern"
	LC_DEAD_S=$((SECONDS - t0))
	echo "peer declared dead ${LC_DEAD_S} s after the kill"
	assert_eq "$((LC_DEAD_S <= 16))" 1 "dead within dpddelay + dpdtimeout (+ slack under TCG): ${LC_DEAD_S} s"
	ip -n "$NS_GW2" xfrm state flush
	ip -n "$NS_GW2" xfrm policy flush
	sswan_start "$NS_GW2" "$SS_SSWAN_DIR"
	t1=$SECONDS
	ipsecd_wait_tunnels "$NS_GW1" 1 90
	sswan_wait_child "$NS_GW2" ours 30
	echo "tunnel back $((SECONDS - t1)) s after strongSwan restarted"
	ss_traffic 5
}

_lc_log_has() {
	ipsecd_log "$1" | has_match -E "$2"
}

lc_sigkill_restart() {
	local dir=$1 old_spi new_spi t0
	old_spi=$(ictl "$NS_GW1" status --json | jq '.ike_sas[0].children[0].inbound_spi')
	lc_ping_start 300
	sleep 5
	kill -KILL "$IPSECD_PID"
	wait "$IPSECD_PID" 2>/dev/null || true
	echo "${SECONDS}s: ipsecd killed; left on ipsec0: $(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json | jq length) SAs"
	t0=$SECONDS
	ipsecd_start "$NS_GW1" "$dir"
	ipsecd_wait_tunnels "$NS_GW1" 1 30
	LC_RESTART_S=$((SECONDS - t0))
	echo "tunnel back $LC_RESTART_S s after the restart"
	assert_eq "$(lc_count "$NS_GW1" 'EEXIST|File exists')" 0 "EEXIST in the new ipsecd's log"
	assert_ge "$(lc_count "$NS_GW1" 'left by a previous ipsecd')" 1 "leftovers removed"
	new_spi=$(ictl "$NS_GW1" status --json | jq '.ike_sas[0].children[0].inbound_spi')
	[ "$new_spi" != "$old_spi" ] || fail "the child SA is the old one"
	lc_ping_result
	echo "ping: $LC_SENT sent, $LC_RECEIVED answered across the kill and restart"
	assert_ge "$LC_RECEIVED" $((LC_SENT - 50)) "pings answered (at most 5 s lost)"
}

# Both ends auto=start with 2x2 subnets (547 libreswan, 556 strongSwan;
# topo_v4 and topo_v4_second_subnets). DUMP: what to print on a failure.
#
#   lc_2x2_all_pairs DUMP        5 of 5 pings answered from each of lan1's
#                                192.168.{1,3}.2 to each of lan2's 192.168.{2,4}.2.
#   lc_2x2_through_rekeys DUMP MAXLOST
#                                a ping every 0.2 s for 100 s on the pairs
#                                1->2 and 3->4 while SAs are rekeyed; ipsecd's
#                                log must show >= 4 child rekeys and an IKE
#                                rekey, and each ping lose at most MAXLOST.
lc_2x2_all_pairs() {
	local src dst
	for src in 192.168.1.2 192.168.3.2; do
		for dst in 192.168.2.2 192.168.4.2; do
			in_ns "$NS_LAN1" ping -c 5 -i 0.2 -W 2 -I "$src" "$dst" | has_match ' 5 received' ||
				{ $1 >&2; fail "ping $src -> $dst lost packets"; }
		done
	done
}

lc_2x2_through_rekeys() {
	local dump=$1 max_lost=$2 out1 out2 pid1 pid2 f received
	out1=$(mktemp /tmp/lc2x2.XXXXXX) out2=$(mktemp /tmp/lc2x2.XXXXXX)
	in_ns "$NS_LAN1" ping -q -c 500 -i 0.2 -W 2 -I 192.168.1.2 192.168.2.2 >"$out1" 2>&1 &
	pid1=$!
	in_ns "$NS_LAN1" ping -q -c 500 -i 0.2 -W 2 -I 192.168.3.2 192.168.4.2 >"$out2" 2>&1 &
	pid2=$!
	wait "$pid1" "$pid2" || true
	ipsecd_log "$NS_GW1" | grep -E 'duplicate IKE SA|instead of rekeying|IKE SA rekeyed|rekeyed by peer|soft lifetime' || true
	assert_ge "$(lc_count "$NS_GW1" 'soft lifetime: rekeying|child SA rekeyed by peer')" 4 \
		"child rekeys in ipsecd's log"
	assert_ge "$(lc_count "$NS_GW1" 'IKE SA rekeyed')" 1 "IKE rekeys in ipsecd's log"
	for f in "$out1" "$out2"; do
		grep 'packets transmitted' "$f" || { $dump >&2; fail "ping printed no summary"; }
		received=$(sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p' "$f")
		assert_ge "$received" $((500 - max_lost)) "pings answered across the rekeys (of 500)"
	done
}
