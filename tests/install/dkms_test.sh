#!/usr/bin/env bash
# dkms_test.sh SRC: the module's DKMS source tree (packaging/dkms-source,
# as make dkms-install and the ipsec-tun-dkms package install it) built by
# the real dkms through its dkms.conf for every Debian kernel whose headers
# are installed: at least one 6.1 and one 6.12 (scripts/setup installs
# both), each module checked for the kernel's vermagic. Private dkms and
# source trees under /tmp: nothing is installed into /lib/modules or
# /var/lib/dkms/ipsec-tun (dkms may create its module-signing key in
# /var/lib/dkms, as on any host it runs on). Host only: nothing is loaded.
set -euo pipefail
src=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v dkms >/dev/null || fail "dkms missing (scripts/setup installs it)"
tmp=$(mktemp -d /tmp/ipsec-tun-dkms.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(cat "$src/VERSION")
tree=$("$src/packaging/dkms-source" "$tmp/root")
[ "$tree" = "$tmp/root/usr/src/ipsec-tun-$version" ] || fail "source tree at $tree"
mkdir -p "$tmp/dkms"
opts=(-m ipsec-tun -v "$version" --sourcetree "$tmp/root/usr/src" --dkmstree "$tmp/dkms")
dkms add "${opts[@]}" >/dev/null || fail "dkms add"

kvers=()
for h in /usr/src/linux-headers-*; do
	[ -f "$h/Makefile" ] && [ -f "$h/Module.symvers" ] && kvers+=("${h#/usr/src/linux-headers-}")
done
[[ " ${kvers[*]} " == *" 6.1."* ]] || fail "no 6.1 kernel headers among: ${kvers[*]:-none}"
[[ " ${kvers[*]} " == *" 6.12."* ]] || fail "no 6.12 kernel headers among: ${kvers[*]:-none}"

for k in "${kvers[@]}"; do
	log=$tmp/build-$k.log
	dkms build "${opts[@]}" -k "$k" --kernelsourcedir "/usr/src/linux-headers-$k" >"$log" 2>&1 ||
		{ cat "$log" "$tmp/dkms/ipsec-tun/$version/build/make.log" 2>/dev/null >&2; fail "dkms build for $k"; }
	ko=$(ls "$tmp/dkms/ipsec-tun/$version/$k"/*/module/ipsec_tun.ko* 2>/dev/null) ||
		fail "dkms build for $k left no ipsec_tun.ko"
	vermagic=$(modinfo -F vermagic "$ko")
	[[ $vermagic == "$k "* ]] || fail "$k: module vermagic is '$vermagic'"
	dkms status "${opts[@]}" -k "$k" | grep -q ': built$' ||
		fail "dkms status for $k: $(dkms status "${opts[@]}" -k "$k")"
	echo "ok: dkms built ipsec-tun/$version for $k ($vermagic)"
done
