#!/usr/bin/env bash
# deb_test.sh SRC BUILD: make deb's packages (packaging/mkdeb) built from
# this build, then checked as Debian would: lintian with no error and no
# warning, the control fields, every file a user needs at its place
# (dpkg-deb -c), man pages compressed, the binaries runnable, the DKMS
# source complete with a dkms.conf of the package's version, and the
# maintainer scripts valid sh. Host only: nothing is installed.
set -euo pipefail
src=$1 build=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v lintian >/dev/null || fail "lintian missing (scripts/setup installs it)"
tmp=$(mktemp -d /tmp/ipsec-tun-debtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(cat "$src/VERSION")
arch=$(dpkg --print-architecture)
"$src/packaging/mkdeb" "$build" "$tmp/out" >"$tmp/mkdeb.out" || fail "mkdeb failed"
main=$tmp/out/ipsec-tun_${version}_$arch.deb
dkms=$tmp/out/ipsec-tun-dkms_${version}_all.deb
assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }
assert_eq "$(cat "$tmp/mkdeb.out")" "$main"$'\n'"$dkms" "mkdeb's output"

# lintian: the whole verdict, warnings included (root is why it notes
# "running with root privileges").
lint=$(lintian --fail-on error,warning "$main" "$dkms" 2>&1) || fail "lintian: $lint"
[ -z "$(grep -E '^[EW]: ' <<<"$lint")" ] || fail "lintian: $lint"

# has DEB PATH...: each path is in the package (dpkg-deb -c).
has() {
	local deb=$1 p list
	shift
	list=$(dpkg-deb -c "$deb" | awk '{print $6}')
	for p in "$@"; do
		grep -qx "./$p" <<<"$list" || fail "${deb##*/} lacks $p"
	done
}
has "$main" usr/sbin/ipsecd usr/sbin/ipsecctl usr/lib/systemd/system/ipsecd.service \
	usr/share/man/man8/ipsecd.8.gz usr/share/man/man8/ipsecctl.8.gz usr/share/man/man4/ipsec_tun.4.gz \
	usr/share/man/man5/ipsecd.conf.5.gz usr/share/man/man5/ipsecd.secrets.5.gz \
	usr/share/bash-completion/completions/ipsecctl \
	usr/share/doc/ipsec-tun/copyright usr/share/doc/ipsec-tun/changelog.gz
tree=usr/src/ipsec-tun-$version
has "$dkms" "$tree/dkms.conf" "$tree/kmod/Kbuild" "$tree/kmod/Makefile" "$tree/uapi/linux/ipsec_tun.h" \
	usr/share/doc/ipsec-tun-dkms/copyright
# Every object Kbuild names has its source; nothing built is shipped.
for o in $(sed -n 's/\\$//; s/^\(ipsec_tun-y :=\|\t\)//p' "$src/kmod/Kbuild" | tr ' ' '\n' | grep '\.o$'); do
	has "$dkms" "$tree/kmod/${o%.o}.c"
done
[ -z "$(dpkg-deb -c "$dkms" | awk '{print $6}' | grep -E '\.(o|ko|mod|cmd)$|\.mod\.c$')" ] ||
	fail "build products in ipsec-tun-dkms"

# Control fields.
assert_eq "$(dpkg-deb -f "$main" Package Version Architecture | tr '\n' ' ')" \
	"Package: ipsec-tun Version: $version Architecture: $arch " "ipsec-tun control"
grep -q 'libssl3' <<<"$(dpkg-deb -f "$main" Depends)" || fail "Depends without libssl3: $(dpkg-deb -f "$main" Depends)"
assert_eq "$(dpkg-deb -f "$dkms" Architecture Depends | tr '\n' ' ')" "Architecture: all Depends: dkms (>= 3) " "ipsec-tun-dkms control"

# The contents themselves.
dpkg-deb -x "$main" "$tmp/main"
dpkg-deb -x "$dkms" "$tmp/dkms"
"$tmp/main/usr/sbin/ipsecctl" --help >/dev/null || fail "the packaged ipsecctl does not run"
# The binaries name the version the package carries (both from VERSION).
for prog in ipsecd ipsecctl; do
	assert_eq "$("$tmp/main/usr/sbin/$prog" --version)" "$prog (ipsec_tun) $version" "packaged $prog --version"
done
grep -qx 'ExecStart=/usr/sbin/ipsecd -f /etc/ipsec.conf' "$tmp/main/usr/lib/systemd/system/ipsecd.service" ||
	fail "the unit's ExecStart is not /usr/sbin/ipsecd"
conf=$tmp/dkms/$tree/dkms.conf
assert_eq "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$conf")" "$version" "dkms.conf PACKAGE_VERSION"
assert_eq "$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$conf")" ipsec-tun "dkms.conf PACKAGE_NAME"
cmp -s "$src/uapi/linux/ipsec_tun.h" "$tmp/dkms/$tree/uapi/linux/ipsec_tun.h" || fail "packaged uapi header differs"
for deb in "$main" "$dkms"; do
	dpkg-deb -e "$deb" "$tmp/ctl-${deb##*/}"
	for s in "$tmp/ctl-${deb##*/}"/{postinst,prerm,postrm}; do
		[ -e "$s" ] || continue
		sh -n "$s" || fail "${deb##*/}: ${s##*/} is not valid sh"
		! grep -q '@VERSION@' "$s" || fail "${deb##*/}: ${s##*/} keeps @VERSION@"
	done
done
grep -q "common.postinst ipsec-tun $version " "$tmp/ctl-${dkms##*/}/postinst" ||
	fail "ipsec-tun-dkms postinst does not register ipsec-tun $version with dkms"
echo "ok: ${main##*/} and ${dkms##*/} built, lintian clean, contents checked"
