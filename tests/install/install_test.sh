#!/usr/bin/env bash
# install_test.sh SRC BUILD: `make install`'s userspace part into a DESTDIR,
# then what a user gets from it: the binaries, a systemd unit that
# systemd-analyze accepts with the installed paths, man pages that man
# renders without a warning, a bash completion that completes, and the
# module installed for the kernel it was built against. Host only (nothing
# is loaded or started).
set -euo pipefail
src=$1 build=$2
dest=$(mktemp -d /tmp/ipsec-tun-install.XXXXXX)
# cmake --install rewrites build/install_manifest.txt, which make uninstall
# reads: keep the user's own.
manifest=$build/install_manifest.txt
[ -f "$manifest" ] && cp -p "$manifest" "$dest.manifest"
restore() {
	if [ -f "$dest.manifest" ]; then mv -f "$dest.manifest" "$manifest"; else rm -f "$manifest"; fi
	rm -rf "$dest"
}
trap restore EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null
for f in usr/sbin/ipsecd usr/sbin/ipsecctl; do
	[ -x "$dest/$f" ] || fail "$f not installed"
done
unit=$dest/usr/lib/systemd/system/ipsecd.service
[ -f "$unit" ] || fail "ipsecd.service not installed"
grep -qx 'ExecStart=/usr/sbin/ipsecd -f /etc/ipsec.conf' "$unit" || fail "ExecStart not configured: $(grep ExecStart= "$unit")"
grep -qx 'Type=notify' "$unit" || fail "the unit is not Type=notify"
grep -qx 'ExecReload=/usr/sbin/ipsecctl reload' "$unit" || fail "ExecReload is not ipsecctl reload"
# systemd's own checker, offline: the unit with its binaries pointed at
# the DESTDIR copies (verify wants them executable).
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (scripts/setup installs systemd)"
command -v man >/dev/null || fail "man missing (scripts/setup installs man-db)"
{
	check_unit=$dest/check/ipsecd.service
	mkdir -p "$dest/check"
	sed "s|/usr/sbin/|$dest/usr/sbin/|g" "$unit" >"$check_unit"
	out=$(systemd-analyze verify --man=no "$check_unit" 2>&1) || fail "systemd-analyze verify: $out"
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
}

for page in man8/ipsecd.8 man8/ipsecctl.8 man4/ipsec_tun.4 man5/ipsecd.conf.5 man5/ipsecd.secrets.5; do
	f=$dest/usr/share/man/$page
	[ -f "$f" ] || fail "man page $page not installed"
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
	[ -z "$warn" ] || fail "man $page: $warn"
	[ "$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$f" 2>/dev/null | wc -l)" -gt 20 ] || fail "man $page renders almost nothing"
done

comp=$dest/usr/share/bash-completion/completions/ipsecctl
[ -f "$comp" ] || fail "bash completion not installed"
got=$(bash -c '. "$1"; COMP_WORDS=(ipsecctl re); COMP_CWORD=1; _ipsecctl; echo "${COMPREPLY[*]}"' _ "$comp")
[ "$got" = reload ] || fail "completion of 're': '$got'"
got=$(bash -c '. "$1"; COMP_WORDS=(ipsecctl sa l); COMP_CWORD=2; _ipsecctl; echo "${COMPREPLY[*]}"' _ "$comp")
[ "$got" = list ] || fail "completion of 'sa l': '$got'"

# The module, for the kernel its build used (Kbuild's modules_install).
if [ -f "$src/kmod/ipsec_tun.ko" ]; then
	make -s -C "$src/kmod" install DESTDIR="$dest" >/dev/null 2>&1 || fail "make -C kmod install failed"
	ls "$dest"/lib/modules/*/updates/ipsec_tun.ko* >/dev/null 2>&1 || fail "the module was not installed under lib/modules/*/updates"
fi
echo "ok: installed and checked under $dest"
