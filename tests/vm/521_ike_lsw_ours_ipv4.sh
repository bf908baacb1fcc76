#!/bin/bash
# vm-timeout: 420
# libreswan 4.10 (pluto, XFRM) initiates to ipsecd over IPv4: PSK with FQDN
# IDs, both sides' default proposals, ipsecd auto=add (responder only). The
# LANs ping each other through the tunnel, the underlay carries ESP only,
# both sides count the traffic; pluto's Delete takes our side down.
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 libreswan] -- 192.168.2.2 [lan2]
. "$(dirname "$0")/lib.sh" lsw || exit 1

ipsec_load
topo_v4
lsw_pair_configs add add
lsw_run_responder_case
echo "ok: libreswan -> ipsecd over IPv4"
