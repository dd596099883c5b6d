#!/usr/bin/env bash
# Latency through the tunnel, idle and under load: ping's median RTT with nothing else running, and
# while iperf3 saturates the tunnel in the same direction (the queues in the path fill: bufferbloat).
# The Java daemon (IMPL) and wireguard-go (REF) alternate in the same run, like
# ../shared/bench/dataplane.sh, over two namespaces joined by a veth pair; each round prints both,
# and the end the median ratios impl/ref (lower is better).
#
#   sudo wireguard/bench/latency.sh [seconds-under-load] [rounds]
#
# Needs root, iproute2, wireguard-tools, wireguard-go, iperf3, iputils-ping.
set -euo pipefail
SECS=${1:-10}; ROUNDS=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
IMPL=${IMPL:-$here/../bin/wiremesh-wg}
REF=${REF:-wireguard-go}
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
for t in ip wg iperf3 ping "$REF"; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }; done
A=wmlata$$; B=wmlatb$$
cleanup() {
  ip netns pids $A 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids $B 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A addr add 192.0.2.1/24 dev va; ip -n $B addr add 192.0.2.2/24 dev vb
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set va up; ip -n $B link set vb up
KA=$(wg genkey); KB=$(wg genkey); PA=$(wg pubkey <<<"$KA"); PB=$(wg pubkey <<<"$KB")

up() {
  local prog=$1 ia=${2}a ib=${2}b
  ip netns exec $A "$prog" $ia >/dev/null; ip netns exec $B "$prog" $ib >/dev/null
  ip netns exec $A wg set $ia private-key <(echo "$KA") listen-port 51820 peer "$PB" endpoint 192.0.2.2:51820 allowed-ips 10.77.0.2/32
  ip netns exec $B wg set $ib private-key <(echo "$KB") listen-port 51820 peer "$PA" endpoint 192.0.2.1:51820 allowed-ips 10.77.0.1/32
  ip -n $A addr add 10.77.0.1/24 dev $ia; ip -n $B addr add 10.77.0.2/24 dev $ib
  ip -n $A link set $ia up; ip -n $B link set $ib up
  ip netns exec $A ping -c 1 -W 5 10.77.0.2 >/dev/null
}
down() { ip -n $A link del ${1}a 2>/dev/null || true; ip -n $B link del ${1}b 2>/dev/null || true; sleep 1; }

# median of ping's per-packet RTTs (ms)
ping_median() {
  ip netns exec $A ping -c "$1" -i 0.05 10.77.0.2 \
    | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "nan") }'
}

# measure: prints "idle_ms loaded_ms loaded_gbit"
measure() {
  local idle loaded json
  ip netns exec $B iperf3 -s -1 -D -p 5201 >/dev/null; sleep 0.3
  ip netns exec $A iperf3 -c 10.77.0.2 -p 5201 -t "$SECS" -J >/tmp/latency-iperf.$$ &
  local ip=$!
  sleep 2 # past slow start: the queues are full
  loaded=$(ping_median $(( (SECS - 3) * 20 )))
  wait $ip
  idle=$(ping_median 40) # after the load, like dataplane.sh: a JIT-compiled daemon, as in service
  json=$(cat /tmp/latency-iperf.$$); rm -f /tmp/latency-iperf.$$
  echo "$idle $loaded $(jq '.end.sum_received.bits_per_second/1e9' <<<"$json")"
}

declare -a RI RR
for r in $(seq 1 "$ROUNDS"); do
  up "$REF" ref; RR+=("$(measure)"); down ref
  up "$IMPL" imp; RI+=("$(measure)"); down imp
done
printf '%-6s %12s %12s %14s %14s %10s %10s\n' round impl_idle_ms ref_idle_ms impl_loaded_ms ref_loaded_ms impl_gbit ref_gbit
for i in "${!RI[@]}"; do
  read -r ii il ig <<<"${RI[$i]}"; read -r ri rl rg <<<"${RR[$i]}"
  printf '%-6s %12s %12s %14s %14s %10.3f %10.3f\n' $((i+1)) "$ii" "$ri" "$il" "$rl" "$ig" "$rg"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
pairs=$(paste -d' ' <(printf '%s\n' "${RI[@]}") <(printf '%s\n' "${RR[@]}"))
printf 'median idle RTT ratio impl/ref: %.2f (lower is better)\n' "$(awk '{ printf "%.4f\n", $1 / $4 }' <<<"$pairs" | median)"
printf 'median loaded RTT ratio impl/ref: %.2f (lower is better)\n' "$(awk '{ printf "%.4f\n", $2 / $5 }' <<<"$pairs" | median)"
