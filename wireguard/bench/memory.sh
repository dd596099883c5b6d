#!/usr/bin/env bash
# Memory benchmark: resident size of the daemon (IMPL) and of wireguard-go (REF), each idle with 1000
# peers configured through `wg setconf`, then after 5 s of iperf3 through its tunnel.
#
#   sudo IMPL=wireguard/bin/wiremesh-wg wireguard/bench/memory.sh
#
# Needs root, iproute2, wireguard-tools, wireguard-go, iperf3.
set -euo pipefail
IMPL=${IMPL:?set IMPL to the launcher of the implementation under test}
REF=${REF:-wireguard-go}
PEERS=${PEERS:-1000}
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
A=mema$$; B=memb$$
cleanup() {
  for n in $A $B; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del $n 2>/dev/null || true; done
  rm -f /tmp/memconf.$$
}
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A addr add 192.0.2.1/24 dev va; ip -n $B addr add 192.0.2.2/24 dev vb
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set va up; ip -n $B link set vb up
KA=$(wg genkey); KB=$(wg genkey); PA=$(wg pubkey <<<"$KA"); PB=$(wg pubkey <<<"$KB")
{
  echo "[Interface]"; echo "PrivateKey = $KA"; echo "ListenPort = 51820"
  echo "[Peer]"; echo "PublicKey = $PB"; echo "Endpoint = 192.0.2.2:51820"; echo "AllowedIPs = 10.77.0.2/32"
  for i in $(seq 1 "$PEERS"); do
    echo "[Peer]"; echo "PublicKey = $(wg genkey | wg pubkey)"
    echo "Endpoint = 198.51.100.$((i % 250 + 1)):$((20000 + i))"
    echo "AllowedIPs = 10.$((100 + i / 250)).$((i % 250)).0/24"
  done
} >/tmp/memconf.$$

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
daemon_pid() {
  for pid in $(ip netns pids $A); do
    case "$(cat /proc/$pid/comm 2>/dev/null)" in iperf3|ping|"") continue;; esac
    echo "$pid"; return
  done
}

printf '%-6s %14s %18s\n' impl idle_MB after_iperf_MB
for prog in "$REF" "$IMPL"; do
  name=$([ "$prog" = "$REF" ] && echo ref || echo impl)
  ia=${name:0:3}a; ib=${name:0:3}b
  ip netns exec $A "$prog" $ia >/dev/null; ip netns exec $B "$prog" $ib >/dev/null
  ip netns exec $A wg setconf $ia /tmp/memconf.$$
  ip netns exec $B wg set $ib private-key <(echo "$KB") listen-port 51820 peer "$PA" endpoint 192.0.2.1:51820 allowed-ips 10.77.0.1/32
  ip -n $A addr add 10.77.0.1/24 dev $ia; ip -n $B addr add 10.77.0.2/24 dev $ib
  ip -n $A link set $ia up; ip -n $B link set $ib up
  ip netns exec $A ping -c 1 -W 5 10.77.0.2 >/dev/null
  sleep 3
  pid=$(daemon_pid); idle=$(rss_kb "$pid")
  ip netns exec $B iperf3 -s -1 -D -p 5201 >/dev/null; sleep 0.3
  ip netns exec $A iperf3 -c 10.77.0.2 -p 5201 -t 5 >/dev/null
  sleep 1; after=$(rss_kb "$pid")
  awk -v n="$name" -v i="$idle" -v a="$after" 'BEGIN { printf "%-6s %14.1f %18.1f\n", n, i / 1024, a / 1024 }'
  ip -n $A link del $ia; ip -n $B link del $ib; sleep 1
done
