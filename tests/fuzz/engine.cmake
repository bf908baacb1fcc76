# libFuzzer target for the IKE state machine (owner: userspace/engine).
#   engine_pair_fuzz  two Engines on the fake network, an established tunnel,
#                     then forged/mutated/replayed datagrams from the input
# Run: scripts/fuzz 60 with FUZZ_FILTER=engine
add_executable(engine_pair_fuzz ${CMAKE_CURRENT_SOURCE_DIR}/engine_pair_fuzz.cc)
target_link_libraries(engine_pair_fuzz PRIVATE ipsec_engine ipsec_kernel_mock)
target_include_directories(engine_pair_fuzz PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
target_compile_options(engine_pair_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
target_link_options(engine_pair_fuzz PRIVATE -fsanitize=fuzzer,address,undefined)
