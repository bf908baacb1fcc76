# shellcheck shell=bash
# strongSwan 5.9 (Debian's charon + starter) as an IKE peer inside a netns.
# The subject "strongswan" of lib.sh (`. lib.sh strongswan`).
#
#   sswan_start NS DIR   DIR holds ipsec.conf and ipsec.secrets written by
#                        the scenario (SSWAN_CHARON_EXTRA: more lines for the
#                        charon section of strongswan.conf, e.g. window_size;
#                        SSWAN_LOG_LEVEL: ike/cfg/knl log level, default 2;
#                        SSWAN_PLUGINS_EXTRA: more plugins to load, e.g.
#                        "x509 pem pkcs1 pkcs8" for certificates).
#                        Runs starter --nofork (which runs charon)
#                        in NS inside a private mount namespace (unshare -m)
#                        with a private tmpfs on /run (pid files and the
#                        stroke socket) and a private strongswan.conf, so
#                        several instances can run at once. Waits until charon
#                        answers on its stroke socket. Sets SSWAN_PID.
#   sswan NS ARGS...     runs "ipsec ARGS" (status, statusall, up NAME, ...)
#                        in that instance's namespaces.
#   sswan_log            charon's log (DIR/charon.log).
#   sswan_wait_child NAME [TIMEOUT]  waits until child NAME is INSTALLED.
#
# strongSwan uses the kernel's XFRM (policy-based) in its netns; that is the
# second, independent implementation the interop scenarios talk to.

declare -gA _sswan_pid _sswan_dir

sswan_start() {
	local ns=$1 dir=$2
	[ -f "$dir/ipsec.conf" ] || fail "sswan_start: no $dir/ipsec.conf"
	[ -f "$dir/ipsec.secrets" ] || fail "sswan_start: no $dir/ipsec.secrets"
	chmod 600 "$dir/ipsec.secrets"
	_sswan_conf "$dir" stroke "${SSWAN_PLUGINS_EXTRA:-}"
	_sswan_spawn "$ns" "$dir" /usr/lib/ipsec/starter --nofork --conf "$dir/ipsec.conf"
	wait_or_dump 60 "_sswan_dump $ns" sswan "$ns" status
	# starter loads the conns after charon is up; wait for them too.
	local name
	for name in $(sed -n 's/^conn[[:space:]]\+\([^%][^[:space:]]*\).*/\1/p' "$dir/ipsec.conf"); do
		wait_or_dump 30 "_sswan_dump $ns" _sswan_has_conn "$ns" "$name"
	done
}

# _sswan_conf DIR FRONTEND EXTRA_PLUGINS: DIR/strongswan.conf loading the
# plugins a PSK tunnel needs, the config front end (stroke: ipsec.conf and
# DIR/ipsec.secrets; vici: swanctl) and EXTRA_PLUGINS, logging to
# DIR/charon.log (SSWAN_LOG_LEVEL, SSWAN_CHARON_EXTRA as for sswan_start).
_sswan_conf() {
	local dir=$1 frontend=$2 extra=$3
	cat >"$dir/strongswan.conf" <<EOC
charon {
	# Only what a PSK tunnel needs: under TCG, loading every packaged
	# plugin (pkcs11, tpm, ...) takes longer than starter waits for charon.
	load_modular = no
	load = random nonce openssl aes sha1 sha2 hmac gcm curve25519 gmp kdf kernel-netlink socket-default $frontend updown $extra
	install_routes = no
	install_virtual_ip = no
	retransmit_timeout = 2
	retransmit_tries = 3
${SSWAN_CHARON_EXTRA:-}
	plugins {
		stroke {
			secrets_file = $dir/ipsec.secrets
		}
	}
	filelog {
		charon {
			path = $dir/charon.log
			time_format = %T
			default = 1
			ike = ${SSWAN_LOG_LEVEL:-2}
			cfg = ${SSWAN_LOG_LEVEL:-2}
			knl = ${SSWAN_LOG_LEVEL:-2}
			flush_line = yes
		}
	}
	syslog {
		daemon {
			default = -1
		}
	}
}
starter {
	load_warning = no
}
EOC
}

# _sswan_spawn NS DIR CMD...: CMD (starter, or charon alone) in NS inside a
# private mount namespace: a tmpfs on /run (pid files, sockets), DIR's
# strongswan.conf on /etc/strongswan.conf and, if there is one,
# DIR/swanctl on /etc/swanctl; an empty DIR/charon.log. Registers NS ->
# its pid and DIR (sswan, sswan_log) and sets SSWAN_PID.
_sswan_spawn() {
	local ns=$1 dir=$2
	shift 2
	: >"$dir/charon.log"
	# shellcheck disable=SC2016 # $1 is the inner shell's
	spawn "$ns" unshare -m -- bash -c '
		set -e
		mount -t tmpfs tmpfs /run
		mount --bind "$1/strongswan.conf" /etc/strongswan.conf
		[ ! -d "$1/swanctl" ] || mount --bind "$1/swanctl" /etc/swanctl
		export STRONGSWAN_CONF="$1/strongswan.conf"
		shift
		exec "$@"' sswan "$dir" "$@"
	SSWAN_PID=$SPAWNED_PID
	_sswan_pid[$ns]=$SSWAN_PID
	_sswan_dir[$ns]=$dir
}

_sswan_has_conn() {
	local out
	out=$(sswan "$1" statusall) && grep -q "^ *$2:" <<<"$out"
}

_sswan_dump() {
	echo "--- starter ($1):"
	cat "/tmp/spawn.${_sswan_pid[$1]}.log"
	echo "--- charon.log ($1):"
	cat "${_sswan_dir[$1]}/charon.log"
	echo "--- ipsec statusall ($1):"
	sswan "$1" statusall 2>&1
}

sswan() {
	local ns=$1
	shift
	nsenter -t "${_sswan_pid[$ns]}" -m -n /usr/sbin/ipsec "$@"
}

sswan_log() {
	# A reader that stops at its first match (grep -q) closes the pipe, and
	# under pipefail cat's SIGPIPE (status 141) would fail the pipeline.
	cat "${_sswan_dir[$1]}/charon.log" || [ $? -eq 141 ]
}

sswan_wait_child() {
	local ns=$1 name=$2 timeout=${3:-60}
	wait_or_dump "$timeout" "_sswan_dump $ns" _sswan_child_installed "$ns" "$name"
}

_sswan_child_installed() {
	local out
	out=$(sswan "$1" statusall) && grep -qE "$2\{[0-9]+\}: +INSTALLED" <<<"$out"
}
