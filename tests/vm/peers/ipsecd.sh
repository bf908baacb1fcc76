# shellcheck shell=bash
# Our daemon (build/bin/ipsecd) as one side of an interop scenario. The
# subject "ipsecd" of lib.sh (`. lib.sh ipsecd`).
#
#   ipsecd_start NS DIR [ARGS...]  DIR holds ipsec.conf and ipsec.secrets.
#                          Runs ipsecd --debug in NS with its control socket
#                          DIR/ipsecd.ctl (one per daemon), waits until it
#                          answers. Sets IPSECD_PID; registers NS -> DIR.
#   ipsecd_spawn NS DIR [ARGS...]  the same without --debug and without
#                          waiting (benchmarks time the daemon from its
#                          start).
#   ictl NS ARGS...        ipsecctl --ctl DIR/ipsecd.ctl ARGS (in NS).
#   ipsecd_log NS          the daemon's log so far.
#   ipsecd_wait_tunnels NS N [TIMEOUT]  until trafficstatus lists >= N
#                          installed child SAs (prints the log on timeout).
#   ipsecd_stop NS         SIGTERM, waits for the exit, fails unless it
#                          exited 0.
#   ipsecd_kill NS         SIGKILL (a crashed peer: no Delete sent), waits.
#   ipsecd_one_ike_sa NS   true once the daemon has one IKE SA with one
#                          child (both ends started: the duplicate is gone).
#   ipsecd_traffic NS FIELD  sum of FIELD (in_packets, out_packets,
#                          in_bytes, out_bytes) over trafficstatus --json
#                          (the live child SAs only).
#   ipsecd_conn_traffic NS FIELD [CONN]  the same field of the per-connection
#                          totals (rekeyed and replaced child SAs included),
#                          summed over connections or of CONN only.
#   ipsecd_nat_configs D1 D2 [KW...]  ours <-> ours across topo_nat_v4
#                          (below).
#   ours_pair_conf D1 D2 PSK [anyone] GW1_KW GW2_KW  ours <-> ours after
#                          topo_* (below; 530, 531, 585).
#   ipsecd_cert_config DIR CONN AUTO CA CERT KIND KEY RIGHTID [KW...]
#                          after topo_*: gw1's config in DIR for conn CONN
#                          (GW1/NET1 <-> GW2/NET2) authenticating both ends
#                          with certificates: CA copied to DIR/cacerts
#                          (cadir=), CERT/KEY copied to DIR, ": KIND KEY"
#                          in ipsec.secrets; KW: more conn lines.

declare -gA _ipsecd_dir _ipsecd_pid

ipsecd_start() {
	ipsecd_spawn "$1" "$2" --debug "${@:3}"
	wait_or_dump 60 "ipsecd_log $1" ictl "$1" status
}

ipsecd_spawn() {
	local ns=$1 dir=$2
	shift 2
	chmod 600 "$dir/ipsec.secrets"
	_ipsecd_dir[$ns]=$dir
	spawn "$ns" "$IPSECD" -f "$dir/ipsec.conf" --secrets "$dir/ipsec.secrets" \
		--ctl "$dir/ipsecd.ctl" "$@"
	IPSECD_PID=$SPAWNED_PID
	_ipsecd_pid[$ns]=$IPSECD_PID
}

ictl() {
	local ns=$1
	shift
	in_ns "$ns" "$IPSECCTL" --ctl "${_ipsecd_dir[$ns]}/ipsecd.ctl" "$@"
}

# ipsecd_log NS: its log. A reader that stops at its first match (grep -q)
# closes the pipe, and under pipefail cat's SIGPIPE (status 141) would fail
# the pipeline: with 100 conns, `ipsecd_log NS | grep -q X` was false
# although X was in the log (550 on 6.12).
ipsecd_log() {
	echo "--- ipsecd log ($1):"
	cat "/tmp/spawn.${_ipsecd_pid[$1]}.log" || [ $? -eq 141 ]
}

_ipsecd_has_tunnels() {
	local out n
	out=$(ictl "$1" trafficstatus --json) || return 1
	n=$(jq '.tunnels | length' <<<"$out")
	[ "$n" -ge "$2" ]
}

ipsecd_wait_tunnels() {
	local ns=$1 n=$2 timeout=${3:-60}
	wait_or_dump "$timeout" "ipsecd_log $ns; ictl $ns status" _ipsecd_has_tunnels "$ns" "$n"
}

ipsecd_one_ike_sa() {
	local st
	st=$(ictl "$1" status --json) || return 1
	[ "$(jq '.ike_sas | length' <<<"$st")" = 1 ] && [ "$(jq '[.ike_sas[].children[]] | length' <<<"$st")" = 1 ]
}

ipsecd_traffic() {
	ictl "$1" trafficstatus --json | jq "[.tunnels[].$2] | add // 0"
}

ipsecd_conn_traffic() {
	ictl "$1" trafficstatus --json |
		jq --arg c "${3:-}" "[.connections[] | select(\$c == \"\" or .conn == \$c) | .$2] | add // 0"
}

ipsecd_stop() {
	local ns=$1 pid=${_ipsecd_pid[$1]} rc=0
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" = 0 ] || { ipsecd_log "$ns" >&2; fail "ipsecd in $ns exited $rc after SIGTERM"; }
}

ipsecd_kill() {
	local pid=${_ipsecd_pid[$1]}
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
}

_no_tunnels() {
	local out
	out=$(ictl "$1" trafficstatus --json) || return 1
	[ "$(jq '.tunnels | length' <<<"$out")" = 0 ]
}

# ipsecd_nat_configs D1 D2 [GW1_EXTRA...]: ipsec.conf and ipsec.secrets for
# ours <-> ours across topo_nat_v4, connection "nat": gw1 (D1) initiates
# from behind the NAT (auto=start, plus each GW1_EXTRA keyword, e.g.
# dpddelay=2s), gw2 (D2) answers as right=%any with rightid=$GW1.
ipsecd_nat_configs() {
	local d1=$1 d2=$2 kw
	shift 2
	{
		printf 'conn nat\n\tleft=%s\n\tleftsubnet=%s\n\tright=%s\n\trightsubnet=%s\n' \
			"$GW1" "$NET1" "$GW2" "$NET2"
		for kw in "$@" auto=start; do printf '\t%s\n' "$kw"; done
	} >"$d1/ipsec.conf"
	printf 'conn nat\n\tleft=%s\n\tleftsubnet=%s\n\tright=%%any\n\trightid=%s\n\trightsubnet=%s\n\tauto=add\n' \
		"$GW2" "$NET2" "$GW1" "$NET1" >"$d2/ipsec.conf"
	for kw in authby=secret ike=aes256gcm16-prfsha256-ecp256 esp=aes256gcm16; do
		printf '\t%s\n' "$kw" | tee -a "$d1/ipsec.conf" >>"$d2/ipsec.conf"
	done
	echo "$GW1 $GW2 : PSK \"ours-behind-nat-test-psk-0123\"" >"$d1/ipsec.secrets"
	cp "$d1/ipsec.secrets" "$d2/"
}

# ours_pair_conf D1 D2 PSK [anyone] GW1_KW GW2_KW: ipsec.conf and
# ipsec.secrets for ours <-> ours after topo_*, connection "site"
# (NET1 === NET2, PSK by address, authby=secret): gw1 (D1) initiates
# (auto=start), gw2 (D2) answers (auto=add). *_KW: space-separated
# key=value lines for that side's conns ("" for none). With "anyone", gw2
# also has conn "anyone" (right=%any, rightsubnet=10.99.0.0/24, GW2_KW,
# auto=add) and a "%any" PSK: what forged or flooded requests from any
# address reach.
ours_pair_conf() {
	local d1=$1 d2=$2 psk=\"$3\" anyone=
	shift 3
	[ "${1:-}" != anyone ] || { anyone=1; shift; }
	local -a kw1 kw2
	read -ra kw1 <<<"$1"
	read -ra kw2 <<<"$2"
	_ours_conn site "$GW1" "$NET1" "$GW2" "$NET2" start "${kw1[@]}" >"$d1/ipsec.conf"
	echo "$GW1 $GW2 : PSK $psk" >"$d1/ipsec.secrets"
	{
		_ours_conn site "$GW2" "$NET2" "$GW1" "$NET1" add "${kw2[@]}"
		[ -z "$anyone" ] || _ours_conn anyone "$GW2" "$NET2" %any 10.99.0.0/24 add "${kw2[@]}"
	} >"$d2/ipsec.conf"
	echo "$GW2 $GW1 : PSK $psk" >"$d2/ipsec.secrets"
	[ -z "$anyone" ] || echo "$GW2 %any : PSK $psk" >>"$d2/ipsec.secrets"
}

# _ours_conn NAME LEFT LEFTSUBNET RIGHT RIGHTSUBNET AUTO [KW...]
_ours_conn() {
	local kw
	printf 'conn %s\n\tleft=%s\n\tleftsubnet=%s\n\tright=%s\n\trightsubnet=%s\n\tauthby=secret\n' "${@:1:5}"
	for kw in "${@:7}" "auto=$6"; do printf '\t%s\n' "$kw"; done
}

ipsecd_cert_config() {
	local dir=$1 conn=$2 auto=$3 ca=$4 cert=$5 kind=$6 key=$7 rightid=$8 kw
	mkdir -p "$dir/cacerts"
	cp "$ca" "$dir/cacerts/"
	cp "$cert" "$key" "$dir/"
	{
		printf 'config setup\n\tcadir=%s/cacerts\n\nconn %s\n' "$dir" "$conn"
		printf '\tleft=%s\n\tleftsubnet=%s\n\tright=%s\n\trightsubnet=%s\n' "$GW1" "$NET1" "$GW2" "$NET2"
		printf '\tauthby=pubkey\n\tleftcert=%s/%s\n\trightid="%s"\n\tauto=%s\n' \
			"$dir" "$(basename "$cert")" "$rightid" "$auto"
		for kw in "${@:9}"; do printf '\t%s\n' "$kw"; done
	} >"$dir/ipsec.conf"
	echo ": $kind $dir/$(basename "$key")" >"$dir/ipsec.secrets"
}
