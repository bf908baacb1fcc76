#!/bin/sh
# Captures real IKEv2 exchanges between two Debian strongSwan 5.9 charons in
# two network namespaces, with keys logged ("ike 4"), so the codec and key
# derivation can be checked against an independent implementation.
#   sudo tests/unit/ike/data/strongswan/capture.sh OUTDIR PROPOSAL ESP_PROPOSAL [LSW_IKE LSW_ESP]
# With LSW_IKE/LSW_ESP (libreswan syntax), the responder is libreswan 4.10's
# pluto, unpacked by scripts/setup under build/peers/libreswan/root; the
# strongSwan initiator still logs the keys, so its messages can be decrypted.
# Writes OUTDIR/ike.pcap, OUTDIR/charon-i.log and OUTDIR/charon-r.log; the
# extraction into vector files is done by extract.py. Everything it starts it
# stops; the namespaces are removed at the end.
set -eu
mkdir -p "$1"; out=$(realpath "$1"); ike=$2; esp=$3; lsw_ike=${4:-}; lsw_esp=${5:-}
repo=$(cd "$(dirname "$0")/../../../../.." && pwd)
lsw_root=$repo/build/peers/libreswan/root
ns_i=ikecap_i; ns_r=ikecap_r

work=$(mktemp -d)
cleanup() {
  for side in i r; do
    [ -f "$work/$side/charon.pid.mine" ] && kill "$(cat "$work/$side/charon.pid.mine")" 2>/dev/null || true
  done
  sleep 2; [ -f "$work/tcpdump.pid" ] && kill -INT "$(cat "$work/tcpdump.pid")" 2>/dev/null || true
  sleep 1
  ip netns del $ns_i 2>/dev/null || true
  ip netns del $ns_r 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add $ns_i
ip netns add $ns_r
ip link add ikecap0 netns $ns_i type veth peer name ikecap1 netns $ns_r
ip -n $ns_i addr add 10.255.77.1/24 dev ikecap0
ip -n $ns_r addr add 10.255.77.2/24 dev ikecap1
for ns in $ns_i $ns_r; do ip -n $ns link set lo up; done
ip -n $ns_i link set ikecap0 up
ip -n $ns_r link set ikecap1 up

for side in i r; do
  d=$work/$side
  mkdir -p $d/run $d/swanctl/conf.d
  if [ $side = i ]; then me=10.255.77.1; peer=10.255.77.2; myid=left.example.org; peerid=10.255.77.2
  else me=10.255.77.2; peer=10.255.77.1; myid=10.255.77.2; peerid=left.example.org; fi
  cat > $d/strongswan.conf <<CONF
charon {
  load_modular = yes
  install_routes = no
  retransmit_tries = 2
  plugins {
    include /etc/strongswan.d/charon/*.conf
  }
  filelog {
    log {
      path = $out/charon-$side.log
      default = 1
      ike = 4
      enc = 2
      chd = 4
      flush_line = yes
    }
  }
}
swanctl { socket = unix://$d/run/charon.vici }
CONF
  # vici socket path is set via the plugin option
  cat >> $d/strongswan.conf <<CONF
charon { plugins { vici { socket = unix://$d/run/charon.vici } } }
CONF
  cat > $d/swanctl/swanctl.conf <<CONF
connections {
  cap {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    proposals = $ike
    local { auth = psk
            id = $myid }
    remote { auth = psk
             id = $peerid }
    children {
      net {
        local_ts = $( [ $side = i ] && echo 10.1.0.0/16 || echo 10.2.0.0/16 )
        remote_ts = $( [ $side = i ] && echo 10.2.0.0/16 || echo 10.1.0.0/16 )
        esp_proposals = $esp
      }
    }
  }
}
secrets {
  ike-cap {
    id-a = left.example.org
    id-b = 10.255.77.2
    secret = "capture-test-psk"
  }
}
CONF
done

ip netns exec $ns_i tcpdump -Z root -i ikecap0 -w "$out/ike.pcap" -U \
  >"$out/tcpdump.log" 2>&1 &
echo $! > "$work/tcpdump.pid"

if [ -n "$lsw_ike" ]; then
  d=$work/lsw
  mkdir -p $d/nss $d/run $d/ipsec.d
  cat > $d/ipsec.conf <<CONF
config setup
	plutodebug=none
conn cap
	ikev2=insist
	authby=secret
	left=10.255.77.2
	leftid=10.255.77.2
	leftsubnet=10.2.0.0/16
	right=10.255.77.1
	rightid=@left.example.org
	rightsubnet=10.1.0.0/16
	ike=$lsw_ike
	esp=$lsw_esp
	leftupdown=/bin/true
	rightupdown=/bin/true
	auto=add
CONF
  printf '10.255.77.2 @left.example.org : PSK "capture-test-psk"\n' > $d/ipsec.secrets
  chmod 600 $d/ipsec.secrets
  certutil -N -d sql:$d/nss --empty-password >/dev/null
  ip netns exec $ns_r unshare -m -- sh -c 'mount --bind "$1/usr/libexec" /usr/libexec && shift && exec "$@"' \
    lsw "$lsw_root" "$lsw_root/usr/libexec/ipsec/pluto" --nofork --config $d/ipsec.conf \
    --secretsfile $d/ipsec.secrets --ipsecdir $d/ipsec.d --nssdir $d/nss --rundir $d/run \
    --logfile "$out/pluto-r.log" --log-no-time --no-dnssec >/dev/null 2>&1 &
  mkdir -p $work/r && echo $! > $work/r/charon.pid.mine
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S $d/run/pluto.ctl ] && break; sleep 1; done
  sleep 2
  ip netns exec $ns_r "$lsw_root/usr/libexec/ipsec/whack" --ctlsocket $d/run/pluto.ctl --listen >/dev/null
  sides=i
else
  sides="r i"
fi
for side in $sides; do
  d=$work/$side
  ns=$([ $side = i ] && echo $ns_i || echo $ns_r)
  # Own pid/ipsec dirs through a private /run in the namespace's mount ns.
  STRONGSWAN_CONF=$d/strongswan.conf ip netns exec $ns sh -c \
    "mount -t tmpfs none /run && /usr/lib/ipsec/charon >/dev/null 2>&1 & echo \$! > $d/charon.pid.mine"
done
sleep 3
for side in i r; do echo "$side in netns: $(ip netns identify "$(cat $work/$side/charon.pid.mine)")"; done
for side in $sides; do
  d=$work/$side
  ns=$([ $side = i ] && echo $ns_i || echo $ns_r)
  STRONGSWAN_CONF=$d/strongswan.conf ip netns exec $ns swanctl --load-all \
    --uri unix://$d/run/charon.vici --file $d/swanctl/swanctl.conf >/dev/null
done
STRONGSWAN_CONF=$work/i/strongswan.conf ip netns exec $ns_i swanctl --initiate --child net \
  --uri unix://$work/i/run/charon.vici --timeout 20
sleep 1
STRONGSWAN_CONF=$work/i/strongswan.conf ip netns exec $ns_i swanctl --terminate --ike cap \
  --uri unix://$work/i/run/charon.vici --timeout 10 || true
sleep 1
