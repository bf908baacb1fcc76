#!/bin/bash
# A/B of ipsec_tun builds against Linux XFRM in one VM, interleaved round by
# round so that the load of a busy host hits every contender alike (compare
# the per-round ratios, not runs made minutes apart):
#
#   IPSEC_AB_KOS="base=/path/a.ko new=/path/b.ko" IPSEC_BENCH_TIME=3 \
#     scripts/vm-run --kernel 6.1 --timeout 2400 -- bench/vm/ab_modules.sh 6
#
# Each round sets up XFRM (AES-GCM-128) and then ipsec0 with each module in
# turn (same keys, bench/vm/ipsec_manual.sh), and runs tcp1, tcp4 and udp64
# (bench/vm/lib.sh). Output: "AB <round> <name> <test> <value>" lines, then a
# summary of medians and of the median per-round ratio to XFRM.
. "$(dirname "$0")/lib.sh" || exit 1

# cfg_ipsec_ko PATH[?PARAM=VALUE[&...]]: a module build, with insmod parameters.
cfg_ipsec_ko() {
	local ko=${1%%\?*} params=
	[[ $1 != *\?* ]] || params=${1#*\?}
	topo_base
	[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun || return 1
	IPSEC_KO=$ko IPSEC_KO_PARAMS=${params//&/ } ipsec_load || return 1
	. "$(dirname "$0")/ipsec_manual.sh" || return 1
	ipsec_manual_pair "$cipher" || return 1
	topo_routes_via ipsec0 ipsec0
}

rounds=${1:-3}
cipher=${IPSEC_AB_CIPHER:-gcm128}	# gcm128 | chacha
case $cipher in
gcm128) xfrm_alg='rfc4106(gcm(aes))' xfrm_keys="$KEY_GCM_AB $KEY_GCM_BA" ;;
chacha) xfrm_alg='rfc7539esp(chacha20,poly1305)' xfrm_keys="$KEY_CHACHA_AB $KEY_CHACHA_BA" ;;
*) fail "IPSEC_AB_CIPHER must be gcm128 or chacha" ;;
esac
[[ $rounds =~ ^[1-9][0-9]*$ ]] || fail "usage: ab_modules.sh ROUNDS"
[ -n "${IPSEC_AB_KOS:-}" ] || fail "IPSEC_AB_KOS='name=path.ko ...' not set"
crypto_preload
out=$(mktemp)
for ((r = 1; r <= rounds; r++)); do
	for c in xfrm $IPSEC_AB_KOS; do
		name=${c%%=*}
		if [ "$c" = xfrm ]; then cfg_xfrm "$xfrm_alg" $xfrm_keys >/dev/null 2>&1; else cfg_ipsec_ko "${c#*=}" >/dev/null 2>&1; fi ||
			{ echo "AB-NA $r $name setup failed"; ns_gone bA bB; continue; }
		poll_until 10 inner_ping_ok || { echo "AB-NA $r $name no ping"; ns_gone bA bB; continue; }
		iperf_server_start || { echo "AB-NA $r $name no iperf3 server"; ns_gone bA bB; continue; }
		for t in tcp1 tcp4 udp64; do
			case $t in
			tcp1) v=$(iperf_tcp_mbits 1) ;;
			tcp4) v=$(iperf_tcp_mbits 4) ;;
			udp64) v=$(iperf_udp64_pps) ;;
			esac && echo "AB $r $name $t $v" | tee -a "$out"
		done
		ns_gone bA bB
	done
done
[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun
python3 - "$out" <<'PY'
import collections, statistics as st, sys
d = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    _, r, c, t, v = line.split()
    d[(c, t)][int(r)] = float(v)
names = list(dict.fromkeys(c for c, _ in d))
for t in ("tcp1", "tcp4", "udp64"):
    for c in names:
        v = d.get((c, t), {})
        if not v:
            continue
        ref = d.get(("xfrm", t), {})
        ratios = [v[r] / ref[r] for r in v if ref.get(r)]
        print(f"SUMMARY {t} {c} median {st.median(v.values()):g} (n={len(v)})"
              + (f" per-round ratio to xfrm: median {st.median(ratios):.2f}" if c != "xfrm" and ratios else ""))
PY
rm -f "$out"
