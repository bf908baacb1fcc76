#!/bin/bash
# The ordering queues (kmod/cryptq.c): the receive handler queues each ESP
# packet for its SA and a NAPI context decrypts and delivers in arrival
# order; ndo_start_xmit queues each packet for its outbound SA and a NAPI
# context encrypts and sends in order; in kernel threads by default.
#  1. ipsec0 comes up with threaded NAPI (/sys/class/net/ipsec0/threaded 1);
#  2. a numbered UDP stream a -> b, its sender hopping between the CPUs every
#     few packets, arrives in order, without duplicates; the decrypted count
#     on b's SA matches what b's socket received and what a's SA encrypted;
#     once threaded, once with the switch at 0 on both ends (softirq);
#  3. the switch flipped back and forth under a ping flood: traffic goes on;
#  4. b's ipsec0, then a's (the sender's: its transmit queue), down and up
#     under the flood (queued packets are dropped and counted, their SA
#     references released), then traffic again;
#  5. b's inbound SA deleted under the flood, a new one added: traffic again;
#     rmmod with no leak (ipsec_unload), and no kernel warning (harness).
# vm-timeout: 600
#
#   [ns a] lo 10.1.0.1, ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2, ipsec0, lo 10.2.0.1 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

[ "$(nproc)" -ge 2 ] || fail "needs 2 vCPUs to hop between (has $(nproc))"

# threaded NS: ipsec0's NAPI threading switch as sysfs shows it in NS.
threaded() {
	in_ns "$1" cat /sys/class/net/ipsec0/threaded
}

# udp_order COUNT: COUNT numbered datagrams from a's private address to b's,
# the sender moving to the other CPU every 8 packets, paced so the receiver
# keeps up. Prints "received inversions duplicates".
udp_order() {
	timeout 120 /usr/bin/python3 -c "$PY_SETNS$(cat <<'PY'
n, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
enter("b")
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
rx.bind((dst, 7407))
rx.settimeout(3)
enter("a")
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.bind((src, 0))
cpus = sorted(os.sched_getaffinity(0))[:2]
for i in range(n):
    if i % 8 == 0:
        os.sched_setaffinity(0, {cpus[(i // 8) % 2]})
    tx.sendto(struct.pack("!I", i) + b"x" * 200, (dst, 7407))
    if i % 64 == 63:
        time.sleep(0.005)
got, last, inv, seen, dup = 0, -1, 0, set(), 0
try:
    while True:
        (i,) = struct.unpack("!I", rx.recv(2048)[:4])
        got += 1
        dup += i in seen
        seen.add(i)
        inv += i < last
        last = max(last, i)
except socket.timeout:
    pass
print(got, inv, dup)
PY
)" "$1" "$PRIV_A4" "$PRIV_B4"
}

# order_case WHAT: run udp_order and check order, duplicates and that every
# packet b's SA decrypted reached the socket.
order_case() {
	local rx0 tx0 res got inv dup
	rx0=$(sa_stat b in 0x4070 rx_packets)
	tx0=$(sa_stat a out 0x4070 tx_packets)
	res=$(udp_order 3000) || fail "$1: the UDP order check did not run"
	read -r got inv dup <<<"$res"
	progress "$1: received $got of 3000, $inv out of order, $dup duplicated"
	assert_eq "$inv" 0 "$1: datagrams delivered out of order"
	assert_eq "$dup" 0 "$1: datagrams delivered twice"
	assert_ge "$got" 1500 "$1: datagrams received"
	assert_eq $(($(sa_stat b in 0x4070 rx_packets) - rx0)) "$got" "$1: decrypted by b's SA vs received"
	assert_eq $(($(sa_stat a out 0x4070 tx_packets) - tx0)) "$got" "$1: encrypted by a's SA vs received"
}

rx_ge() { # rx_ge NS MIN: ipsec0 in NS has decrypted at least MIN packets
	[ "$(link_counter "$1" ipsec0 rx_packets)" -ge "$2" ]
}
# flowing WHAT: b decrypts 200 more flood packets within 60 s.
flowing() {
	local rx0
	rx0=$(link_counter b ipsec0 rx_packets)
	poll_until 60 rx_ge b $((rx0 + 200)) || fail "$1: the flood stopped reaching b"
}

sites_create
tunnel_manual aes-gcm-128 4 0x4070 0x4071
ping_ok "tunnel up"

# ---- 1 ----
assert_eq "$(threaded a)" 1 "a: ipsec0 threaded NAPI by default"
assert_eq "$(threaded b)" 1 "b: ipsec0 threaded NAPI by default"
in_ns b ps -e -o comm= | has_match '^napi/ipsec0' || fail "no napi/ipsec0-N kernel thread"

# ---- 2 ----
order_case "threaded NAPI"
for ns in a b; do
	in_ns $ns sh -c 'echo 0 > /sys/class/net/ipsec0/threaded'
	assert_eq "$(threaded $ns)" 0 "$ns: threaded switch after writing 0"
done
order_case "NAPI in softirq"
for ns in a b; do in_ns $ns sh -c 'echo 1 > /sys/class/net/ipsec0/threaded'; done

# ---- 3 ----
spawn a ping -f -s 1200 -I $PRIV_A4 $PRIV_B4
FLOOD=$SPAWNED_PID
flowing "flood started"
for t in 0 1 0 1; do
	in_ns b sh -c "echo $t > /sys/class/net/ipsec0/threaded"
	flowing "threaded switched to $t"
done

# ---- 4 ----
# down_up NS ROUTE SRC WHAT: NS's ipsec0 down a second and up under the
# flood, its route back; the flood must go on and NAPI stay threaded.
down_up() {
	local drops0
	drops0=$(dev_stat "$1" drop_nomem)
	ip -n "$1" link set ipsec0 down
	sleep 1
	ip -n "$1" link set ipsec0 up
	ip -n "$1" route replace "$2" dev ipsec0 src "$3"
	flowing "ipsec0 of $4 down and up again"
	progress "$1: packets dropped while ipsec0 was down: $(($(dev_stat "$1" drop_nomem) - drops0))"
	assert_eq "$(threaded "$1")" 1 "$1: threaded NAPI after down/up"
}
down_up b $NET_A4 $PRIV_B4 "b (the receiver)"
down_up a $NET_B4 $PRIV_A4 "a (the sender: its transmit queue)"

# ---- 5 ----
alg_key_args aes-gcm-128
ctl b sa del dev ipsec0 dir in spi 0x4070
ctl a sa del dev ipsec0 dir out spi 0x4070
ctl b sa add dev ipsec0 dir in spi 0x4072 src $OUT_A4 dst $OUT_B4 $KEY_ARGS
ctl a sa add dev ipsec0 dir out spi 0x4072 reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS
flowing "new inbound SA after deleting the old one under the flood"
kill -0 "$FLOOD" 2>/dev/null || { spawn_log "$FLOOD"; fail "the ping flood ended early"; }
progress "rmmod with the flood in flight"
ipsec_unload
progress "ok: ordered both ways, threaded and unthreaded, down/up at both ends, SA replaced, no leak"
