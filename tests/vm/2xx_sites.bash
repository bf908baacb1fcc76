# shellcheck shell=bash
# Two sites joined by ipsec_tun, for the data-path scenarios (2xx: algorithms
# x families, 3xx: XFRM interop, 4xx: bad input). Sourced after lib.sh:
#
#   . "$(dirname "$0")/lib.sh" || exit 1
#   . "$(dirname "$0")/2xx_sites.bash"
#
#        [ns a]                                              [ns b]
#   lo 10.1.0.1, fd01::1                               lo 10.2.0.1, fd02::1
#   ipsec0 (routes 10.2.0.0/24, fd02::/64)    ipsec0 (routes 10.1.0.0/24, fd01::/64)
#   ul0 192.0.2.1, 2001:db8::1  ====== veth ======  ul0 192.0.2.2, 2001:db8::2
#
# The private addresses sit on lo, so traffic between them can only go
# through the tunnel. (Not a scenario itself: vm-tests runs only *.sh.)

CTL=$IPSECCTL
PRIV_A4=10.1.0.1 PRIV_B4=10.2.0.1 NET_A4=10.1.0.0/24 NET_B4=10.2.0.0/24
PRIV_A6=fd01::1 PRIV_B6=fd02::1 NET_A6=fd01::/64 NET_B6=fd02::/64
OUT_A4=192.0.2.1 OUT_B4=192.0.2.2 OUT_A6=2001:db8::1 OUT_B6=2001:db8::2

# Every algorithm of issue 3, as "enc[:auth]". VMTEST_ALGS (space-separated)
# narrows the loops for a quick run on a loaded machine.
ALL_ALGS=(aes-gcm-128 aes-gcm-256 aes-gcm-128-icv8 aes-gcm-256-icv8 aes-gcm-128-icv12
	aes-gcm-256-icv12 chacha20-poly1305 aes-gmac-128 aes-gmac-256
	aes-cbc-128:hmac-sha1 aes-cbc-128:hmac-sha256 aes-cbc-256:hmac-sha384
	aes-cbc-256:hmac-sha512)
# shellcheck disable=SC2206
[ -z "${VMTEST_ALGS:-}" ] || ALL_ALGS=($VMTEST_ALGS)

# progress MSG...: a line in the scenario's output and in the kernel log
# (which the host can follow while the VM runs).
progress() {
	echo "$*"
	echo "vmtest ${0##*/}: $*" >/dev/kmsg 2>/dev/null || true
}

# ctl NS ARGS...: ipsecctl inside NS.
ctl() {
	local ns=$1
	shift
	ip netns exec "$ns" "$CTL" "$@"
}

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
	aes-gcm-256* | aes-gmac-256 | chacha20-poly1305) klen=36 ;;
	aes-cbc-128) klen=16 ;;
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
	# shellcheck disable=SC2086
	{
		ctl a sa add dev ipsec0 dir out spi $spi_ab reqid 1 src $oa dst $ob $ab_args "$@"
		ctl b sa add dev ipsec0 dir in spi $spi_ab src $oa dst $ob $ab_args $sels_in_b "$@"
		ctl b sa add dev ipsec0 dir out spi $spi_ba reqid 1 src $ob dst $oa $ba_args "$@"
		ctl a sa add dev ipsec0 dir in spi $spi_ba src $ob dst $oa $ba_args $sels_in_a "$@"
	}
	policies_both
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
# byte counts for ipsec0 (read while the tunnel is idle).
stats_agree() {
	local f
	for f in rx_packets tx_packets rx_bytes tx_bytes; do
		assert_eq "$(dev_stat "$1" $f)" "$(link_counter "$1" ipsec0 $f)" "$1 ipsec0 $f: ipsecctl vs ip -s link"
	done
}

# listening NS PORT: a TCP listener on PORT in NS.
listening() {
	in_ns "$1" ss -Hltn "sport = :$2" | grep -q .
}

# tcp_transfer FROM TO DST BYTES: send BYTES random bytes over TCP from netns
# FROM to DST (an address in netns TO) and check the SHA-256 on arrival.
tcp_transfer() {
	local from=$1 to=$2 dst=$3 bytes=$4 port=5001 payload got want
	payload=$(mktemp /tmp/payload.XXXXXX)
	head -c "$bytes" /dev/urandom >"$payload"
	want=$(sha256sum "$payload" | cut -d' ' -f1)
	spawn "$to" timeout 120 /usr/bin/python3 -c '
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    h.update(b); n += len(b)
print(n, h.hexdigest())' "$dst" $port
	local server=$SPAWNED_PID
	wait_until 20 listening "$to" $port
	in_ns "$from" timeout 120 /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
s.sendall(open(sys.argv[3], "rb").read()); s.shutdown(socket.SHUT_WR); s.recv(1)' "$dst" $port "$payload"
	wait_until 60 eval "! kill -0 $server"
	got=$(spawn_log "$server")
	assert_eq "$got" "$bytes $want" "TCP transfer to $dst (bytes and sha256)"
	rm -f "$payload"
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

# tunnel_xfrm ALG OUTER SPI_AB SPI_BA [encap]: ipsec_tun SAs on a, the same
# keys as XFRM states + tunnel-mode policies on b (inner family = OUTER).
tunnel_xfrm() {
	local alg=$1 outer=$2 spi_ab=$3 spi_ba=$4 encap=${5:-} oa ob na nb our_encap= xfrm_encap=
	if [ "$outer" = 4 ]; then
		oa=$OUT_A4 ob=$OUT_B4 na=$NET_A4 nb=$NET_B4
	else
		oa=$OUT_A6 ob=$OUT_B6 na=$NET_A6 nb=$NET_B6
	fi
	if [ -n "$encap" ]; then
		our_encap="encap 4500:4500"
		xfrm_encap="encap espinudp 4500 4500 0.0.0.0"
	fi
	alg_key_args "$alg"
	local ab_args=$KEY_ARGS ab_xfrm
	ab_xfrm=$(xfrm_alg_args "$ENC" "$AUTH" "$ENC_KEY" "$AUTH_KEY")
	alg_key_args "$alg"
	local ba_args=$KEY_ARGS ba_xfrm
	ba_xfrm=$(xfrm_alg_args "$ENC" "$AUTH" "$ENC_KEY" "$AUTH_KEY")
	# shellcheck disable=SC2086
	{
		ctl a sa add dev ipsec0 dir out spi $spi_ab reqid 1 src $oa dst $ob $ab_args $our_encap
		ctl a sa add dev ipsec0 dir in spi $spi_ba src $ob dst $oa $ba_args $our_encap sel $nb-$na
		ctl a policy add dev ipsec0 src $na dst $nb reqid 1
		ip -n b xfrm state add src $oa dst $ob proto esp spi $spi_ab reqid 1 mode tunnel \
			$ab_xfrm $xfrm_encap
		ip -n b xfrm state add src $ob dst $oa proto esp spi $spi_ba reqid 1 mode tunnel \
			$ba_xfrm $xfrm_encap
		ip -n b xfrm policy add src $nb dst $na dir out tmpl src $ob dst $oa proto esp reqid 1 mode tunnel
		ip -n b xfrm policy add src $na dst $nb dir in tmpl src $oa dst $ob proto esp reqid 1 mode tunnel
	}
}

# xfrm_flush: remove both sides' SAs and policies.
xfrm_flush() {
	ctl a sa flush dev ipsec0
	ip -n b xfrm state flush
	ip -n b xfrm policy flush
}

# xfrm_state_packets NS SPI: packets XFRM counted on the state with SPI.
xfrm_state_packets() {
	ip -n "$1" -s xfrm state list spi "$2" |
		awk '/lifetime current:/ { getline; sub(/\(packets\)/, "", $2); print $2; exit }'
}
