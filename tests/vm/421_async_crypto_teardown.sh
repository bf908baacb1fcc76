#!/bin/bash
# Asynchronous crypto completions hold what they use. pcrypt is put in
# front of AES-GCM (rfc4106) for the whole kernel, so every encryption and
# decryption of our SAs completes later, from padata's worker, as with
# cryptd. First proof that our SAs really use it (its refcount rises with
# one SA); then
# scenario 108 runs unchanged on top: underlay netns, private netns and
# both deleted under a ping flood, with completions in flight that must
# neither send into a dead netns nor touch a freed one (the kernel would
# warn or oops, which fails the run), and a clean unload.
# vm-timeout: 1200
#
#   as 108: [ns pN] ipsec1 (created in uN, moved) / [ns uN] veth0 ---- veth0 [ns rN] ipsec1
. "$(dirname "$0")/lib.sh" || exit 1

ALG='rfc4106(gcm(aes))'
# async_block: /proc/crypto's entry for the pcrypt instance of $ALG.
async_block() {
	awk -v RS= -v alg="$ALG" '$0 ~ "name *: " alg "\n" && $0 ~ /driver *: pcrypt\(/' /proc/crypto
}
async_refcnt() {
	async_block | awk '/^refcnt/ {print $3}'
}

modprobe crypto_user
modprobe pcrypt
python3 "$REPO/tests/vm/peers/async_aead.py" add "$ALG"
driver=$(async_block | awk '/^driver/ {print $3}')
[ -n "$driver" ] || fail "no pcrypt instance of $ALG in /proc/crypto"
on_exit python3 "$REPO/tests/vm/peers/async_aead.py" del "$driver"
best=$(awk -v RS= -v alg="$ALG" '$0 ~ "name *: " alg "\n"' /proc/crypto |
	awk '/^driver/ {d=$3} /^priority/ {if ($3 > p) {p=$3; b=d}} END {print b}')
assert_eq "$best" "$driver" "highest-priority driver for $ALG"

ipsec_load
r0=$(async_refcnt)
"$IPSECCTL" sa add dev ipsec0 dir in spi 0x4321 src 192.0.2.2 dst 192.0.2.1 \
	enc aes-gcm-128 key 0x0102030405060708090a0b0c0d0e0f1011121314
assert_ge "$(async_refcnt)" $((r0 + 1)) "pcrypt instance refcount with one of our SAs"
ipsec_unload
echo "ok: our AES-GCM SAs run through $driver"

"$REPO/tests/vm/108_underlay_netns_exit.sh" || fail "108 with asynchronous AES-GCM failed"
echo "ok: netns teardown under a flood with every completion asynchronous (pcrypt), clean unload"
