# shellcheck shell=bash
# ipsecd <-> strongSwan 5.9 with X.509 certificates, shared by 570 and 572.
# The subject "certs" of lib.sh; loads "sswan" (ss_setup makes SS_OURS_DIR
# and SS_SSWAN_DIR):
#
#   certs_sswan_conf CA CERT KIND KEY RIGHTID
#                     strongSwan's side: the CA as a "ca" section, its
#                     certificate and key (ipsec.secrets KIND: RSA, ECDSA,
#                     PKCS8), ipsecd's subject as rightid. Both ends sign
#                     (leftauth=rightauth=pubkey); auto=add.
#   certs_ours_initiates DN_OURS DN_SSWAN SCHEME
#                     ipsecd brings the tunnel up (auto=start): pings
#                     across as ESP; its status shows both IDs; strongSwan
#                     verified our signature with SCHEME (its name, e.g.
#                     RSA_EMSA_PKCS1_SHA2_256, ED25519) and got our CERT.
#   certs_sswan_initiates DN_OURS DN_SSWAN
#                     takes ipsecd's tunnel down, then strongSwan brings
#                     it up ("ipsec up"): pings across as ESP, ipsecd logs
#                     both certificate IDs.
#   certs_ed25519_pki DIR DN_CA DN_OURS DN_SSWAN [ed25519]
#                     made with the openssl CLI: an Ed25519 root CA
#                     (DIR/ca.pem), under it ipsecd's Ed25519 end-entity
#                     DIR/ours.pem|key and strongSwan's ECDSA P-256 one
#                     DIR/sswan.pem|key (Ed25519 with "ed25519"; keys
#                     PKCS#8). strongSwan 5.9.8's
#                     ipsec.secrets does not load an Ed25519 key (": PKCS8"
#                     logs "building CRED_PRIVATE_KEY - ANY failed, tried 2
#                     builders"), so its own AUTH is ECDSA; it verifies
#                     Ed25519 certificates and ipsecd's Ed25519 AUTH.
#   certs_rsa4096_chain_pki DIR DN_ROOT DN_INTER DN_OURS DN_SSWAN
#                     made with the openssl CLI: an RSA-2048 root CA
#                     (DIR/root.pem), an RSA-4096 intermediate under it
#                     (DIR/inter.pem), and under that ipsecd's RSA-4096
#                     end-entity (DIR/ours.pem, DIR/ours_chain.pem = it
#                     followed by the intermediate, key DIR/ours.key) and
#                     strongSwan's RSA-2048 one (DIR/sswan.pem|key). Keys
#                     PKCS#8. An IKE_AUTH carrying ipsecd's chain is some
#                     3.5 kB, strongSwan's some 1.6 kB: more than a
#                     1280-byte path. (Two RSA-4096 keys only: the VM makes
#                     each in about a minute.)
#   certs_ed25519_setup ecdsa|ed25519
#                     certs_ed25519_pki in a new temporary $pki with the
#                     subjects $DN_CA (Ed25519 Root CA), $DN1 (ed-ours,
#                     ipsecd's) and $DN2 (ed-sswan, strongSwan's; its key
#                     Ed25519 or ECDSA P-256). 572, 574.
#   certs_swanctl_start NS DIR CA CERT KEY RIGHTID
#                     strongSwan configured the swanctl way: charon alone
#                     (no starter) with the vici plugin, in NS inside a
#                     private mount namespace (_sswan_spawn: tmpfs on /run,
#                     its own strongswan.conf) with DIR/swanctl bind-mounted
#                     on /etc/swanctl, holding swanctl.conf (conn "ours":
#                     pubkey both ways, ipsecd's subject as the remote ID,
#                     child "ours" NET2 === NET1), x509ca/ (CA), x509/
#                     (CERT) and private/ (KEY, PKCS#8: the way to give
#                     strongSwan 5.9 an Ed25519 key, which ipsec.secrets
#                     does not load). Then "swanctl --load-all". sswan_log
#                     reads its log; certs_swanctl NS ARGS runs swanctl
#                     there; certs_swanctl_child_installed NS: the child
#                     "ours" is INSTALLED.
#   certs_frag_drop NS...   an nftables rule in each NS dropping every IPv4
#                     fragment it receives (before conntrack's defrag), as
#                     many NATs and clouds do; certs_frag_drops NS prints
#                     how many it dropped.

lib_use sswan

certs_sswan_conf() {
	local ca=$1 cert=$2 kind=$3 key=$4 rightid=$5
	cp "$ca" "$SS_SSWAN_DIR/ca.pem"
	cp "$cert" "$SS_SSWAN_DIR/sswan_cert.pem"
	cp "$key" "$SS_SSWAN_DIR/sswan_key.pem"
	cat >"$SS_SSWAN_DIR/ipsec.conf" <<EOC
ca vmroot
	cacert=$SS_SSWAN_DIR/ca.pem
	auto=add

conn ours
	keyexchange=ikev2
	left=$GW2
	leftsubnet=$NET2
	right=$GW1
	rightsubnet=$NET1
	leftauth=pubkey
	rightauth=pubkey
	leftcert=$SS_SSWAN_DIR/sswan_cert.pem
	rightid="$rightid"
	auto=add
EOC
	echo ": $kind $SS_SSWAN_DIR/sswan_key.pem" >"$SS_SSWAN_DIR/ipsec.secrets"
}

certs_ours_initiates() {
	local dn_ours=$1 dn_sswan=$2 scheme=$3 st
	ss_up ours
	ss_traffic 10
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq -r '.ike_sas[0].local_id' <<<"$st")" "$dn_ours" "ipsecd's ID (its certificate's subject)"
	assert_eq "$(jq -r '.ike_sas[0].remote_id' <<<"$st")" "$dn_sswan" "strongSwan's ID as ipsecd saw it"
	sswan_log "$NS_GW2" | has_match "authentication of '$dn_ours' with $scheme successful" ||
		{ _ss_dump >&2; fail "strongSwan did not verify ipsecd's signature with $scheme"; }
	sswan_log "$NS_GW2" | has_match "received end entity cert \"$dn_ours\"" ||
		{ _ss_dump >&2; fail "strongSwan did not get ipsecd's certificate"; }
}

certs_sswan_initiates() {
	local dn_ours=$1 dn_sswan=$2
	ictl "$NS_GW1" down sswan >/dev/null
	wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
	# shellcheck disable=SC2016 # expanded by eval
	wait_or_dump 30 "_sswan_dump $NS_GW2 | tail -n 60" eval '! _sswan_child_installed "$NS_GW2" ours'
	ss_up sswan
	ss_traffic 10
	ipsecd_log "$NS_GW1" | has_match "IKE SA established between .* \[$dn_ours\] and .* \[$dn_sswan\]" ||
		{ _ss_dump >&2; fail "ipsecd did not log the certificate IDs"; }
}

# _certs_cert DIR NAME DN ISSUER EXTENSIONS GENPKEY_ARGS...: NAME.key and
# NAME.pem, signed by ISSUER (self-signed when "").
_certs_cert() {
	local dir=$1 name=$2 dn=$3 issuer=$4 ext=$5
	openssl genpkey "${@:6}" -out "$dir/$name.key" 2>>"$dir/openssl.log" &&
		printf '%s\n' "$ext" >"$dir/$name.ext" &&
		openssl req -new -key "$dir/$name.key" -subj "$dn" -out "$dir/$name.csr" 2>>"$dir/openssl.log" || return 1
	if [ -z "$issuer" ]; then
		openssl x509 -req -in "$dir/$name.csr" -signkey "$dir/$name.key" -days 30 \
			-extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>>"$dir/openssl.log"
	else
		openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$issuer.pem" -CAkey "$dir/$issuer.key" \
			-CAcreateserial -days 30 -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>>"$dir/openssl.log"
	fi
}

certs_ed25519_pki() {
	local dir=$1 ee='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature'
	mkdir -p "$dir"
	{
		_certs_cert "$dir" ca "$2" "" 'basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash' -algorithm ed25519 &&
			_certs_cert "$dir" ours "$3" ca "$ee" -algorithm ed25519 &&
			if [ "${5:-}" = ed25519 ]; then
				_certs_cert "$dir" sswan "$4" ca "$ee" -algorithm ed25519
			else
				_certs_cert "$dir" sswan "$4" ca "$ee" -algorithm EC \
					-pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve
			fi
	} || { cat "$dir/openssl.log"; fail "openssl could not make the Ed25519 PKI"; }
}

# shellcheck disable=SC2034 # pki and the DNs are the scenario's
certs_ed25519_setup() {
	pki=$(mktemp -d /tmp/pki.XXXXXX)
	DN_CA="C=CH, O=ipsec_tun test, CN=Ed25519 Root CA"
	DN1="C=CH, O=ipsec_tun test, CN=ed-ours"
	DN2="C=CH, O=ipsec_tun test, CN=ed-sswan"
	certs_ed25519_pki "$pki" "/C=CH/O=ipsec_tun test/CN=Ed25519 Root CA" \
		"/C=CH/O=ipsec_tun test/CN=ed-ours" "/C=CH/O=ipsec_tun test/CN=ed-sswan" "${1:-}"
}

certs_rsa4096_chain_pki() {
	local dir=$1 ee='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature' ca='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash'
	mkdir -p "$dir"
	{
		_certs_cert "$dir" root "$2" "" "$ca" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 &&
			_certs_cert "$dir" inter "$3" root "$ca" -algorithm RSA -pkeyopt rsa_keygen_bits:4096 &&
			_certs_cert "$dir" ours "$4" inter "$ee" -algorithm RSA -pkeyopt rsa_keygen_bits:4096 &&
			_certs_cert "$dir" sswan "$5" inter "$ee" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 &&
			cat "$dir/ours.pem" "$dir/inter.pem" >"$dir/ours_chain.pem"
	} || { cat "$dir/openssl.log"; fail "openssl could not make the RSA chain"; }
}

certs_frag_drop() {
	local ns
	for ns in "$@"; do
		# Priority -450: before conntrack's defragmentation (-400).
		in_ns "$ns" nft -f - <<-'EONFT' || fail "nft: no fragment-drop rule in $ns"
			table ip fragdrop {
				chain pre {
					type filter hook prerouting priority -450; policy accept;
					ip frag-off & 0x3fff != 0 counter drop
				}
			}
		EONFT
	done
}

certs_frag_drops() {
	in_ns "$1" nft list chain ip fragdrop pre | sed -n 's/.* counter packets \([0-9]*\) .*/\1/p'
}

certs_swanctl_start() {
	local ns=$1 dir=$2 ca=$3 cert=$4 key=$5 rightid=$6
	local sub
	for sub in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$dir/swanctl/$sub"
	done
	cp "$ca" "$dir/swanctl/x509ca/ca.pem"
	cp "$cert" "$dir/swanctl/x509/sswan.pem"
	cp "$key" "$dir/swanctl/private/sswan.key"
	chmod 600 "$dir/swanctl/private/sswan.key"
	cat >"$dir/swanctl/swanctl.conf" <<EOC
connections {
	ours {
		version = 2
		local_addrs = $GW2
		remote_addrs = $GW1
		local {
			auth = pubkey
			certs = sswan.pem
		}
		remote {
			auth = pubkey
			id = "$rightid"
		}
		children {
			ours {
				local_ts = $NET2
				remote_ts = $NET1
			}
		}
	}
}
EOC
	_sswan_conf "$dir" vici "x509 pem pkcs1 pkcs8 pubkey"
	_sswan_spawn "$ns" "$dir" /usr/lib/ipsec/charon
	wait_or_dump 60 "_certs_swanctl_dump $ns" certs_swanctl "$ns" --stats
	certs_swanctl "$ns" --load-all --noprompt >"$dir/load.log" 2>&1 ||
		{ cat "$dir/load.log"; _certs_swanctl_dump "$ns"; fail "swanctl --load-all failed"; }
	certs_swanctl "$ns" --list-conns | has_match "^ours:" ||
		{ cat "$dir/load.log"; _certs_swanctl_dump "$ns"; fail "swanctl did not load conn ours"; }
}

certs_swanctl() {
	local ns=$1
	shift
	nsenter -t "${_sswan_pid[$ns]}" -m -n /usr/sbin/swanctl "$@"
}

_certs_swanctl_dump() {
	echo "--- charon (swanctl, $1):"
	cat "/tmp/spawn.${_sswan_pid[$1]}.log"
	echo "--- charon.log ($1):"
	tail -n 40 "${_sswan_dir[$1]}/charon.log"
	echo "--- swanctl --list-sas ($1):"
	certs_swanctl "$1" --list-sas 2>&1
}

certs_swanctl_child_installed() {
	local out
	out=$(certs_swanctl "$1" --list-sas) && grep -qE "^ +ours: #[0-9]+, reqid [0-9]+, INSTALLED" <<<"$out"
}
