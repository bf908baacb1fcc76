#!/bin/bash
# ipsec_tun.ko loads, makes ipsec0 in the initial netns, lets `ip link`
# add and delete more devices (also inside a netns), shows them as L3
# point-to-point devices with the documented default MTU, and unloads with
# every live-object counter back at zero.
#
#   [root netns] ipsec0 (module load), ipsec1 (ip link add)
#   [ns a]       ipsec7 (ip link add inside the netns)
# vm-timeout: 120
. "$(dirname "$0")/lib.sh" || exit 1

ipsec_load
ip link show ipsec0 >/dev/null || fail "ipsec0 not created at load"
assert_eq "$(cat /sys/class/net/ipsec0/mtu)" 1438 "ipsec0 default MTU"
assert_eq "$(cat /sys/class/net/ipsec0/type)" 65534 "ipsec0 ARPHRD_NONE"
ip -d link show ipsec0 | has_match POINTOPOINT || fail "ipsec0 not POINTOPOINT"
ip -d link show ipsec0 | has_match NOARP || fail "ipsec0 not NOARP"
ip -d link show ipsec0 | has_match 'ipsec ' || fail "ipsec0 kind is not 'ipsec'"
assert_eq "$(cat /sys/module/ipsec_tun/parameters/live_devs)" 1 "live devices after load"

ip link add ipsec1 type ipsec
ip link set ipsec1 up mtu 1400
assert_eq "$(cat /sys/class/net/ipsec1/mtu)" 1400 "MTU set with ip link"
! ip link set ipsec1 mtu 40 2>/dev/null || fail "MTU 40 accepted (below the minimum)"
assert_eq "$(cat /sys/module/ipsec_tun/parameters/live_devs)" 2 "live devices after add"

ns_create a
ip -n a link add ipsec7 type ipsec
ip -n a link show ipsec7 >/dev/null || fail "ipsec7 not created in netns a"
! ip link show ipsec7 >/dev/null 2>&1 || fail "ipsec7 appeared in the root netns"
assert_eq "$(cat /sys/module/ipsec_tun/parameters/live_devs)" 3 "live devices with ipsec7"

# Counters are real: a packet routed into a device without policy is
# dropped and counted as tx_dropped (the policy refused it; not an error).
ip addr add 192.0.2.1/32 dev ipsec1
ip route add 198.51.100.0/24 dev ipsec1
! ping -c1 -W1 198.51.100.1 >/dev/null 2>&1 || fail "ping through ipsec1 without SA succeeded"
assert_ge "$(cat /sys/class/net/ipsec1/statistics/tx_dropped)" 1 "ipsec1 tx_dropped (no policy)"
assert_eq "$(cat /sys/class/net/ipsec1/statistics/tx_errors)" 0 "ipsec1 tx_errors (no policy is no error)"
assert_eq "$(cat /sys/class/net/ipsec1/statistics/tx_carrier_errors)" 0 "ipsec1 tx_carrier_errors"

ip link del ipsec1
! ip link show ipsec1 >/dev/null 2>&1 || fail "ipsec1 still there after ip link del"
ip -n a link del ipsec7
wait_until 10 eval '[ "$(cat /sys/module/ipsec_tun/parameters/live_devs)" = 1 ]'

# A second module instance count: nr_devs makes several at load.
ipsec_unload
insmod "$IPSEC_KO" nr_devs=3
for d in ipsec0 ipsec1 ipsec2; do
	ip link show $d >/dev/null || fail "$d not created with nr_devs=3"
done
ipsec_unload
echo "ok: load, ip link add/del (root and netns), nr_devs, unload with zero live objects"
