#!/bin/bash
# vm-timeout: 420
# libreswan 4.10 (pluto, XFRM) initiates to ipsecd over IPv6: PSK with FQDN
# IDs, both sides' default proposals, ipsecd auto=add (responder only). The
# LANs ping each other through the tunnel, the underlay carries ESP only,
# both sides count the traffic; pluto's Delete takes our side down.
#
#   [lan1] fd01:1::2 -- [gw1 ipsecd] fd00::1 ==ul== fd00::2 [gw2 libreswan] -- fd01:2::2 [lan2]
. "$(dirname "$0")/lib.sh" lsw || exit 1

ipsec_load
topo_v6
lsw_pair_configs add add
lsw_run_responder_case
echo "ok: libreswan -> ipsecd over IPv6"
