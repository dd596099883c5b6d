#!/usr/bin/env bash
# Where the daemon's idle memory goes: starts wireguard/bin/wiremesh-wg in a network namespace with
# PEERS peers (as memory.sh: random keys, an endpoint and a /24 each, through `wg setconf`), waits,
# then prints its RSS (anonymous and file-backed), the largest mappings (pmap) and the JVM's own
# accounting (Native Memory Tracking). Extra JVM flags to try go in the first argument.
#
#   sudo wireguard/bench/memory-breakdown.sh ["-XX:TrimNativeHeapInterval=2000 ..."] [seconds]
#
# Needs root, iproute2, wireguard-tools, a JDK 25 (jcmd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
IMPL=${IMPL:-$here/../bin/wiremesh-wg}
PEERS=${PEERS:-1000}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
NS=wmmem$$
conf=$(mktemp)
cleanup() {
  ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null || true
  sleep 0.5; ip netns del $NS 2>/dev/null || true; rm -f "$conf"
}
trap cleanup EXIT
ip netns add $NS
ip -n $NS link set lo up
{
  echo "[Interface]"; echo "PrivateKey = $(wg genkey)"; echo "ListenPort = 51820"
  for i in $(seq 1 "$PEERS"); do
    echo "[Peer]"; echo "PublicKey = $(wg genkey | wg pubkey)"
    echo "Endpoint = 198.51.100.$((i % 250 + 1)):$((20000 + i))"
    echo "AllowedIPs = 10.$((100 + i / 250)).$((i % 250)).0/24"
  done
} >"$conf"
WIREMESH_WG_JAVA_OPTS="-XX:NativeMemoryTracking=summary ${1:-}" ip netns exec $NS "$IMPL" wmmem0
ip netns exec $NS wg setconf wmmem0 "$conf"
ip -n $NS link set wmmem0 up
sleep "${2:-12}"
pid=$(ip netns pids $NS | head -1)
flags=${1:-none beyond the launcher defaults}
echo "flags: $flags; peers: $PEERS"
grep -E "VmRSS|RssAnon|RssFile|Threads" /proc/"$pid"/status
echo "--- largest mappings (kB: size, resident, dirty)"
pmap -x "$pid" | sort -k3 -n -r | head -12
echo "--- Native Memory Tracking (committed)"
"$JAVA_HOME/bin/jcmd" "$pid" VM.native_memory summary | grep -E "^(Total|-)" | grep committed= | head -20
