#!/bin/bash
# Harness self-test: a scenario that must FAIL. scripts/vm-tests runs it
# through the same runner as the real scenarios and expects a FAIL line;
# if it were reported as passing, the runner could not be trusted.
# It fails the way a broken scenario would: a ping to an absent address.
. "$(dirname "$0")/../lib.sh" || exit 1

ns_create hs_a
ip -n hs_a link add d0 type dummy
ip -n hs_a link set d0 up
# 192.0.2.0/24 is TEST-NET-1: nobody on d0 answers for .99.
ip -n hs_a addr add 192.0.2.1/24 dev d0
in_ns hs_a ping -c1 -W1 192.0.2.99
echo "fail_case: reached the end; the ping above should have failed"
