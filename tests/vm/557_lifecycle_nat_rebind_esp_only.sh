#!/bin/bash
# vm-timeout: 600
# NAT rebinding moved by ESP alone (issue 18): 545 with DPD off and long
# lifetimes, so gw1 sends no IKE message after the setup and only the
# module's MAPPING event (an authenticated ESP-in-UDP packet from the new
# NAT port) reaches gw2's daemon, which moves the IKE SA and both SAs of
# the child (UPD_SA). On top of 545's checks: exactly one move, made by
# the ESP-in-UDP MAPPING event, none by an IKE message. Without the
# daemon's handling of the event, gw2 keeps sending to the dead mapping
# and the ping never recovers.
REBIND_ESP_ONLY=1 exec "$(dirname "$0")/545_lifecycle_nat_rebind.sh"
