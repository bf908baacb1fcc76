# libFuzzer targets for userspace/config (owner: config).
#   config_conf_fuzz       ParseConfigText() of arbitrary ipsec.conf text
#   config_secrets_fuzz    ParseSecretsText() of arbitrary ipsec.secrets text
#   config_proposals_fuzz  ParseProposals() of arbitrary ike=/esp= strings
# Includes are disabled (LoadOptions::allow_includes = false): the fuzzers
# never touch the file system. Run them all with scripts/fuzz.
# The library is instrumented too, so coverage guides the fuzzer into it.
target_compile_options(ipsec_config PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
foreach(target config_conf_fuzz config_secrets_fuzz config_proposals_fuzz)
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${target}.cc)
  target_link_libraries(${target} PRIVATE ipsec_config)
  target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
endforeach()
