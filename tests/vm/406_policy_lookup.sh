#!/bin/bash
# vm-suite: full
# Which policy wins, as the transmit path sees it (kmod/policy.c: classes of
# priority and prefix lengths, a hash on the masked addresses): the lower
# priority value, then the longer destination prefix, then the longer source
# prefix, then the policy installed first. Each ping from a is matched to the
# outbound SA whose tx counter moved. Then the same with 3000 other /32
# policies installed (the hash must still find the right one), the dump
# order, deletes, and no leak at rmmod.
# vm-timeout: 600
#
#   [ns a] lo 10.1.0.1, fd01::1 == ipsec0 == veth == ipsec0 == lo 10.2.0.1, fd02::1 [ns b]
#   a: out SAs 0x7001..0x7004 (reqid 1..4), all received by b; b answers on 0x7100
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
alg_key_args aes-gcm-128
A2B=$KEY_ARGS
alg_key_args aes-gcm-128
B2A=$KEY_ARGS
{
	for r in 1 2 3 4; do
		echo "sa add dev ipsec0 dir out spi $((0x7000 + r)) reqid $r src $OUT_A4 dst $OUT_B4 $A2B"
	done
	echo "sa add dev ipsec0 dir in spi 0x7100 src $OUT_B4 dst $OUT_A4 $B2A"
} | ctl a batch -
{
	for r in 1 2 3 4; do
		echo "sa add dev ipsec0 dir in spi $((0x7000 + r)) src $OUT_A4 dst $OUT_B4 $A2B"
	done
	echo "sa add dev ipsec0 dir out spi 0x7100 reqid 1 src $OUT_B4 dst $OUT_A4 $B2A"
	echo "policy add dev ipsec0 src $NET_B4 dst $NET_A4 reqid 1"
	echo "policy add dev ipsec0 src $NET_B6 dst $NET_A6 reqid 1"
} | ctl b batch -

# tx_counts: a's outbound SAs' tx_packets, "n1 n2 n3 n4".
tx_counts() {
	local r out=
	for r in 1 2 3 4; do
		out+="$(sa_stat a out $((0x7000 + r)) tx_packets) "
	done
	echo "${out% }"
}
# expect_via REQID WHAT [6]: one ping from a to b (IPv6 with 6) goes out on
# the SA of REQID and no other.
expect_via() {
	local before after want r i=0 dst=$PRIV_B4 src=$PRIV_A4 fam=
	[ "${3:-}" = 6 ] && dst=$PRIV_B6 src=$PRIV_A6 fam=-6
	before=($(tx_counts))
	in_ns a ping $fam -c1 -W5 -I $src $dst >/dev/null || fail "$2: ping failed"
	after=($(tx_counts))
	for r in 1 2 3 4; do
		want=0
		[ "$r" = "$1" ] && want=1
		assert_eq $((after[i] - before[i])) $want "$2: packets on reqid $r"
		i=$((i + 1))
	done
	echo "ok: $2 -> reqid $1"
}
pol() { ctl a policy "$1" dev ipsec0 "${@:2}"; }

pol add src $NET_A4 dst $NET_B4 reqid 1 priority 100
expect_via 1 "one /24 policy"
pol add src $NET_A4 dst $PRIV_B4/32 proto icmp reqid 2 priority 100
expect_via 2 "a longer destination prefix installed later"
pol add src 0.0.0.0/0 dst 10.2.0.0/28 reqid 3 priority 100
expect_via 2 "a /28 destination loses to the /32"
pol add src $PRIV_A4/32 dst 10.2.0.0/24 reqid 3 priority 100
expect_via 2 "a longer source prefix does not beat a longer destination"
pol add src $NET_A4 dst $PRIV_B4/32 reqid 4 priority 100
expect_via 2 "same prefixes, any protocol, installed after the icmp one"
pol del src $NET_A4 dst $PRIV_B4/32 proto icmp priority 100
expect_via 4 "the icmp policy deleted"
pol add src $NET_A4 dst $PRIV_B4/32 proto icmp reqid 2 priority 100
expect_via 4 "the icmp policy back, now the younger one"
pol add src $NET_A4 dst $PRIV_B4/32 proto tcp reqid 1 priority 100
expect_via 4 "a tcp-only policy does not catch icmp"
pol add src 0.0.0.0/0 dst 10.0.0.0/8 reqid 3 priority 50
expect_via 3 "a lower priority value beats every longer prefix"
pol del src 0.0.0.0/0 dst 10.0.0.0/8 priority 50
expect_via 4 "the priority-50 policy deleted"

progress "IPv6"
pol add src $NET_A6 dst $NET_B6 reqid 1 priority 100
expect_via 1 "an IPv6 /64" 6
pol add src $NET_A6 dst fd02::/127 reqid 2 priority 100
expect_via 2 "an IPv6 /127" 6
pol add src ::/0 dst fd02::1/128 proto tcp reqid 3 priority 100
expect_via 2 "a tcp-only /128 does not catch ICMPv6" 6
expect_via 4 "IPv4 unchanged by the IPv6 policies"

progress "3000 more /32 policies"
for i in $(seq 0 2999); do
	echo "policy add dev ipsec0 src $NET_A4 dst 10.3.$((i / 250)).$((i % 250 + 1))/32 reqid $((i % 4 + 1)) priority 100"
done | ctl a batch -
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -er '.[0].policy_count')" 3009 "policy count"
expect_via 4 "with 3000 other /32 policies"
expect_via 2 "IPv6 with 3000 other IPv4 policies" 6
pol del src $NET_A4 dst $PRIV_B4/32 priority 100
expect_via 2 "the any-protocol /32 deleted: the icmp one"

# The dump is in lookup order: priority ascending, then destination and
# source prefix lengths descending.
ctl a policy list dev ipsec0 --json | jq -e '
	[.[] | [.priority, -(.dst | split("/")[1] | tonumber), -(.src | split("/")[1] | tonumber)]]
	| . == sort' >/dev/null || fail "policy list is not in lookup order"

ctl a policy list dev ipsec0 --json | jq -r '.[] | "policy del dev ipsec0 src \(.src) dst \(.dst)" +
	(if .proto != 0 then " proto \(.proto)" else "" end) + " priority \(.priority)"' | ctl a batch - ||
	fail "deleting every listed policy"
assert_eq "$(ctl a policy list dev ipsec0 --json | jq length)" 0 "policies left after deleting all"
in_ns a ping -c1 -W2 -I $PRIV_A4 $PRIV_B4 >/dev/null 2>&1 && fail "ping passed with no policy"
pol add src $NET_A4 dst $NET_B4 reqid 1
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
echo "ok: policy lookup order holds with and without 3000 other policies"
