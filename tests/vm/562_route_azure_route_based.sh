#!/bin/bash
# vm-timeout: 600
# Azure VPN Gateway, route-based: Documentation/examples/azure-route-based.conf
# used verbatim on the on-premises side (ipsecd) against a strongSwan peer
# set up as Azure's gateway is with a custom IPsec/IKE policy (IKEv2 only,
# aes256-sha256 with DH 14 or ECP256, GCMAES256 or AES256/SHA256 for ESP
# with no PFS, 28800 s / 27000 s lifetimes, DPD 45 s) on a VTI with
# 0.0.0.0/0 selectors and the APIPA BGP address 169.254.21.1. The tunnel
# comes up with the policy's first choices on both ends, ipsec1 holds the
# inside address 169.254.21.2/30 and the gateway's answers over it; a VNet
# prefix routed into ipsec1 carries exactly the traffic sent to it (no IKE
# or ESP looped into the tunnel). Then `ipsecctl delete azure` drops the
# conn from the running configuration: its inside address leaves ipsec1
# while the daemon keeps running (issue 23: a reload that drops a conn
# takes its leftinterface-ip= off).
#
#   [lan1] h1 192.168.1.2 -- lan 192.168.1.1 [onprem ipsecd] ul 10.0.0.1
#            ipsec1 169.254.21.2/30, 10.1.0.0/16 -> ipsec1        |
#                                                                 ul 10.0.0.2 [azure charon]
#                                     vti100 169.254.21.1/30, lo 10.1.0.1 (the VNet)
. "$(dirname "$0")/lib.sh" topology ipsecd strongswan || exit 1

ipsec_load
ns_create lan1
ns_create onprem
ns_create azure
veth_pair lan1 eth0 onprem lan
ip -n lan1 addr add 192.168.1.2/24 dev eth0
ip -n lan1 route add default via 192.168.1.1
ip -n onprem addr add 192.168.1.1/24 dev lan
in_ns onprem sysctl -qw net.ipv4.ip_forward=1
veth_pair onprem ul azure ul
ip -n onprem addr add 10.0.0.1/24 dev ul
ip -n azure addr add 10.0.0.2/24 dev ul

# The gateway: a VTI keyed by charon's mark, the VNet on lo.
ip -n azure addr add 10.1.0.1/16 dev lo
ip -n azure link add vti100 type vti local 10.0.0.2 remote 10.0.0.1 key 100
in_ns azure sysctl -qw net.ipv4.conf.vti100.disable_policy=1
ip -n azure addr add 169.254.21.1/30 dev vti100
ip -n azure link set vti100 up
ip -n azure route add 192.168.1.0/24 dev vti100
d=$(mktemp -d /tmp/azure.XXXXXX)
cat >"$d/ipsec.conf" <<-EOC
	conn azure
	  left=10.0.0.2
	  leftsubnet=0.0.0.0/0
	  right=10.0.0.1
	  rightsubnet=0.0.0.0/0
	  authby=secret
	  keyexchange=ikev2
	  ike=aes256-sha256-modp2048,aes256-sha256-ecp256!
	  esp=aes256gcm16,aes256-sha256!
	  ikelifetime=28800s
	  lifetime=27000s
	  dpddelay=15s
	  dpdtimeout=45s
	  dpdaction=clear
	  mark=100
	  auto=add
EOC
cp "$REPO/Documentation/examples/azure-route-based.secrets" "$d/ipsec.secrets"
sswan_start azure "$d"

d=$(mktemp -d /tmp/onprem.XXXXXX)
cp "$REPO/Documentation/examples/azure-route-based.conf" "$d/ipsec.conf"
cp "$REPO/Documentation/examples/azure-route-based.secrets" "$d/ipsec.secrets"
ipsecd_start onprem "$d"
ipsecd_wait_tunnels onprem 1 90
sswan_wait_child azure azure

# The policy's first choices, no PFS group on the child (pfs=no, and the
# gateway offers none).
st=$(sswan azure statusall)
grep -q "IKE proposal: AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048" <<<"$st" ||
	fail "not the custom policy's IKE proposal: $st"
grep -qE "azure\{[0-9]+\}: +AES_GCM_16_256," <<<"$st" || fail "not GCMAES256 for ESP: $st"
! grep -qE "azure\{[0-9]+\}: +AES_GCM_16_256/MODP" <<<"$st" || fail "a DH group on the child: $st"

# The inside address on ipsec1; the gateway's BGP address answers over it.
ip -n onprem -4 addr show dev ipsec1 | has_match "inet 169.254.21.2/30" ||
	fail "ipsec1 lacks 169.254.21.2/30: $(ip -n onprem addr show dev ipsec1)"
in_ns onprem ping -c3 -i0.3 -W3 169.254.21.1 >/dev/null || fail "169.254.21.1 does not answer: $(ipsecd_log onprem)"

# No 0/0 route from ipsecd (it holds the gateway); the operator routes the
# VNet into ipsec1, and exactly that traffic goes in.
in_ns onprem ip route get 10.0.0.2 | has_match "dev ul" || fail "the gateway does not route via the underlay"
ipsecd_log onprem | has_match "not routing 0.0.0.0/0 into ipsec1" || fail "no warning about the 0/0 route"
ip -n onprem route add 10.1.0.0/16 dev ipsec1
t=$(link_counter onprem ipsec1 tx_packets) r=$(link_counter azure vti100 rx_packets)
in_ns lan1 ping -c10 -i0.2 -W3 10.1.0.1 >/dev/null || fail "no traffic from the LAN to the VNet"
assert_eq $(($(link_counter onprem ipsec1 tx_packets) - t)) 10 "packets into ipsec1 (exactly the pings)"
assert_eq $(($(link_counter azure vti100 rx_packets) - r)) 10 "packets the gateway's VTI decrypted"
assert_eq "$(in_ns onprem "$IPSECCTL" dev list dev ipsec1 --json | jq '.[0].stats.drop_header')" 0 \
	"outer packets routed into ipsec1 itself"

# Dropping the conn from the running configuration takes its inside
# address off ipsec1; the daemon runs on.
ictl onprem delete azure >/dev/null || fail "ipsecctl delete azure failed: $(ipsecd_log onprem)"
! ip -n onprem addr show dev ipsec1 | has_match 169.254.21.2 ||
	fail "169.254.21.2 left on ipsec1 after the conn was dropped: $(ipsecd_log onprem | tail -20)"
ipsecd_log onprem | has_match '"azure" address 169.254.21.2/30 removed from ipsec1' ||
	fail "no log line for the removed address"
ictl onprem status >/dev/null || fail "ipsecd stopped answering"

ipsecd_stop onprem
ip -n onprem link del ipsec1
ipsec_unload
echo "ok: Azure route-based profile from the example file: custom policy, APIPA inside address, VNet over ipsec1, address gone with the conn"
