# libFuzzer target for the certificate payload paths (owner: userspace/ike/cert).
#   cert_payload_fuzz  CERT / CERTREQ bodies, ID-to-certificate matching, the
#                      SIGNATURE_HASH_ALGORITHMS data and a method-14 AUTH's
#                      AlgorithmIdentifier, on arbitrary bytes
# Run: build-fuzz-ike/bin/cert_payload_fuzz -max_total_time=120 tests/fuzz/corpus/cert_payload
add_executable(cert_payload_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/cert_payload_fuzz.cc)
target_link_libraries(cert_payload_fuzz PRIVATE ipsec_cert)
target_compile_options(cert_payload_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(cert_payload_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
