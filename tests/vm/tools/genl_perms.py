# Every command of the "ipsec_tun" family once (doit, and dump where there
# is one), each complete enough that only the caller's permission or the
# device can refuse it, then joining the "events" group. Prints one line
# per request, "CMD[-dump] ERRNO-NAME", and "JOIN ERRNO-NAME".
#
#   python3 genl_perms.py IFNAME [SPI]
import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genl  # noqa: E402

ifname = sys.argv[1]
spi = int(sys.argv[2], 0) if len(sys.argv) > 2 else 0x7000
g = genl.Genl()
dev = genl.string(genl.A_IFNAME, ifname)
sa_id = genl.nest(genl.A_SA, genl.u32(genl.SA_SPI, spi), genl.u8(genl.SA_DIR, 1))
requests = [  # in an order that leaves nothing behind when all succeed
    ("GET_DEV", b"", False), ("GET_DEV", b"", True),
    ("NEW_SA", genl.sa_nest(spi, 1), False), ("UPD_SA", sa_id, False),
    ("GET_SA", sa_id, False), ("GET_SA", b"", True), ("DEL_SA", sa_id, False),
    ("NEW_POLICY", genl.policy_nest(7), False), ("GET_POLICY", b"", True),
    ("DEL_POLICY", genl.policy_nest(7), False),
    ("SET_ENCAP", genl.attr(genl.A_ENCAP_FD, (-1).to_bytes(4, "little", signed=True)), False),
    ("FLUSH", b"", False),
]
for name, attrs, dump in requests:
    err, text, _ = g.request(genl.COMMANDS[name], dev + attrs, dump)
    print(name + ("-dump" if dump else ""), genl.errname(err))
print("JOIN", genl.errname(g.join("events")))
