#!/bin/bash
# Test credentials for tests/unit/ike/cert, made with the openssl CLI at test
# time (nothing secret is committed). Usage: make_fixtures.sh OUTDIR
#   ca           RSA-2048 root "C=CH, O=ipsec_tun test, CN=Test Root CA"
#   int          ECDSA P-256 intermediate under ca
#   other_ca     an unrelated root (wrong-CA cases)
#   moon         RSA-2048 end entity under ca: SAN DNS/IP/email, digitalSignature
#   sun          ECDSA P-384 end entity under int
#   p256 p521 ed RSA-less end entities under ca (ECDSA P-256/P-521, Ed25519)
#   noku         end entity whose keyUsage is keyEncipherment only
#   revoked      end entity revoked in ca.crl
#   expired      RSA end entity under ca, valid 2020-01-01..2021-01-01 only
#   *.key: PEM (PKCS#1 for RSA, SEC1 for EC, PKCS#8 for Ed25519);
#   moon_enc.key: encrypted PKCS#8 (passphrase "moon pass"); moon.der, moon_key.der: DER
#   msg.bin and sig_*.bin: signatures made by the CLI over msg.bin
set -euo pipefail
out=$1
rm -rf "$out"
mkdir -p "$out"
cd "$out"
q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@"; exit 1; }; }

cat >ext.cnf <<'CNF'
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ee_ext]
basicConstraints = CA:false
keyUsage = digitalSignature
subjectAltName = DNS:moon.example.org, IP:192.0.2.1, IP:2001:db8::1, email:moon@example.org
authorityKeyIdentifier = keyid
[noku_ext]
basicConstraints = CA:false
keyUsage = keyEncipherment
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
serial = serial
crlnumber = crlnumber
default_md = sha256
default_crl_days = 3650
new_certs_dir = .
policy = policy_any
[policy_any]
countryName = optional
organizationName = optional
commonName = supplied
CNF

root() {  # name key-args subject
  q openssl genpkey $2 -out "$1.key"
  q openssl req -new -x509 -key "$1.key" -days 3650 -subj "$3" -sha256 \
    -extensions ca_ext -config <(cat ext.cnf; printf '[req]\ndistinguished_name=dn\n[dn]\n') \
    -out "$1.pem"
}
issue() {  # name key-args subject issuer ext
  q openssl genpkey $2 -out "$1.key"
  q openssl req -new -key "$1.key" -subj "$3" -out "$1.csr" -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n')
  q openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial -days 3650 -sha256 \
    -extfile ext.cnf -extensions "$5" -out "$1.pem"
}
rsa="-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
ec() { echo "-algorithm EC -pkeyopt ec_paramgen_curve:$1 -pkeyopt ec_param_enc:named_curve"; }

root ca "$rsa" "/C=CH/O=ipsec_tun test/CN=Test Root CA"
root other_ca "$(ec P-256)" "/C=CH/O=ipsec_tun test/CN=Other Root CA"
issue int "$(ec P-256)" "/C=CH/O=ipsec_tun test/CN=Test Intermediate CA" ca ca_ext
issue moon "$rsa" "/C=CH/O=ipsec_tun test/CN=moon.example.org" ca ee_ext
issue sun "$(ec P-384)" "/C=CH/O=ipsec_tun test/CN=sun.example.org" int ee_ext
issue p256 "$(ec P-256)" "/C=CH/O=ipsec_tun test/CN=p256" ca ee_ext
issue p521 "$(ec P-521)" "/C=CH/O=ipsec_tun test/CN=p521" ca ee_ext
issue ed "-algorithm ED25519" "/C=CH/O=ipsec_tun test/CN=ed25519" ca ee_ext
issue noku "$(ec P-256)" "/C=CH/O=ipsec_tun test/CN=noku" ca noku_ext
issue revoked "$(ec P-256)" "/C=CH/O=ipsec_tun test/CN=revoked" ca ee_ext

# PKCS#1 / SEC1 ("traditional") forms, as ipsec.secrets' RSA/ECDSA lines name them.
q openssl pkey -in moon.key -traditional -out moon_trad.key
q openssl pkey -in sun.key -traditional -out sun_trad.key
q openssl pkcs8 -topk8 -in moon.key -v2 aes-256-cbc -passout "pass:moon pass" -out moon_enc.key
q openssl pkey -in moon.key -outform DER -out moon_key.der
q openssl x509 -in moon.pem -outform DER -out moon.der

# A CRL from ca revoking "revoked".
: >index.txt
echo 01 >crlnumber
q openssl ca -config ext.cnf -keyfile ca.key -cert ca.pem -revoke revoked.pem
q openssl ca -config ext.cnf -keyfile ca.key -cert ca.pem -gencrl -out ca.crl
# An empty CRL for int (CRL checks cover every level).
: >index.txt
q openssl ca -config ext.cnf -keyfile int.key -cert int.pem -gencrl -out int.crl

# An end entity whose validity ended long ago ("openssl ca" takes explicit dates).
echo 1000 >serial
q openssl genpkey $rsa -out expired.key
q openssl req -new -key expired.key -subj "/C=CH/O=ipsec_tun test/CN=expired.example.org" \
  -out expired.csr -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n')
q openssl ca -batch -config ext.cnf -keyfile ca.key -cert ca.pem -in expired.csr -out expired.pem \
  -startdate 20200101000000Z -enddate 20210101000000Z -extensions ee_ext -notext
rm -f 1000.pem  # openssl ca's copy in new_certs_dir

# Known signatures over msg.bin made by the CLI.
printf 'RFC 7296 2.15 signed octets stand-in\n' >msg.bin
q openssl dgst -sha256 -sign moon.key -out sig_rsa_sha256.bin msg.bin
q openssl dgst -sha512 -sign moon.key -out sig_rsa_sha512.bin msg.bin
q openssl dgst -sha1 -sign moon.key -out sig_rsa_sha1.bin msg.bin
q openssl dgst -sha384 -sign moon.key -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 \
  -sigopt rsa_mgf1_md:sha384 -out sig_rsa_pss_sha384.bin msg.bin
q openssl dgst -sha256 -sign p256.key -out sig_p256_sha256.bin msg.bin
q openssl dgst -sha384 -sign sun.key -out sig_p384_sha384.bin msg.bin
q openssl dgst -sha512 -sign p521.key -out sig_p521_sha512.bin msg.bin
q openssl pkeyutl -sign -rawin -inkey ed.key -in msg.bin -out sig_ed25519.bin
echo ok
