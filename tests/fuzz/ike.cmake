# libFuzzer targets for the IKE codec (owner: userspace/ike).
#   ike_decode_fuzz     Decode() of arbitrary datagrams without keys
#   ike_sk_decode_fuzz  Decode() with fixed SK keys (AES-GCM and AES-CBC+HMAC), after
#                       re-sealing the input so the fuzzer reaches the inner payload parser
#   ike_fragments_fuzz  OpenFragment() of raw input, then records sealed as SKF fragments
#                       through one FragmentReassembler (bounds, Take)
#   ikev1_decode_fuzz   IKEv1 (ISAKMP) Decode(), payload chains and attribute views
# Run: build-fuzz-ike/bin/ike_decode_fuzz -max_total_time=120 tests/fuzz/corpus/ike_decode
foreach(target ike_decode_fuzz ike_sk_decode_fuzz ike_fragments_fuzz ikev1_decode_fuzz)
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${target}.cc)
  target_link_libraries(${target} PRIVATE ipsec_ike)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
endforeach()
