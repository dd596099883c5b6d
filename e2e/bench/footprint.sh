#!/usr/bin/env bash
# Footprint benchmark (issue 17): the node agents' and the operator's resident memory on the local
# mesh once it is idle, at 3, 20 and 50 nodes, and an agent's start to Ready from its persisted
# state; the JVM flags the agents and operator ran with before issue 17 ("before") against the
# launcher's current ones ("launcher"), side by side in the same mesh (agent i runs one or the other,
# swapped every round; the operator runs each in turn). Then the standalone daemon against
# wireguard-go with 1000 peers (wireguard/bench/memory.sh), in the same run.
#
#   sudo e2e/bench/footprint.sh                      # 3, 20 and 50 nodes, 3 rounds, 30 s idle
#   sudo NODES="20" ROUNDS=3 IDLE=30 e2e/bench/footprint.sh [FOOTPRINT-ARGS...]
#
# FOOTPRINT-ARGS replace the default variants, e.g. --agent launcher --agent 'trim=-XX:+UseSerialGC
# -XX:TrimNativeHeapInterval=2000' (see `--help` of dev.wiremesh.e2e.footprint.Footprint; a word
# VAR=VALUE among the flags is an environment variable, e.g. 'arenas=MALLOC_ARENA_MAX=2 -Xms16m'). Each
# sample prints RSS, its anonymous part and USS (the pages only that process maps). DAEMON=0
# skips the daemon. It takes /tmp/wiremesh-netns.lock itself (the local mesh's namespaces and bridge
# have fixed names). Needs root, a build (./mvnw -B package -DskipTests), and for the daemon
# wireguard-go, wireguard-tools and iperf3. 50 nodes is 51 JVMs: about 6 GB and several minutes.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -z "${FOOTPRINT_LOCKED:-}" ]; then
  exec env FOOTPRINT_LOCKED=1 flock /tmp/wiremesh-netns.lock "$0" "$@"
fi
[ "$(id -u)" = 0 ] || { echo "footprint: needs root (network namespaces, TUN devices)" >&2; exit 1; }
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
jar=$(ls "$home"/e2e/target/wiremesh-e2e-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -1 || true)
[ -n "$jar" ] || { echo "footprint: not built; run ./mvnw -B package -DskipTests in $home" >&2; exit 1; }

# The agent's and operator's flags on main before issue 17.
before="-XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:CICompilerCount=2"
variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(--agent "before=$before" --agent launcher --operator "before=$before" --operator launcher)

echo "\$ e2e/bench/footprint.sh $*  (NODES=\"${NODES:-3 20 50}\" ROUNDS=${ROUNDS:-3} IDLE=${IDLE:-30})"
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); kernel $(uname -r)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); memory available: $(awk '/MemAvailable/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
for n in ${NODES:-3 20 50}; do
  echo
  echo "=== $n nodes"
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Dwiremesh.home="$home" -cp "$jar:$home/e2e/target/lib/*" \
    dev.wiremesh.e2e.footprint.Footprint --nodes "$n" --rounds "${ROUNDS:-3}" --idle "${IDLE:-30}" "${variants[@]}"
done
if [ "${DAEMON:-1}" != 0 ]; then
  echo
  echo "=== standalone daemon against wireguard-go, 1000 peers (wireguard/bench/memory.sh)"
  IMPL="$home/wireguard/bin/wiremesh-wg" "$home/wireguard/bench/memory.sh"
fi
