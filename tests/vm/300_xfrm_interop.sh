#!/bin/bash
# Wire compatibility with the kernel's own ESP: a runs ipsec_tun, b runs
# Linux XFRM (ip xfrm state/policy, tunnel mode) with the same keys. For
# every algorithm of lib/sites.sh (all in make check-full), outer v4 and v6, inner v4 and v6, and ESN: pings both
# ways and a TCP transfer, counted exactly on both implementations. esp4 and
# esp6 are loaded beside ipsec_tun, so this also proves the SPI hand-off
# between the two (coexistence). This is the proof our ESP is ESP.
# vm-timeout: 1800
#
#        [ns a] ipsec_tun                             [ns b] Linux XFRM
#   lo 10.1.0.1, fd01::1                            lo 10.2.0.1, fd02::1
#   ipsec0 -> 10.2.0.0/24, fd02::/64            routes 10.1.0.0/24, fd01::/64 via ul0,
#                                               caught by xfrm policies (tunnel mode)
#   ul0 192.0.2.1, 2001:db8::1  ===== veth =====  ul0 192.0.2.2, 2001:db8::2
. "$(dirname "$0")/lib.sh" sites || exit 1

BYTES=${VMTEST_TCP_BYTES:-500000}
PINGS=3
xfrm_sites_create

# Every algorithm over both outer families, each SA pair carrying both
# inner families (so all four inner/outer combinations), and 64-bit
# sequence numbers (ESN) with one AEAD and one CBC+HMAC algorithm.
spi=$((0x30000))
for outer in 4 6; do
	for alg in "${ALL_ALGS[@]}" aes-gcm-128/esn aes-cbc-128:hmac-sha256/esn; do
		flags=
		[[ $alg == */esn ]] && flags=esn alg=${alg%/esn}
		[[ " ${ALL_ALGS[*]} " == *" $alg "* ]] || continue # VMTEST_ALGS narrowed it
		# shellcheck disable=SC2086
		xfrm_case "$alg" $outer $spi $((spi + 1)) "$BYTES" $flags
		spi=$((spi + 2))
		xfrm_flush
		progress "ok: $alg outer v$outer${flags:+ $flags}, inner v4 and v6: XFRM <-> ipsec_tun both ways"
	done
done
ipsec_unload
