# shellcheck shell=bash
# libreswan 4.10 (pluto) as an IKE peer inside a netns. The
# subject "libreswan" of lib.sh (`. lib.sh libreswan`).
# scripts/setup unpacks Debian's libreswan package under
# build/peers/libreswan/root (it conflicts with strongswan as a package);
# we run its binaries from there with every path given on the command line,
# so nothing outside DIR is read or written.
#
#   lsw_start NS DIR      DIR holds ipsec.conf and ipsec.secrets. Creates an
#                         NSS database in DIR/nss, runs pluto --nofork in NS
#                         (control socket DIR/pluto.ctl, log DIR/pluto.log),
#                         waits until every conn of ipsec.conf is loaded
#                         (pluto runs addconn itself at start). Sets LSW_PID.
#                         LSW_NSS_INIT: a command run with "sql:DIR/nss"
#                         once the database exists (certificates, keys).
#   lsw_whack NS ARGS...  whack on that instance (--trafficstatus, --status,
#                         --initiate --name NAME, ...).
#   lsw_log NS            pluto's log.
#   lsw_wait_established NS NAME [TIMEOUT]  waits for an established child SA
#                         of NAME (whack --trafficstatus lists it).
#
# Connections must set leftupdown=/bin/true (and rightupdown): the packaged
# _updown script lives under /usr/libexec/ipsec, which is not where we run
# from, and pluto installs XFRM policies and SAs itself anyway.

LSW_ROOT=${LSW_ROOT:-$REPO/build/peers/libreswan/root}
LSW_BIN=$LSW_ROOT/usr/libexec/ipsec
declare -gA _lsw_dir

lsw_start() {
	local ns=$1 dir=$2
	[ -x "$LSW_BIN/pluto" ] || fail "libreswan not unpacked at $LSW_ROOT (run scripts/setup)"
	[ -f "$dir/ipsec.conf" ] || fail "lsw_start: no $dir/ipsec.conf"
	chmod 600 "$dir/ipsec.secrets"
	mkdir -p "$dir/nss" "$dir/run" "$dir/ipsec.d"
	certutil -N -d "sql:$dir/nss" --empty-password >/dev/null
	[ -z "${LSW_NSS_INIT:-}" ] || "$LSW_NSS_INIT" "sql:$dir/nss" || fail "lsw_start: $LSW_NSS_INIT failed"
	_lsw_dir[$ns]=$dir
	: >"$dir/pluto.log"
	# pluto runs /usr/libexec/ipsec/addconn at start-up to load the conns:
	# give it the unpacked tree there, in a mount namespace of its own.
	spawn "$ns" unshare -m -- bash -c 'mount --bind "$1/usr/libexec" /usr/libexec && shift && exec "$@"' \
		lsw "$LSW_ROOT" "$LSW_BIN/pluto" --nofork --config "$dir/ipsec.conf" \
		--secretsfile "$dir/ipsec.secrets" --ipsecdir "$dir/ipsec.d" --nssdir "$dir/nss" \
		--rundir "$dir/run" --logfile "$dir/pluto.log" --log-no-time --no-dnssec
	LSW_PID=$SPAWNED_PID
	wait_or_dump 60 "_lsw_dump $ns" test -S "$dir/run/pluto.ctl"
	wait_or_dump 30 "_lsw_dump $ns" lsw_whack "$ns" --status
	# pluto's own addconn run loads every conn; wait until all are there.
	local name
	for name in $(sed -n 's/^conn[[:space:]]\+\([^%][^[:space:]]*\).*/\1/p' "$dir/ipsec.conf"); do
		wait_or_dump 30 "_lsw_dump $ns" _lsw_has_conn "$ns" "$name"
	done
	lsw_whack "$ns" --listen >/dev/null
}

lsw_whack() {
	local ns=$1
	shift
	in_ns "$ns" "$LSW_BIN/whack" --ctlsocket "${_lsw_dir[$ns]}/run/pluto.ctl" "$@"
}

lsw_log() {
	# A reader that stops at its first match (grep -q) closes the pipe, and
	# under pipefail cat's SIGPIPE (status 141) would fail the pipeline: a
	# large log made `lsw_log NS | grep -q X` false although X was there.
	cat "${_lsw_dir[$1]}/pluto.log" || [ $? -eq 141 ]
}

lsw_wait_established() {
	local ns=$1 name=$2 timeout=${3:-60}
	wait_or_dump "$timeout" "_lsw_dump $ns" _lsw_has_traffic "$ns" "$name"
}

_lsw_has_conn() {
	local out
	out=$(lsw_whack "$1" --status) && grep -q "\"$2\"" <<<"$out"
}

_lsw_has_traffic() {
	local out
	out=$(lsw_whack "$1" --trafficstatus) && grep -q "\"$2" <<<"$out"
}

_lsw_dump() {
	echo "--- pluto ($1):"
	cat "/tmp/spawn.${LSW_PID}.log" 2>/dev/null
	cat "${_lsw_dir[$1]}/pluto.log"
	echo "--- whack --status ($1):"
	lsw_whack "$1" --status 2>&1
}
