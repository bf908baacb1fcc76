#!/bin/bash
# startup_one.sh IMPL: one measurement of the time from starting the
# initiating daemon to the first ping answered through the tunnel, with the
# same IMPL on both gateways (ipsecd | strongswan | libreswan). Run by
# bench/vm/startup.sh, once per repetition, in a process of its own: it uses
# the test helpers (tests/vm/lib.sh: strict mode, cleanup at exit) and the
# peer helpers of tests/vm/peers/. Prints one BENCH line, or fails with the
# reason as its last line on stderr.
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

# conf_sswan DIR LEFT RIGHT LNET RNET LID RID AUTO: strongSwan syntax, which
# ipsecd reads as well.
conf_sswan() {
	cat >"$1/ipsec.conf" <<EOC
conn bench
	keyexchange=ikev2
	left=$2
	leftid=@$6
	leftsubnet=$4
	right=$3
	rightid=@$7
	rightsubnet=$5
	authby=secret
	ike=aes128gcm16-prfsha256-modp2048!
	esp=aes128gcm16!
	auto=$8
EOC
	echo "@$6 @$7 : PSK \"$PSK\"" >"$1/ipsec.secrets"
	chmod 600 "$1/ipsec.secrets"
}

conf_lsw() {
	cat >"$1/ipsec.conf" <<EOC
config setup
	uniqueids=yes

conn bench
	ikev2=insist
	left=$2
	leftid=@$6
	leftsubnet=$4
	right=$3
	rightid=@$7
	rightsubnet=$5
	authby=secret
	ike=aes_gcm128-sha2_256;modp2048
	phase2alg=aes_gcm128-null
	leftupdown=/bin/true
	auto=$8
EOC
	echo "@$6 @$7 : PSK \"$PSK\"" >"$1/ipsec.secrets"
	chmod 600 "$1/ipsec.secrets"
}

d1=$(mktemp -d /tmp/bench-gw1.XXXXXX)
d2=$(mktemp -d /tmp/bench-gw2.XXXXXX)
case $impl in
ipsecd)
	ipsec_load
	conf_sswan "$d2" "$GW2" "$GW1" "$NET2" "$NET1" gw2.bench gw1.bench add
	conf_sswan "$d1" "$GW1" "$GW2" "$NET1" "$NET2" gw1.bench gw2.bench start
	ipsecd_spawn "$NS_GW2" "$d2"
	wait_until 60 ictl "$NS_GW2" status
	ipsecd_spawn "$NS_GW1" "$d1"
	t0=$(proc_start "$IPSECD_PID")
	;;
strongswan)
	conf_sswan "$d2" "$GW2" "$GW1" "$NET2" "$NET1" gw2.bench gw1.bench add
	conf_sswan "$d1" "$GW1" "$GW2" "$NET1" "$NET2" gw1.bench gw2.bench start
	sswan_start "$NS_GW2" "$d2"
	sswan_start "$NS_GW1" "$d1"
	t0=$(proc_start "$SSWAN_PID")
	;;
libreswan)
	conf_lsw "$d2" "$GW2" "$GW1" "$NET2" "$NET1" gw2.bench gw1.bench add
	conf_lsw "$d1" "$GW1" "$GW2" "$NET1" "$NET2" gw1.bench gw2.bench start
	lsw_start "$NS_GW2" "$d2"
	lsw_start "$NS_GW1" "$d1"
	t0=$(proc_start "$LSW_PID")
	;;
*) fail "unknown implementation '$impl'" ;;
esac

# Poll with short pings; the first answered one ends the clock.
deadline=$(($(date +%s) + 150))
until in_ns "$NS_LAN1" ping -c1 -W0.3 -q "$H2" >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$deadline" ] || fail "no ping through the $impl tunnel within 150 s"
done
t1=$(uptime_now)
printf 'BENCH\tstartup\t%s\tfirst-ping\t%s\ts\n' "$impl" "$(echo "$t1 - $t0" | bc)"
