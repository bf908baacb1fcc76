#!/bin/bash
# The VM itself works: two netns joined by a veth pair ping each other, and
# the kernel counts exactly the packets sent. Proves the pipeline (9p root,
# netns, lib.sh) before any ipsec_tun scenario runs.
#
#   [ns s1] veth0 10.0.0.1/24 ---- veth0 10.0.0.2/24 [ns s2]
. "$(dirname "$0")/lib.sh" || exit 1

ns_create s1
ns_create s2
veth_pair s1 veth0 s2 veth0
ip -n s1 addr add 10.0.0.1/24 dev veth0
ip -n s2 addr add 10.0.0.2/24 dev veth0
wait_until 5 in_ns s1 ping -c1 -W1 10.0.0.2

before=$(link_counter s2 veth0 rx_packets)
in_ns s1 ping -c5 -i0.2 -W2 10.0.0.2
after=$(link_counter s2 veth0 rx_packets)
assert_ge $((after - before)) 5 "echo requests received by s2"

# The links live only in the netns, not in the VM's root netns.
! ip link show veth0 >/dev/null 2>&1 || fail "veth0 leaked into the root netns"
echo "ok: veth ping between netns, $((after - before)) packets counted"
