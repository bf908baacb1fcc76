# shellcheck shell=bash
# Shared helpers for scripts/*: the repo root, messages, and finding an
# installed Debian kernel from a short version prefix. Sourced, not run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export REPO

# die MSG...: print "<script>: MSG" on stderr and exit 1.
die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# note MSG...: progress line on stderr (stdout stays for results).
note() {
	echo "${0##*/}: $*" >&2
}

# resolve_kver PREFIX: the full version (e.g. 6.1.0-50-amd64) of the newest
# installed kernel whose /boot/vmlinuz-* version starts with PREFIX at a
# version-component boundary, so "6.1" never picks 6.12. A full version is
# returned unchanged when it is installed.
resolve_kver() {
	local prefix=$1 f v best=
	for f in /boot/vmlinuz-*; do
		[ -e "$f" ] || continue
		v=${f#/boot/vmlinuz-}
		case $v in
		"$prefix" | "$prefix".* | "$prefix"-* | "$prefix"+*) ;;
		*) continue ;;
		esac
		if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -1)" = "$v" ]; then
			best=$v
		fi
	done
	[ -n "$best" ] || die "no installed kernel matches '$prefix' (have: $(cd /boot && ls vmlinuz-* 2>/dev/null | sed 's/vmlinuz-//' | tr '\n' ' ')); run scripts/setup"
	echo "$best"
}

# kernel_headers KVER: the Kbuild directory for an installed kernel.
kernel_headers() {
	local kver=$1 d
	for d in "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"; do
		[ -e "$d/Makefile" ] && { echo "$d"; return 0; }
	done
	die "no headers for $kver (install linux-headers-$kver; run scripts/setup)"
}

# scenario_timeout FILE: a VM scenario's time limit in seconds, from a
# "# vm-timeout: N" line in its first 30 lines, else $VMTEST_TIMEOUT or 300.
scenario_timeout() {
	local t
	t=$(sed -n '1,30s/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n1)
	echo "${t:-${VMTEST_TIMEOUT:-300}}"
}

# is_full_only FILE: the scenario says "# vm-suite: full" in its first 30
# lines: it runs in make check-full only.
is_full_only() {
	sed -n '1,30p' "$1" | grep -q '^# vm-suite: *full'
}

# Kernel log lines that mean a kernel bug: any of them fails a VM run
# (scripts/vm-run) and the scenario during which it appeared
# (scripts/lib/vm-tests-guest). Command-line echoes are filtered out first
# by kernel_bug_lines.
BAD_KERNEL_RE='BUG:|WARNING:|Oops|general protection|refcount_t:|list_add corruption|list_del corruption|Kernel panic|kernel BUG|UBSAN:|blocked for more than|detected stall|Call Trace:'

# kernel_bug_lines: filter stdin (a kernel log) down to its bug lines.
kernel_bug_lines() {
	grep -v -e 'Command line:' -e 'Kernel command line:' | grep -E "$BAD_KERNEL_RE"
}
