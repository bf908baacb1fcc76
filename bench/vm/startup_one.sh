#!/bin/bash
# startup_one.sh IMPL: one measurement of the time from starting the
# initiating daemon to the first ping answered through the tunnel, with the
# same IMPL on both gateways (ipsecd | strongswan | libreswan). Run by
# bench/vm/startup.sh, once per repetition, in a process of its own: it uses
# the test helpers (tests/vm/lib.sh: strict mode, cleanup at exit) and the
# peer helpers of tests/vm/peers/ (configs: conn_block, psk_secrets). Prints
# one BENCH line, or fails with the reason as its last line on stderr.
#
#   [lan1] 192.168.1.2 -- [gw1 IMPL, initiator] 10.0.0.1 == 10.0.0.2 [gw2 IMPL] -- 192.168.2.2 [lan2]
#
# The responder is started first and is ready (its connection loaded); the
# clock starts when the initiator's process (auto=start) starts — read from
# /proc/PID/stat, so helper work before the exec (strongSwan's private
# strongswan.conf, libreswan's NSS database) is not counted — and stops at
# the first answered ping (pings of 0.3 s timeout back to back). Same PSK, IDs,
# subnets and algorithms (AES-GCM-128, PRF SHA2-256, MODP-2048) for all.
# gw2 drops packets from lan1 that arrive on the underlay without IPsec
# (nft: not through ipsec0, no XFRM secpath), so a ping cannot be answered
# in clear before the tunnel is up.
. "$REPO/tests/vm/lib.sh" topology ipsecd strongswan libreswan || exit 1

impl=${1:?usage: startup_one.sh ipsecd|strongswan|libreswan}
PSK=bench-startup-psk-0123456789
case $impl in ipsecd | strongswan | libreswan) ;; *) fail "unknown implementation '$impl'" ;; esac
[ "$impl" != ipsecd ] || [ -x "$IPSECD" ] || fail "ipsecd not built ($IPSECD)"

# proc_start PID: when the process started, in seconds since boot (the
# clock of /proc/uptime), from field 22 of /proc/PID/stat.
proc_start() {
	local ticks
	ticks=$(awk '{ print $22 }' "/proc/$1/stat")
	echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc
}

uptime_now() {
	cut -d' ' -f1 /proc/uptime
}

topo_v4
in_ns "$NS_GW2" nft -f - <<EOF || fail "nft rule on gw2 refused"
table inet bench {
	chain forward_guard {
		type filter hook forward priority 0; policy accept;
		iifname "$UL_IF" ip saddr $NET1 meta secpath missing drop
	}
}
EOF

# conf DIR 1|2 AUTO: conn "bench" as gw1 (1) or gw2 (2) sees it, in IMPL's
# dialect (ipsecd reads strongSwan's), and the PSK.
conf() {
	local l=$GW1 r=$GW2 ln=$NET1 rn=$NET2 lid=@gw1.bench rid=@gw2.bench
	local -a dialect=(keyexchange=ikev2 'ike=aes128gcm16-prfsha256-modp2048!' 'esp=aes128gcm16!')
	[ "$2" = 1 ] || { l=$GW2 r=$GW1 ln=$NET2 rn=$NET1 lid=@gw2.bench rid=@gw1.bench; }
	[ "$impl" != libreswan ] ||
		dialect=(ikev2=insist 'ike=aes_gcm128-sha2_256;modp2048' phase2alg=aes_gcm128-null leftupdown=/bin/true)
	{
		[ "$impl" != libreswan ] || printf 'config setup\n\tuniqueids=yes\n\n'
		conn_block bench "left=$l" "leftid=$lid" "leftsubnet=$ln" "right=$r" "rightid=$rid" \
			"rightsubnet=$rn" authby=secret "${dialect[@]}" "auto=$3"
	} >"$1/ipsec.conf"
	psk_secrets "$1/ipsec.secrets" "$lid $rid : PSK \"$PSK\""
}

d1=$(mktemp -d /tmp/bench-gw1.XXXXXX)
d2=$(mktemp -d /tmp/bench-gw2.XXXXXX)
conf "$d2" 2 add
conf "$d1" 1 start
case $impl in
ipsecd)
	ipsec_load
	ipsecd_spawn "$NS_GW2" "$d2"
	wait_until 60 ictl "$NS_GW2" status
	ipsecd_spawn "$NS_GW1" "$d1"
	t0=$(proc_start "$IPSECD_PID")
	;;
strongswan)
	sswan_start "$NS_GW2" "$d2"
	sswan_start "$NS_GW1" "$d1"
	t0=$(proc_start "$SSWAN_PID")
	;;
libreswan)
	lsw_start "$NS_GW2" "$d2"
	lsw_start "$NS_GW1" "$d1"
	t0=$(proc_start "$LSW_PID")
	;;
esac

# Poll with short pings; the first answered one ends the clock.
deadline=$(($(date +%s) + 150))
until in_ns "$NS_LAN1" ping -c1 -W0.3 -q "$H2" >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "no ping through the $impl tunnel within 150 s"
done
t1=$(uptime_now)
printf 'BENCH\tstartup\t%s\tfirst-ping\t%s\ts\n' "$impl" "$(echo "$t1 - $t0" | bc)"
