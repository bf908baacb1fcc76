# shellcheck shell=bash
# ipsec_manual_pair CIPHER: ipsec0 in bA and bB keyed by hand with ipsecctl.
ipsec_manual_pair() {
	echo "ipsecctl manual keying not wired yet" >&2
	return 1
}
