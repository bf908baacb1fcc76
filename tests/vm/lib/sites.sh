# shellcheck shell=bash
# Two sites joined by ipsec_tun, for the data-path scenarios (2xx: algorithms
# x families, 3xx: XFRM interop, 4xx: bad input). The subject "sites" of
# lib.sh:
#
#   . "$(dirname "$0")/lib.sh" sites || exit 1
#
#        [ns a]                                              [ns b]
#   lo 10.1.0.1, fd01::1                               lo 10.2.0.1, fd02::1
#   ipsec0 (routes 10.2.0.0/24, fd02::/64)    ipsec0 (routes 10.1.0.0/24, fd01::/64)
#   ul0 192.0.2.1, 2001:db8::1  ====== veth ======  ul0 192.0.2.2, 2001:db8::2
#
# The private addresses sit on lo, so traffic between them can only go
# through the tunnel. (progress and ctl are lib.sh's.)

CTL=$IPSECCTL
PRIV_A4=10.1.0.1 PRIV_B4=10.2.0.1 NET_A4=10.1.0.0/24 NET_B4=10.2.0.0/24
PRIV_A6=fd01::1 PRIV_B6=fd02::1 NET_A6=fd01::/64 NET_B6=fd02::/64
OUT_A4=192.0.2.1 OUT_B4=192.0.2.2 OUT_A6=2001:db8::1 OUT_B6=2001:db8::2

# The algorithms of issue 3, as "enc[:auth]". `make check` runs one of each
# construction and ICV size class (AES-GCM with 16- and 8-byte ICVs, GMAC,
# ChaCha20-Poly1305, AES-CBC with HMAC-SHA1 and HMAC-SHA2-256); `make
# check-full` (VMTEST_FULL=1) runs every one. VMTEST_ALGS (space-separated)
# picks the list by hand, e.g. for a quick run on a loaded machine.
EVERY_ALG=(aes-gcm-128 aes-gcm-256 aes-gcm-128-icv8 aes-gcm-256-icv8 aes-gcm-128-icv12
	aes-gcm-256-icv12 aes-gcm-192 aes-gcm-192-icv8 chacha20-poly1305 aes-gmac-128
	aes-gmac-192 aes-gmac-256 aes-cbc-128:hmac-sha1 aes-cbc-128:hmac-sha256
	aes-cbc-192:hmac-sha256 aes-cbc-256:hmac-sha384 aes-cbc-256:hmac-sha512)
if [ -n "${VMTEST_FULL:-}" ]; then
	ALL_ALGS=("${EVERY_ALG[@]}")
else
	ALL_ALGS=(aes-gcm-128 aes-gcm-256-icv8 aes-gmac-256 chacha20-poly1305
		aes-cbc-128:hmac-sha1 aes-cbc-128:hmac-sha256)
fi
# shellcheck disable=SC2206
[ -z "${VMTEST_ALGS:-}" ] || ALL_ALGS=($VMTEST_ALGS)

# sites_underlay: netns a and b and the veth between them, both families.
sites_underlay() {
	ns_create a
	ns_create b
	veth_pair a ul0 b ul0
	ip -n a addr add $OUT_A4/24 dev ul0
	ip -n b addr add $OUT_B4/24 dev ul0
	ip -n a addr add $OUT_A6/64 dev ul0 nodad
	ip -n b addr add $OUT_B6/64 dev ul0 nodad
	ip -n a addr add $PRIV_A4/32 dev lo
	ip -n b addr add $PRIV_B4/32 dev lo
	ip -n a addr add $PRIV_A6/128 dev lo
	ip -n b addr add $PRIV_B6/128 dev lo
	wait_until 10 in_ns a ping -c1 -W1 $OUT_B4
	wait_until 10 in_ns a ping -6 -c1 -W1 $OUT_B6
}

# site_ipsec NS PEER_NET4 PEER_NET6 SRC4 SRC6: ipsec0 created by ipsecctl
# inside NS (so NS is its underlay), routes to the peer's private nets.
site_ipsec() {
	ctl "$1" dev add dev ipsec0 >/dev/null
	ip -n "$1" link set ipsec0 up
	ip -n "$1" route add "$2" dev ipsec0 src "$4"
	ip -n "$1" -6 route add "$3" dev ipsec0 src "$5"
}

# sites_create: underlay + module + ipsec0 on both sides.
sites_create() {
	sites_underlay
	ipsec_load
	site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
	site_ipsec b $NET_A4 $NET_A6 $PRIV_B4 $PRIV_B6
}

# rand_hex BYTES: 0x + BYTES random bytes in hex.
rand_hex() {
	echo "0x$(od -An -tx1 -v -N "$1" /dev/urandom | tr -d ' \n')"
}

# alg_key_args ALG: the "enc E key K [auth A authkey K]" words for ALG
# ("enc" or "enc:auth") with fresh random keys of the right lengths.
# Also sets ENC ENC_KEY AUTH AUTH_KEY for callers that need them (3xx).
alg_key_args() {
	local enc=${1%%:*} auth=
	[[ $1 == *:* ]] && auth=${1#*:}
	local klen
	case $enc in
	aes-gcm-128* | aes-gmac-128) klen=20 ;;
	aes-gcm-192* | aes-gmac-192) klen=28 ;;
	aes-gcm-256* | aes-gmac-256 | chacha20-poly1305) klen=36 ;;
	aes-cbc-128) klen=16 ;;
	aes-cbc-192) klen=24 ;;
	aes-cbc-256) klen=32 ;;
	*) fail "alg_key_args: unknown algorithm $enc" ;;
	esac
	ENC=$enc ENC_KEY=$(rand_hex $klen) AUTH=$auth AUTH_KEY=
	KEY_ARGS="enc $ENC key $ENC_KEY"
	if [ -n "$auth" ]; then
		case $auth in
		hmac-sha1) AUTH_KEY=$(rand_hex 20) ;;
		hmac-sha256) AUTH_KEY=$(rand_hex 32) ;;
		hmac-sha384) AUTH_KEY=$(rand_hex 48) ;;
		hmac-sha512) AUTH_KEY=$(rand_hex 64) ;;
		*) fail "alg_key_args: unknown auth $auth" ;;
		esac
		KEY_ARGS="$KEY_ARGS auth $AUTH authkey $AUTH_KEY"
	fi
}

# tunnel_manual ALG OUTER SPI_AB SPI_BA [EXTRA...]: one SA each way between
# a and b over outer family OUTER (4 or 6), same algorithm, independent
# keys per direction; policies for both inner families (reqid 1); the
# inbound SAs' selectors allow exactly the peer's private nets. EXTRA words
# go to every "sa add" (e.g. esn, replay-window 1024, encap 4500:4500).
tunnel_manual() {
	local alg=$1 outer=$2 spi_ab=$3 spi_ba=$4 oa ob
	shift 4
	if [ "$outer" = 4 ]; then oa=$OUT_A4 ob=$OUT_B4; else oa=$OUT_A6 ob=$OUT_B6; fi
	local sels_in_b="sel $NET_A4-$NET_B4 sel $NET_A6-$NET_B6"
	local sels_in_a="sel $NET_B4-$NET_A4 sel $NET_B6-$NET_A6"
	alg_key_args "$alg"
	local ab_args=$KEY_ARGS
	alg_key_args "$alg"
	local ba_args=$KEY_ARGS
	ctl a batch - <<-EOB
		sa add dev ipsec0 dir out spi $spi_ab reqid 1 src $oa dst $ob $ab_args $*
		sa add dev ipsec0 dir in spi $spi_ba src $ob dst $oa $ba_args $sels_in_a $*
		policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 1
		policy add dev ipsec0 src $NET_A6 dst $NET_B6 reqid 1
	EOB
	ctl b batch - <<-EOB
		sa add dev ipsec0 dir in spi $spi_ab src $oa dst $ob $ab_args $sels_in_b $*
		sa add dev ipsec0 dir out spi $spi_ba reqid 1 src $ob dst $oa $ba_args $*
		policy add dev ipsec0 src $NET_B4 dst $NET_A4 reqid 1
		policy add dev ipsec0 src $NET_B6 dst $NET_A6 reqid 1
	EOB
}

# policies_both: policies on a and b for both inner families, reqid 1.
policies_both() {
	ctl a policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 1
	ctl a policy add dev ipsec0 src $NET_A6 dst $NET_B6 reqid 1
	ctl b policy add dev ipsec0 src $NET_B4 dst $NET_A4 reqid 1
	ctl b policy add dev ipsec0 src $NET_B6 dst $NET_A6 reqid 1
}

# sa_stat NS DIR SPI FIELD: a per-SA counter from `ipsecctl sa list --json`.
sa_stat() {
	local spi
	spi=$(printf '0x%08x' "$3")
	ctl "$1" sa list dev ipsec0 --json |
		jq -er --arg d "$2" --arg s "$spi" '.[] | select(.dir == $d and .spi == $s) | .stats.'"$4"
}

# monitor_start NS: `ipsecctl monitor` running in NS (killed at exit);
# sets MON (its pid) and MON_LOG (what it printed).
monitor_start() {
	spawn "$1" "$CTL" monitor
	MON=$SPAWNED_PID MON_LOG=/tmp/spawn.$SPAWNED_PID.log
	wait_until 10 grep -q monitoring "$MON_LOG"
}

# mon_has TEXT: the monitor printed a line containing TEXT.
mon_has() {
	grep -q "$1" "$MON_LOG"
}

# ping_ok WHAT / ping_fails WHAT: one IPv4 ping from a's private address to
# b's through ipsec0 must pass / must not (WHAT names it in the failure).
ping_ok() {
	in_ns a ping -c1 -W5 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "$1: ping failed"
}
ping_fails() {
	! in_ns a ping -c1 -W2 -I $PRIV_A4 $PRIV_B4 >/dev/null 2>&1 || fail "$1: ping passed"
}

# dev_stat NS FIELD: a device counter from `ipsecctl dev list --json`.
dev_stat() {
	ctl "$1" dev list dev ipsec0 --json | jq -er ".[0].stats.$2"
}

# stats_agree NS: ip -s link (sysfs) and ipsecctl report the same packet and
# byte counts for ipsec0. Read twice, by two processes, so a last packet of a
# closing TCP connection (held a moment in GRO) may land between
# the reads: they must agree within 10 s of the traffic stopping.
_stats_equal() {
	[ "$(dev_stat "$1" "$2")" = "$(link_counter "$1" ipsec0 "$2")" ]
}
stats_agree() {
	local f
	for f in rx_packets tx_packets rx_bytes tx_bytes; do
		poll_until 10 _stats_equal "$1" $f ||
			assert_eq "$(dev_stat "$1" $f)" "$(link_counter "$1" ipsec0 $f)" "$1 ipsec0 $f: ipsecctl vs ip -s link"
	done
}


# PY_SETNS: Python prelude for one process with sockets in several netns:
# enter(NS) moves the calling thread into /run/netns/NS (setns(2)).
PY_SETNS='import ctypes, hashlib, os, socket, struct, sys, threading, time
libc = ctypes.CDLL(None, use_errno=True)
def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)
'

# tcp_transfer FROM TO DST BYTES [SECS]: send BYTES random bytes over TCP from
# netns FROM to DST (an address in netns TO) and check the SHA-256 on arrival;
# fails when the connection stalls for SECS (default 90) seconds.
# One process does both ends (each socket is opened in its own netns with
# setns(2), so the bytes still cross whatever joins the two): under TCG every
# exec costs tens of milliseconds, and two interpreters plus polling for the
# listener cost more than the transfer itself.
tcp_transfer() {
	local from=$1 to=$2 dst=$3 bytes=$4 secs=${5:-90} out
	out=$(timeout $((secs + 60)) /usr/bin/python3 -c "$PY_SETNS"'
frm, to, dst, n, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
enter(to)
srv = socket.socket(fam)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((dst, 0)); srv.listen(1); srv.settimeout(secs)
port = srv.getsockname()[1]
enter(frm)
payload = os.urandom(n)
got = ["nothing received"]
def receive():
    c, _ = srv.accept(); c.settimeout(secs); h = hashlib.sha256(); k = 0
    while True:
        b = c.recv(65536)
        if not b: break
        h.update(b); k += len(b)
    got[0] = "%d %s" % (k, h.hexdigest()); c.close()
t = threading.Thread(target=receive); t.start()
s = socket.create_connection((dst, port), timeout=secs)
s.sendall(payload); s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
t.join(secs)
print(got[0]); print("%d %s" % (n, hashlib.sha256(payload).hexdigest()))' \
		"$from" "$to" "$dst" "$bytes" "$secs" 2>&1) || fail "TCP transfer $from -> $dst: $out"
	assert_eq "${out%%$'\n'*}" "${out#*$'\n'}" "TCP transfer $from -> $dst (bytes and sha256)"
}

# snap NS: every counter of NS's ipsec0 in one reading, into the associative
# array SNAP_NS, keyed "dev FIELD" (ipsecctl dev list), "link FIELD" (sysfs,
# what ip -s link shows) and "sa DIR SPI FIELD" (ipsecctl sa list, SPI as
# 0x%08x). A handful of processes instead of three per counter read.
snap() {
	local ns=$1 k v
	declare -gA "SNAP_$ns"
	local -n _snap="SNAP_$ns"
	_snap=()
	while IFS=$'\t' read -r k v; do
		_snap[$k]=$v
	done < <(ip netns exec "$ns" sh -c '
		printf "sa list dev ipsec0 --json\ndev list dev ipsec0 --json\n" | "$1" batch - || exit 1
		d=/sys/class/net/ipsec0/statistics sep="{"
		for f in rx_packets tx_packets rx_bytes tx_bytes rx_errors tx_errors rx_dropped tx_dropped \
			tx_carrier_errors; do
			read -r v <"$d/$f"; printf "%s\"%s\":%s" "$sep" "$f" "$v"; sep=,
		done
		for f in rx_dropped tx_dropped; do
			u=/sys/class/net/ul0/statistics/$f
			[ ! -e $u ] || { read -r v <$u; printf ",\"ul0_%s\":%s" $f "$v"; }
		done
		echo "}"' sh "$CTL" |
		jq -nr '[inputs] as [$sa, $dev, $link] |
			($sa[] | . as $s | .stats | to_entries[] | "sa \($s.dir) \($s.spi) \(.key)\t\(.value)"),
			($dev[0].stats | to_entries[] | "dev \(.key)\t\(.value)"),
			($link | to_entries[] | "link \(.key)\t\(.value)")')
	[ ${#_snap[@]} -gt 0 ] || fail "snap $ns: could not read the ipsec0 counters"
}

# sv NS KEY: one counter of the last snap NS ("sa out 0x00010000 tx_packets")
# into SV; fails when there is no such counter. (A variable, not output:
# every $(...) is a fork, and forks are what make TCG slow.)
sv() {
	local -n _snap="SNAP_$1"
	[ -n "${_snap[$2]+x}" ] || fail "snap $1: no counter '$2'"
	SV=${_snap[$2]}
}

# spi_hex SPI: the SPI as ipsecctl prints it.
spi_hex() {
	printf '0x%08x' "$1"
}

# snap_no_drops NS [FIELD...]: every device drop counter of the last snap NS
# is 0 (FIELDs: only those), else fail naming the ones that are not.
snap_no_drops() {
	local ns=$1 k bad=
	shift
	local -n _snap="SNAP_$ns"
	if [ $# -eq 0 ]; then
		for k in "${!_snap[@]}"; do
			[[ $k == "dev drop_"* ]] && set -- "$@" "${k#dev }"
		done
	fi
	for k in "$@"; do
		sv "$ns" "dev $k"
		[ "$SV" = 0 ] || bad+=" $k=$SV"
	done
	[ -z "$bad" ] || fail "$ns ipsec0 drop counters not zero:$bad"
}

# snap_stats_agree NS: in the last snap NS, ip -s link (sysfs) and ipsecctl
# report the same packet and byte counts for ipsec0. A packet delivered
# between the two reads (late through GRO cells) makes them differ by one:
# then NS is read again, for up to 10 s, and the last reading must agree.
# (It may replace SNAP_NS: check it after the other counters.)
snap_stats_agree() {
	local f link bad deadline=$((SECONDS + 10))
	while :; do
		bad=
		for f in rx_packets tx_packets rx_bytes tx_bytes; do
			sv "$1" "link $f"
			link=$SV
			sv "$1" "dev $f"
			[ "$SV" = "$link" ] || bad="$f: ipsecctl $SV, ip -s link $link"
		done
		[ -n "$bad" ] || return 0
		[ $SECONDS -lt $deadline ] || fail "$1 ipsec0 counters disagree: $bad"
		sleep 0.2
		snap "$1"
	done
}

# ---- Linux XFRM as the peer (3xx) ----

# xfrm_alg_args ENC AUTH ENC_KEY AUTH_KEY: the `ip xfrm state` words for the
# same algorithm and keys (kernel names: rfc4106/rfc4543/rfc7539esp, ICV bits).
xfrm_alg_args() {
	local enc=$1 auth=$2 key=$3 akey=$4
	case $enc in
	aes-gcm-*-icv8) echo "aead rfc4106(gcm(aes)) $key 64" ;;
	aes-gcm-*-icv12) echo "aead rfc4106(gcm(aes)) $key 96" ;;
	aes-gcm-*) echo "aead rfc4106(gcm(aes)) $key 128" ;;
	aes-gmac-*) echo "aead rfc4543(gcm(aes)) $key 128" ;;
	chacha20-poly1305) echo "aead rfc7539esp(chacha20,poly1305) $key 128" ;;
	aes-cbc-*)
		case $auth in
		hmac-sha1) echo "enc cbc(aes) $key auth-trunc hmac(sha1) $akey 96" ;;
		hmac-sha256) echo "enc cbc(aes) $key auth-trunc hmac(sha256) $akey 128" ;;
		hmac-sha384) echo "enc cbc(aes) $key auth-trunc hmac(sha384) $akey 192" ;;
		hmac-sha512) echo "enc cbc(aes) $key auth-trunc hmac(sha512) $akey 256" ;;
		esac ;;
	*) fail "xfrm_alg_args: unknown $enc" ;;
	esac
}

# xfrm_sites_create: a runs ipsec_tun (ipsec0), b plain Linux XFRM: its
# routes to a's private nets point at the underlay and XFRM policies catch
# the packets there.
xfrm_sites_create() {
	local m
	sites_underlay
	for m in xfrm_user esp4 esp6; do modprobe $m; done
	ipsec_load
	site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
	ip -n b route add $NET_A4 dev ul0 src $PRIV_B4
	ip -n b -6 route add $NET_A6 dev ul0 src $PRIV_B6
}

# tunnel_xfrm ALG OUTER SPI_AB SPI_BA [FLAG...]: ipsec_tun SAs on a, the same
# keys as XFRM states + tunnel-mode policies on b, outer family OUTER, both
# inner families through the one SA pair (XFRM: flag af-unspec). FLAGs:
# encap (UDP 4500 both sides, RFC 3948), esn (64-bit sequence numbers).
tunnel_xfrm() {
	local alg=$1 outer=$2 spi_ab=$3 spi_ba=$4 oa ob our_flags= xfrm_flags="replay-window 64 flag af-unspec"
	shift 4
	local f
	for f in "$@"; do
		case $f in
		encap)
			our_flags+=" encap 4500:4500"
			xfrm_flags+=" encap espinudp 4500 4500 0.0.0.0" ;;
		esn)
			our_flags+=" esn"
			xfrm_flags+=" flag esn" ;;
		*) fail "tunnel_xfrm: unknown flag $f" ;;
		esac
	done
	if [ "$outer" = 4 ]; then oa=$OUT_A4 ob=$OUT_B4; else oa=$OUT_A6 ob=$OUT_B6; fi
	alg_key_args "$alg"
	local ab_args=$KEY_ARGS ab_xfrm
	ab_xfrm=$(xfrm_alg_args "$ENC" "$AUTH" "$ENC_KEY" "$AUTH_KEY")
	alg_key_args "$alg"
	local ba_args=$KEY_ARGS ba_xfrm
	ba_xfrm=$(xfrm_alg_args "$ENC" "$AUTH" "$ENC_KEY" "$AUTH_KEY")
	ctl a batch - <<-EOB
		sa add dev ipsec0 dir out spi $spi_ab reqid 1 src $oa dst $ob $ab_args $our_flags
		sa add dev ipsec0 dir in spi $spi_ba src $ob dst $oa $ba_args $our_flags sel $NET_B4-$NET_A4 sel $NET_B6-$NET_A6
		policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 1
		policy add dev ipsec0 src $NET_A6 dst $NET_B6 reqid 1
	EOB
	ip -n b -batch - <<-EOB
		xfrm state add src $oa dst $ob proto esp spi $spi_ab reqid 1 mode tunnel $ab_xfrm $xfrm_flags
		xfrm state add src $ob dst $oa proto esp spi $spi_ba reqid 1 mode tunnel $ba_xfrm $xfrm_flags
		xfrm policy add src $NET_B4 dst $NET_A4 dir out tmpl src $ob dst $oa proto esp reqid 1 mode tunnel
		xfrm policy add src $NET_A4 dst $NET_B4 dir in tmpl src $oa dst $ob proto esp reqid 1 mode tunnel
		xfrm policy add src $NET_B6 dst $NET_A6 dir out tmpl src $ob dst $oa proto esp reqid 1 mode tunnel
		xfrm policy add src $NET_A6 dst $NET_B6 dir in tmpl src $oa dst $ob proto esp reqid 1 mode tunnel
	EOB
}

# xfrm_case ALG OUTER SPI_AB SPI_BA BYTES [FLAG...]: one XFRM interop case
# (tunnel_xfrm's arguments): pings both ways over both inner families, then
# a TCP transfer each way, every packet counted on both implementations and
# nothing dropped. The SAs stay up for the caller's own checks.
xfrm_case() {
	local alg=$1 outer=$2 spi_ab=$3 spi_ba=$4 bytes=$5 inner pa pb
	shift 5
	local what="$alg outer v$outer${*:+ ($*)}" ab ba f
	ab=$(spi_hex "$spi_ab") ba=$(spi_hex "$spi_ba")
	tunnel_xfrm "$alg" "$outer" "$spi_ab" "$spi_ba" "$@"
	for inner in 4 6; do
		if [ $inner = 4 ]; then pa=$PRIV_A4 pb=$PRIV_B4; else pa=$PRIV_A6 pb=$PRIV_B6; fi
		in_ns a ping -$inner -c $PINGS -i 0.2 -W 5 -I $pa $pb >/dev/null || fail "$what: inner v$inner ping a -> b"
		in_ns b ping -$inner -c $PINGS -i 0.2 -W 5 -I $pb $pa >/dev/null || fail "$what: inner v$inner ping b -> a"
	done
	# a sent 3 requests + 3 replies per inner family; XFRM decrypted exactly those.
	snap a
	xsnap b
	sv a "sa out $ab tx_packets"
	assert_eq "$SV" $((4 * PINGS)) "$what: ipsec_tun out SA tx"
	sv a "sa in $ba rx_packets"
	assert_eq "$SV" $((4 * PINGS)) "$what: ipsec_tun in SA rx"
	xv b "$ab"
	assert_eq "$XV" $((4 * PINGS)) "$what: XFRM in state packets"
	xv b "$ba"
	assert_eq "$XV" $((4 * PINGS)) "$what: XFRM out state packets"
	local drops0 sent
	veth_drops xsnap
	drops0=$VD
	if [ "$outer" = 4 ]; then pa=$PRIV_A4 pb=$PRIV_B4; else pa=$PRIV_A6 pb=$PRIV_B6; fi
	tcp_transfer a b $pb "$bytes"
	tcp_transfer b a $pa "$bytes"
	snap a
	xsnap b
	snap_no_drops a drop_auth drop_replay drop_pad drop_header drop_selector drop_nomem
	for f in "$ab" "$ba"; do
		xv b "$f/why"
		local why=$XV
		xv b "$f/failed"
		assert_eq "$XV" 0 "$what: XFRM integrity/replay failures on spi $f ($why)"
	done
	veth_drops xsnap
	local dropped=$((VD - drops0))
	sv a "sa out $ab tx_packets"
	xv b "$ab"
	assert_delivered "$SV" "$XV" "$dropped" "$what: a->b"
	sv a "sa in $ba rx_packets"
	xv b "$ba"
	assert_delivered "$XV" "$SV" "$dropped" "$what: b->a"
	snap_stats_agree a
}

# xsnap NS: per XFRM state of NS, keyed by SPI as 0x%08x, the packets it
# counted ("SPI") and its integrity/replay failures ("SPI/failed", and
# "SPI/why" naming each kind), plus
# "ul0_rx_dropped", in the associative array XSNAP_NS.
xsnap() {
	local k v
	declare -gA "XSNAP_$1"
	local -n _xsnap="XSNAP_$1"
	_xsnap=()
	while read -r k v; do
		_xsnap[$k]=$v
	done < <(ip netns exec "$1" sh -c 'ip -s xfrm state list; for f in rx_dropped tx_dropped; do
		read -r v </sys/class/net/ul0/statistics/$f && echo "ul0_$f $v"; done' | awk '
		$1 == "proto" && $2 == "esp" { spi = $4; sub(/\(.*/, "", spi) }
		/lifetime current:/ { getline; sub(/\(packets\)/, "", $2); print spi, $2 }
		/^[ \t]*stats:/ { getline; print spi "/failed", $2 + $4 + $6
			print spi "/why", "out-of-window", $2, "replayed", $4, "integrity", $6 }
		$1 ~ /^ul0_/ { print }')
}

# assert_delivered SENT RECEIVED DROPPED WHAT: RECEIVED packets arrived of
# SENT, and any shortfall is no more than the DROPPED packets the veth pair
# itself discarded (sender tx_dropped + receiver rx_dropped: its queues
# overflow when the VM's CPUs are starved; TCP retransmits them). Anything
# else lost is a bug: then both sides' counters are printed.
assert_delivered() {
	[ "$2" -le "$1" ] && [ "$2" -ge $(($1 - $3)) ] && return 0
	local ns
	for ns in a b; do
		echo "--- $ns:" >&2
		ip -n $ns -s -s link show ul0 >&2
		[ "$(declare -p "SNAP_$ns" 2>/dev/null)" ] && declare -p "SNAP_$ns" >&2
		[ "$(declare -p "XSNAP_$ns" 2>/dev/null)" ] && declare -p "XSNAP_$ns" >&2
	done
	fail "$4: sent $1 packets, $2 arrived, the veth pair dropped $3"
}

# veth_drops B_SNAP: into VD, the packets the a-b veth pair discarded
# (tx_dropped and rx_dropped on both ends) by the last snap of a and the last
# B_SNAP (snap, or xsnap when b runs XFRM) of b.
veth_drops() {
	local f
	VD=0
	for f in rx_dropped tx_dropped; do
		sv a "link ul0_$f"
		VD=$((VD + SV))
		if [ "$1" = xsnap ]; then
			xv b "ul0_$f"
			VD=$((VD + XV))
		else
			sv b "link ul0_$f"
			VD=$((VD + SV))
		fi
	done
}

# xv NS SPI_HEX: the packets of that state in the last xsnap NS, into XV.
xv() {
	local -n _xsnap="XSNAP_$1"
	[ -n "${_xsnap[$2]+x}" ] || fail "xsnap $1: no XFRM state with spi $2"
	XV=${_xsnap[$2]}
}

# xfrm_flush: remove both sides' SAs and policies.
xfrm_flush() {
	ctl a sa flush dev ipsec0
	printf 'xfrm state flush\nxfrm policy flush\n' | ip -n b -batch -
}

