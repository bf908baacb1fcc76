#!/bin/bash
# As 300, with UDP encapsulation (RFC 3948) on port 4500 both sides: a's
# module uses a socket held by `ipsecctl encap attach`, b's XFRM a socket
# with UDP_ENCAP_ESPINUDP (what an IKE daemon would hold). The underlay
# must carry only UDP 4500, never raw ESP.
# vm-timeout: 1200
#
#        [ns a] ipsec_tun                             [ns b] Linux XFRM
#   lo 10.1.0.1, fd01::1                            lo 10.2.0.1, fd02::1
#   ipsec0 + UDP 4500 (ipsecctl encap attach)       UDP 4500 (UDP_ENCAP_ESPINUDP)
#   ul0 192.0.2.1, 2001:db8::1  ===== veth =====  ul0 192.0.2.2, 2001:db8::2
#                      ESP in UDP 4500 <-> 4500
. "$(dirname "$0")/lib.sh" sites || exit 1

BYTES=${VMTEST_TCP_BYTES:-300000}
PINGS=3
xfrm_sites_create

# b: XFRM's NAT-T sockets (one per family), as an IKE daemon holds them.
spawn b /usr/bin/python3 -c '
import signal, socket
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 4500))
    s.setsockopt(socket.IPPROTO_UDP, 100, 2)  # UDP_ENCAP, UDP_ENCAP_ESPINUDP
    globals()["keep_" + str(fam)] = s
print("ready", flush=True)
signal.pause()'
xfrm_sock=$SPAWNED_PID
wait_until 10 grep -q ready "/tmp/spawn.$xfrm_sock.log"

spi=$((0x31000))
for outer in 4 6; do
	if [ $outer = 4 ]; then pa=$PRIV_A4 pb=$PRIV_B4 bind=0.0.0.0; else pa=$PRIV_A6 pb=$PRIV_B6 bind=::; fi
	spawn a "$CTL" encap attach dev ipsec0 port 4500 addr $bind
	attach=$SPAWNED_PID
	wait_until 10 grep -q attached "/tmp/spawn.$attach.log"
	assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].encap_port')" 4500 "encap port shown by dev list"
	for alg in "${ALL_ALGS[@]}"; do
		what="$alg outer v$outer, UDP encap"
		spawn a tcpdump -l -n -i ul0 -c 4 "esp or udp port 4500"
		dump=$SPAWNED_PID
		wait_until 10 grep -q "listening on" "/tmp/spawn.$dump.log"
		xfrm_case "$alg" $outer $spi $((spi + 1)) "$BYTES" encap
		spi=$((spi + 2))
		wait_until 10 eval "! kill -0 $dump"
		cap=$(spawn_log $dump)
		grep -q 'UDP-encap: ESP(spi' <<<"$cap" || { echo "$cap"; fail "$what: no ESP-in-UDP on the wire"; }
		! grep -v UDP-encap <<<"$cap" | has_match 'ESP(spi' || { echo "$cap"; fail "$what: raw ESP on the wire despite encap"; }
		xfrm_flush
		progress "ok: $what"
	done
	kill $attach
	wait_until 10 eval "! kill -0 $attach"
	assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].encap_port')" null "encap detached on exit"
done
ipsec_unload
