#!/usr/bin/env bash
# version_test.sh SRC BUILD: `ipsecd --version` and `ipsecctl --version`
# of this build name the release in SRC/VERSION, the file packaging/mkdeb
# and dkms.conf take the package version from (CMake generates
# common/version.h from it; see the top-level CMakeLists.txt).
set -euo pipefail
src=$1 build=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
version=$(cat "$src/VERSION")
[ -n "$version" ] || fail "$src/VERSION is empty"
for prog in ipsecd ipsecctl; do
	out=$("$build/bin/$prog" --version) || fail "$prog --version exited $?"
	[ "$out" = "$prog (ipsec_tun) $version" ] ||
		fail "$prog --version says '$out', VERSION says '$version'"
done
echo "ok: ipsecd and ipsecctl --version say $version"
