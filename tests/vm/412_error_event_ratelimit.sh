#!/bin/bash
# ERROR_EVENT AUTH_BURST is rate-limited per device (10 a second): anyone
# who can reach the underlay can make ICV checks fail at will, and every
# 64 failures on an SA mean one event, so forged ESP must not become a
# flood of multicast to every listener. A listener in b counts the events
# while a floods b's inbound SA with forged ESP; every forged packet is
# still counted (rx_crc_errors), the events stay within the limit.
# vm-timeout: 240
#
#   [ns a] ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2 [ns b] ipsec1
#          raw ESP, SPI 0x4000, bad ICV  ---->           inbound SA 0x4000
. "$(dirname "$0")/lib.sh" || exit 1

ipsec_load
ns_create a
ns_create b
veth_pair a ul0 b ul0
ip -n a addr add 192.0.2.1/24 dev ul0
ip -n b addr add 192.0.2.2/24 dev ul0
ip -n b link add ipsec1 type ipsec
ip -n b link set ipsec1 up
wait_until 10 in_ns a ping -c1 -W1 192.0.2.2

out=$(in_ns b env PYTHONPATH="$REPO/tests/vm/tools" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
import math, socket, struct, subprocess, time, genl
g = genl.Genl()
err, text, _ = g.request(genl.NEW_SA, genl.string(genl.A_IFNAME, "ipsec1") +
                         genl.sa_nest(0x4000, 1, src=bytes([192, 0, 2, 1]), dst=bytes([192, 0, 2, 2])))
assert not err, f"NEW_SA: {genl.errname(err)} {text}"
ev = genl.Genl()
ev.sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: lose no event
assert ev.join("events") == 0
ev.sock.setblocking(False)
events = 0
def drain():
    global events
    while True:
        try:
            data = ev.sock.recv(1 << 16)
        except BlockingIOError:
            return
        off = 0
        while off + 20 <= len(data):
            ln, _, _, _ = struct.unpack_from("IHHI", data, off)
            attrs = genl.parse_attrs(data[off + 20:off + ln])
            if data[off + 16] == genl.CMD_ERROR_EVENT and attrs.get(genl.A_ERROR_CODE) == \
                    struct.pack("I", genl.ERR_AUTH_BURST):
                events += 1
            off += (ln + 3) & ~3
def failures():
    return int(open("/sys/class/net/ipsec1/statistics/rx_crc_errors").read())
flood = """
import os, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
for i in range(25600):
    s.sendto(struct.pack("!II", 0x4000, i + 1) + os.urandom(56), ("192.0.2.2", 0))
    if i % 200 == 199:
        time.sleep(0.002)
"""
t0 = time.monotonic()
sender = subprocess.Popen(["ip", "netns", "exec", "a", "python3", "-c", flood])
last, last_change = -1, time.monotonic()
while sender.poll() is None or time.monotonic() - last_change < 2:
    drain()
    n = failures()
    if n != last:
        last, last_change = n, time.monotonic()
    time.sleep(0.05)
elapsed = last_change - t0
drain()
print(events, last, math.ceil(elapsed))
PY
)
read -r events failures seconds <<<"$out"
echo "AUTH_BURST events: $events for $failures ICV failures in ${seconds}s"
assert_ge "$failures" 6400 "forged packets counted as ICV failures"
allowed=$((10 * (seconds + 1)))
bursts=$((failures / 64))
[ "$bursts" -gt "$allowed" ] || fail "flood too slow to tell: $bursts bursts in ${seconds}s, limit $allowed"
assert_ge "$events" 1 "AUTH_BURST events"
[ "$events" -le "$allowed" ] || fail "$events AUTH_BURST events in ${seconds}s: over 10 a second"
echo "ok: $bursts bursts of ICV failures made $events events (at most $allowed allowed)"

ip -n b link del ipsec1
ipsec_unload
