#!/bin/bash
# The Debian packages (issue 22), installed and used as a user would:
# build/deb/ipsec-tun_*.deb and ipsec-tun-dkms_*.deb, made on the host by
# packaging/mkdeb (scripts/vm-tests builds them before booting, for the
# "vm-needs: deb" line below; missing packages fail here, never skip).
#  1. a writable copy of the host root (overlay: lower /, upper on tmpfs)
#     in a chroot: `dpkg -i` both exits 0 and dpkg -s says "install ok
#     installed" for each;
#  2. the dkms package's postinst built and installed the module for the
#     running kernel (dkms status: installed) and `modprobe ipsec_tun`
#     loads it from /lib/modules/$KVER/updates/dkms;
#  3. the demo's two sites, each running the installed /usr/sbin/ipsecd
#     with the example config: each daemon's /proc/PID/exe is
#     /usr/sbin/ipsecd with the checksum dpkg recorded for it (not
#     build/bin), hostA pings hostB through the tunnel and the installed
#     `ipsecctl status` names the connection; both --version lines name
#     the package's version;
#  4. `dpkg -r` both: the binaries, the unit and the module file are gone,
#     dkms forgets the module, the module unloads without leaks; then
#     `dpkg --purge` leaves dpkg no record of either package.
# vm-timeout: 3000
# vm-suite: full
# vm-needs: deb
#
#   hostA 10.1.0.2 -- siteA 192.0.2.1 ==ESP== 192.0.2.2 siteB -- hostB 10.2.0.2
#     (netns)        (netns, chroot's ipsecd)  (netns, chroot's ipsecd)
#   chroot /run/debroot: overlay(lower=/ (9p, read-only), upper=tmpfs)
. "$(dirname "$0")/lib.sh" || exit 1

EXAMPLES=$REPO/Documentation/examples
version=$(cat "$REPO/VERSION")
arch=$(dpkg --print-architecture)
deb_main=$REPO/build/deb/ipsec-tun_${version}_$arch.deb
deb_dkms=$REPO/build/deb/ipsec-tun-dkms_${version}_all.deb
for d in "$deb_main" "$deb_dkms"; do
	[ -f "$d" ] || fail "missing $d: build it on the host with 'make deb' (scripts/vm-tests does when 423 is selected)"
done

# --- 1. a writable root and dpkg -i ---
root=/run/debroot
top=$(mktemp -d /tmp/debroot.XXXXXX)
mount -t tmpfs tmpfs "$top"
mkdir -p "$top/upper" "$top/work" "$root"
on_exit umount -l "$top"
modprobe overlay
mount -t overlay overlay -o "lowerdir=/,upperdir=$top/upper,workdir=$top/work" "$root"
on_exit umount -R -l "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
# inroot [NS] CMD...: run CMD in the chroot (inside netns NS if given).
inroot() {
	case $1 in
	site[AB]) ip netns exec "$1" chroot "$root" "${@:2}" ;;
	*) chroot "$root" "$@" ;;
	esac
}
# The VM's system has the running kernel only: the host's other kernels
# (6.12 beside 6.1) are hidden in the chroot under an empty tmpfs, or dkms's
# postinst would build for the newest one too (another ~25 min under TCG on
# a loaded host; ctest dkms_build builds for every kernel on the host).
for d in "$root"/lib/modules/*; do
	[ "${d##*/}" = "$KVER" ] || mount -t tmpfs -o ro tmpfs "$d"
done
inroot dpkg -s ipsec-tun >/dev/null 2>&1 && fail "the host root already has ipsec-tun installed"
for f in /usr/sbin/ipsecd /usr/sbin/ipsecctl "/usr/src/ipsec-tun-$version"; do
	[ ! -e "$root$f" ] || fail "$f exists before dpkg -i: the check below would prove nothing"
done
echo "dpkg -i both packages (dkms builds the module: minutes under TCG)"
t0=$SECONDS
inroot env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb_main" "$deb_dkms" >/tmp/dpkg-i.log 2>&1 ||
	{ rc=$?; cat /tmp/dpkg-i.log; fail "dpkg -i exited $rc"; }
echo "dpkg -i took $((SECONDS - t0)) s; $(grep -E '^(Building|Module build|Building initial)' /tmp/dpkg-i.log | tr '\n' ' ')"
for p in ipsec-tun ipsec-tun-dkms; do
	assert_eq "$(inroot dpkg-query -W -f '${Status} ${Version}' "$p")" "install ok installed $version" "dpkg status of $p"
done
inroot test -x /usr/sbin/ipsecd || fail "ipsecd is not at /usr/sbin/ipsecd"
inroot test -x /usr/sbin/ipsecctl || fail "ipsecctl is not at /usr/sbin/ipsecctl"
assert_eq "$(inroot sh -c 'command -v ipsecctl')" /usr/sbin/ipsecctl "ipsecctl on the chroot's PATH"
for prog in ipsecd ipsecctl; do
	assert_eq "$(inroot "/usr/sbin/$prog" --version)" "$prog (ipsec_tun) $version" "installed $prog --version"
done
# pkg_md5 PATH: the md5sum dpkg recorded for PATH (ipsec-tun.md5sums).
pkg_md5() {
	awk -v p="${1#/}" '$2 == p { print $1 }' "$root/var/lib/dpkg/info/ipsec-tun.md5sums"
}
[ -n "$(pkg_md5 /usr/sbin/ipsecd)" ] || fail "dpkg recorded no md5sum for /usr/sbin/ipsecd"

# --- 2. dkms built it for this kernel; modprobe loads that file ---
status=$(inroot dkms status -m ipsec-tun -v "$version" -k "$KVER")
[[ $status == *": installed"* ]] || { cat /tmp/dpkg-i.log; fail "dkms status for $KVER: '$status'"; }
ko=$(inroot modinfo -n ipsec_tun)
[[ $ko == /lib/modules/$KVER/updates/dkms/ipsec_tun.ko* ]] || fail "modinfo -n ipsec_tun: $ko (not dkms's)"
[ ! -e /sys/module/ipsec_tun ] || fail "ipsec_tun loaded before modprobe"
inroot modprobe ipsec_tun
on_exit _lib_unload_quietly
[ -e /sys/module/ipsec_tun ] || fail "modprobe ipsec_tun did not load it"
# The loaded module is the file modprobe found: dkms's (modinfo -n, checked
# above). Debian's kernels have no /sys/module/*/srcversion to compare.

# --- 3. the demo's two sites with the installed daemon and CLI ---
for ns in hostA siteA siteB hostB; do ns_create "$ns"; done
veth_pair siteA ul0 siteB ul0
veth_pair siteA lan0 hostA eth0
veth_pair siteB lan0 hostB eth0
ip -n siteA addr add 192.0.2.1/24 dev ul0
ip -n siteB addr add 192.0.2.2/24 dev ul0
ip -n siteA addr add 10.1.0.1/24 dev lan0
ip -n hostA addr add 10.1.0.2/24 dev eth0
ip -n siteB addr add 10.2.0.1/24 dev lan0
ip -n hostB addr add 10.2.0.2/24 dev eth0
ip -n hostA route add default via 10.1.0.1
ip -n hostB route add default via 10.2.0.1
in_ns siteA sysctl -qw net.ipv4.ip_forward=1
in_ns siteB sysctl -qw net.ipv4.ip_forward=1
for ns in siteB siteA; do # responder first
	mkdir -p "$root/run/$ns"
	cp "$EXAMPLES/site-to-site.conf" "$root/run/$ns/ipsec.conf"
	install -m 600 "$EXAMPLES/site-to-site.secrets" "$root/run/$ns/ipsec.secrets"
	spawn "$ns" chroot "$root" /usr/sbin/ipsecd -f "/run/$ns/ipsec.conf" \
		--secrets "/run/$ns/ipsec.secrets" --ctl "/run/$ns/ipsecd.ctl"
	wait_until 30 inroot "$ns" /usr/sbin/ipsecctl --ctl "/run/$ns/ipsecd.ctl" status
done
# The daemons that run are the package's files: the path inside the
# chroot, and the bytes dpkg installed there.
for ns in siteA siteB; do
	pid=$(ip netns pids "$ns" | head -n1)
	[ -n "$pid" ] || fail "no ipsecd in $ns"
	exe=$(readlink "/proc/$pid/exe")
	assert_eq "${exe#"$root"}" /usr/sbin/ipsecd "$ns daemon's executable (under $root)"
	assert_eq "$(md5sum <"/proc/$pid/exe" | cut -d' ' -f1)" "$(pkg_md5 /usr/sbin/ipsecd)" "$ns daemon's md5sum"
done
assert_eq "$(md5sum <"$root/usr/sbin/ipsecctl" | cut -d' ' -f1)" "$(pkg_md5 /usr/sbin/ipsecctl)" "ipsecctl's md5sum"
tunnels() {
	inroot "$1" /usr/sbin/ipsecctl --ctl "/run/$1/ipsecd.ctl" trafficstatus --json | jq '.tunnels | length'
}
tunnel_up() { [ "$(tunnels "$1")" -ge 1 ]; }
poll_until 90 tunnel_up siteA || { spawn_log "$SPAWNED_PID"; fail "no tunnel up in siteA"; }
wait_value 30 -ge 1 tunnels siteB
in_ns hostA ping -c 3 -i 0.5 -W 5 10.2.0.2 >/dev/null || fail "hostA cannot ping hostB through the tunnel"
st=$(inroot siteA /usr/sbin/ipsecctl --ctl /run/siteA/ipsecd.ctl status)
grep -q 'site-a-to-site-b' <<<"$st" || fail "ipsecctl status does not show the connection: $st"
assert_ge "$(link_counter siteA ipsec0 tx_packets)" 3 "siteA ipsec0 tx_packets"
assert_ge "$(link_counter siteB ipsec0 rx_packets)" 3 "siteB ipsec0 rx_packets"
echo "ping through the tunnel between the installed daemons: ok"

# --- 4. dpkg -r: files and module gone ---
for ns in siteA siteB; do
	pids=$(ip netns pids "$ns")
	kill $pids
	for pid in $pids; do wait_until 10 test ! -e "/proc/$pid"; done
done
ipsec_unload
inroot env DEBIAN_FRONTEND=noninteractive dpkg -r ipsec-tun ipsec-tun-dkms >/tmp/dpkg-r.log 2>&1 ||
	{ rc=$?; cat /tmp/dpkg-r.log; fail "dpkg -r exited $rc"; }
for p in ipsec-tun ipsec-tun-dkms; do
	s=$(inroot dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	[ -z "$s" ] || [[ $s == *" not-installed" || $s == *" config-files" ]] || fail "$p after dpkg -r: $s"
done
for f in /usr/sbin/ipsecd /usr/sbin/ipsecctl /usr/lib/systemd/system/ipsecd.service "/usr/src/ipsec-tun-$version/dkms.conf" \
	"/lib/modules/$KVER/updates/dkms/ipsec_tun.ko" "/lib/modules/$KVER/updates/dkms/ipsec_tun.ko.xz"; do
	[ ! -e "$root$f" ] || fail "$f still there after dpkg -r"
done
[ -z "$(inroot dkms status -m ipsec-tun 2>/dev/null)" ] || fail "dkms still knows ipsec-tun: $(inroot dkms status -m ipsec-tun)"
inroot modinfo -n ipsec_tun >/dev/null 2>&1 && fail "modinfo still finds ipsec_tun: $(inroot modinfo -n ipsec_tun)"
echo "dpkg -r removed the daemon, the CLI and the module"
inroot env DEBIAN_FRONTEND=noninteractive dpkg --purge ipsec-tun ipsec-tun-dkms >/tmp/dpkg-p.log 2>&1 ||
	{ rc=$?; cat /tmp/dpkg-p.log; fail "dpkg --purge exited $rc"; }
for p in ipsec-tun ipsec-tun-dkms; do
	s=$(inroot dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	[ -z "$s" ] || [[ $s == *" not-installed" ]] || fail "$p after dpkg --purge: $s"
	left=$(ls "$root/var/lib/dpkg/info/$p".* 2>/dev/null || true)
	[ -z "$left" ] || fail "dpkg --purge left $left"
done
echo "dpkg --purge: no record of either package"
