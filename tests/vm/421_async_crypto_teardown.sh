#!/bin/bash
# Asynchronous crypto completions hold what they use (issue 17). An AES-GCM
# whose CTR part runs in cryptd's worker,
#   rfc4106(gcm_base(cryptd(ctr(aes-generic)),ghash-generic)),
# is instantiated through crypto_user with a priority above every other
# rfc4106(gcm(aes)), so our SAs get it and every encryption and decryption
# returns -EINPROGRESS and completes later from the worker (cryptd's AEAD
# instance is not used: on 6.1 it fails the crypto self-test with a
# WARNING, "changed 'req->base.tfm'"). Proof that it really is asynchronous:
# kprobes on the module's completion callbacks, which synchronous crypto
# never calls, must fire at least once per packet sent and received. Then
# on top, unchanged: 107 (rmmod and device deletion under a flood) and 108
# (underlay netns, private netns, both deleted under a flood): completions
# in flight must neither send into a dead netns nor touch freed objects (a
# warning or oops fails the run), and each unload is leak-free.
# vm-timeout: 2400
#
#   proof:  [ns a] ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2, ipsec0 [ns b]
#   then as 107 and 108
. "$(dirname "$0")/lib.sh" sites || exit 1

ALG='rfc4106(gcm(aes))'
DRIVER='rfc4106(gcm_base(cryptd(ctr(aes-generic)),ghash-generic))'
BASE='cryptd(ctr(aes-generic))'	# deleting it takes the two above with it
AEAD=$REPO/tests/vm/peers/async_aead.py
TRACE=/sys/kernel/tracing

# crypto_table: /proc/crypto as one line per algorithm, "name driver
# priority refcnt async selftest".
crypto_table() {
	awk -F' *: ' '$1 == "name" { n = $2 } $1 == "driver" { d = $2 } $1 == "priority" { p = $2 }
		$1 == "refcnt" { r = $2 } $1 == "async" { a = $2 } $1 == "selftest" { s = $2 }
		$0 == "" && n != "" { print n, d, p, r, a, s; n = "" }
		END { if (n != "") print n, d, p, r, a, s }' /proc/crypto
}
# alg_field DRIVER COLUMN: column 3 (priority) .. 6 (selftest) of DRIVER.
alg_field() {
	crypto_table | awk -v d="$1" -v c="$2" '$2 == d { print $c }'
}
# best_driver: the driver crypto_alloc_aead("$ALG") picks (highest priority).
best_driver() {
	crypto_table | awk -v n="$ALG" '$1 == n && $3 > p { p = $3; b = $2 } END { print b }'
}
# hits PROBE: how often the kprobe on that completion callback fired.
hits() {
	awk -v p="$1" '$1 == p { print $2 }' $TRACE/kprobe_profile
}
kprobes_off() {
	echo 0 >$TRACE/events/ipsec_async/enable
	echo >$TRACE/kprobe_events
}

# aesni_intel: the rfc4106(gcm(aes)) ours must beat (priority 400).
for m in crypto_user cryptd ctr gcm ghash_generic aesni_intel; do
	modprobe $m
done
python3 "$AEAD" add "$DRIVER" 10000 || fail "cannot instantiate $DRIVER"
on_exit python3 "$AEAD" del "$BASE"
assert_eq "$(best_driver)" "$DRIVER" "driver chosen for $ALG"
assert_eq "$(alg_field "$DRIVER" 5)" yes "$DRIVER async"
assert_eq "$(alg_field "$DRIVER" 6)" passed "$DRIVER self-test"

# The kprobes stay armed across rmmod/insmod (re-registered when the module
# comes back), so they count the completions of 107 and 108 too.
ipsec_load
[ -e $TRACE/kprobe_events ] || mount -t tracefs nodev $TRACE
echo 0 >$TRACE/tracing_on	# counted in kprobe_profile, nothing recorded
cat >>$TRACE/kprobe_events <<EOF
p:ipsec_async/ipsec_tun_out_done ipsec_tun:esp_output_done
p:ipsec_async/ipsec_tun_in_done ipsec_tun:esp_input_done
EOF
on_exit kprobes_off
echo 1 >$TRACE/events/ipsec_async/enable

# ---- proof: every packet of one tunnel completes asynchronously ----
r0=$(alg_field "$DRIVER" 4)
sites_underlay
site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
site_ipsec b $NET_A4 $NET_A6 $PRIV_B4 $PRIV_B6
tunnel_manual aes-gcm-128 4 0x1001 0x2001
assert_ge "$(alg_field "$DRIVER" 4)" $((r0 + 4)) "$DRIVER refcount with our 4 SAs"
in_ns a ping -c20 -i0.05 -W5 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "ping through the tunnel"
tx=$(($(link_counter a ipsec0 tx_packets) + $(link_counter b ipsec0 tx_packets)))
rx=$(($(link_counter a ipsec0 rx_packets) + $(link_counter b ipsec0 rx_packets)))
assert_ge "$rx" 40 "packets decrypted by both sides"
assert_ge "$(hits ipsec_tun_out_done)" "$tx" "asynchronous encryption completions (tx_packets $tx)"
assert_ge "$(hits ipsec_tun_in_done)" "$rx" "asynchronous decryption completions (rx_packets $rx)"
progress "ok: $tx encryptions and $rx decryptions of $DRIVER all completed asynchronously"

# ---- order: what cryptd's per-CPU workers finish out of order leaves in
# sequence-number order (a peer with the usual replay window of 32 drops
# what comes more than 32 late; XFRM with ESN counts it as an integrity
# failure). Captured where a sends: tcpdump on a's ul0 sees the packets in
# the order they are handed to the device.
# Headers only, written raw (a text line per packet loses packets to a
# slow TCG VM), then read back.
pcap=$(mktemp /tmp/order.XXXXXX.pcap)
spawn a tcpdump -nn -s 96 -B 65536 -w "$pcap" -i ul0 "esp and src $OUT_A4"
dump=$SPAWNED_PID
wait_until 20 grep -q 'listening on' "/tmp/spawn.$dump.log"
tcp_transfer a b $PRIV_B4 3000000
tcp_transfer b a $PRIV_A4 500000 # ACKs a->b from another CPU's softirqs
sleep 1
kill -INT "$dump"
wait_until 10 grep -q 'packets captured' "/tmp/spawn.$dump.log"
order=$(tcpdump -nn -r "$pcap" 2>/dev/null | grep -o "ESP(spi=0x00001001,seq=0x[0-9a-f]*)" | /usr/bin/python3 -c '
import sys
seqs = [int(l.split("seq=")[1].rstrip(")\n"), 16) for l in sys.stdin]
late = [(i, s, m) for i, (s, m) in enumerate(zip(seqs[1:], seqs)) if s < m]
print(len(seqs), len(late), " ".join("#%d:%d<%d" % x for x in late[:10]))')
read -r seen inversions examples <<<"$order"
assert_ge "$seen" 1000 "ESP packets of spi 0x1001 captured on a's ul0"
assert_eq "$inversions" 0 "packets sent before one with a lower sequence number (of $seen; first: $examples)"
progress "ok: $seen ESP packets left a in sequence-number order, every encryption asynchronous"
ip -n a link del ipsec0
ip -n b link del ipsec0
_lib_ns_delete a
_lib_ns_delete b
ipsec_unload

# ---- the teardown scenarios on top ----
out0=$(hits ipsec_tun_out_done) in0=$(hits ipsec_tun_in_done)
"$REPO/tests/vm/107_rmmod_traffic.sh" || fail "107 with asynchronous AES-GCM failed"
"$REPO/tests/vm/108_underlay_netns_exit.sh" || fail "108 with asynchronous AES-GCM failed"
assert_ge "$(hits ipsec_tun_out_done)" $((out0 + 1000)) "asynchronous encryptions during 107 and 108"
assert_ge "$(hits ipsec_tun_in_done)" $((in0 + 1000)) "asynchronous decryptions during 107 and 108"
assert_eq "$(alg_field "$DRIVER" 4)" "$r0" "$DRIVER refcount after the last unload"
kprobes_off
python3 "$AEAD" del "$BASE" || fail "cannot remove $BASE"
[ -z "$(alg_field "$DRIVER" 4)" ] || fail "$DRIVER still registered"
echo "ok: rmmod and netns teardown under floods with every AES-GCM completion asynchronous (cryptd)"
