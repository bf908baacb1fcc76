# shellcheck shell=bash
# Manual keying of ipsec0 for the data-plane benchmark, with the same SPIs
# and keys as the XFRM configuration of the same cipher (bench/vm/lib.sh):
#
#   bA: ipsec0  out SPI_AB (A->B, reqid 1)  in SPI_BA   policy INNER_A -> INNER_B
#   bB: ipsec0  out SPI_BA (B->A, reqid 1)  in SPI_AB   policy INNER_B -> INNER_A
#
# Sourced by dataplane.sh and scale.sh after lib.sh.

# ipsec_manual_pair gcm128|chacha: fails (non-zero, message on stderr) if
# any step is refused.
ipsec_manual_pair() {
	local alg kab kba
	case $1 in
	gcm128) alg=aes-gcm-128 kab=$KEY_GCM_AB kba=$KEY_GCM_BA ;;
	chacha) alg=chacha20-poly1305 kab=$KEY_CHACHA_AB kba=$KEY_CHACHA_BA ;;
	*) echo "ipsec_manual_pair: unknown cipher '$1'" >&2; return 1 ;;
	esac
	ipsec_end bA $OUTER_A $OUTER_B $SPI_AB $kab $SPI_BA $kba $INNER_A $INNER_B "$alg" &&
		ipsec_end bB $OUTER_B $OUTER_A $SPI_BA $kba $SPI_AB $kab $INNER_B $INNER_A "$alg"
}

# ipsec_end NS LOCAL REMOTE OUT_SPI OUT_KEY IN_SPI IN_KEY INNER_LOCAL INNER_REMOTE ALG
ipsec_end() {
	local ns=$1 l=$2 r=$3 ospi=$4 okey=$5 ispi=$6 ikey=$7 il=$8 ir=$9 alg=${10}
	ip netns exec "$ns" "$IPSECCTL" dev add dev ipsec0 >/dev/null || return 1
	ip -n "$ns" link set ipsec0 up || return 1
	ip netns exec "$ns" "$IPSECCTL" sa add dev ipsec0 dir out spi "$ospi" reqid 1 \
		src "$l" dst "$r" enc "$alg" key "$okey" || return 1
	ip netns exec "$ns" "$IPSECCTL" sa add dev ipsec0 dir in spi "$ispi" \
		src "$r" dst "$l" enc "$alg" key "$ikey" ${IPSEC_BENCH_RW:+replay-window $IPSEC_BENCH_RW} || return 1
	ip netns exec "$ns" "$IPSECCTL" policy add dev ipsec0 src "$il/32" dst "$ir/32" reqid 1 ||
		return 1
}
