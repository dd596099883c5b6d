#!/usr/bin/env bash
# Handshake-flood benchmark: does an established tunnel keep carrying traffic while one source
# floods the interface with handshake initiations (valid MAC1, unknown key), and what does the
# flood cost the daemon? Runs the implementation under test (IMPL) and wireguard-go (REF) in the
# same run, each through the same phases:
#   quiet   ping and iperf3 through the tunnel, no flood
#   mac1    the same during a flood of initiations with a valid MAC1 (cookie replies expected)
#   mac2    the same during a flood that answers the first cookie reply, so it carries valid MAC2s
#           (the rate limiter must stop it)
# and the shapes a new user tries with a capture of the peer's traffic (tcpdump while the peer
# starts the tunnel; dev.wiremesh.wireguard.bench.ShapedFlood sends them from the same one source):
#   replay            the peer's captured initiation, again and again
#   replay-garbage    that initiation and random datagrams (1-1400 bytes) alternately
#   garbage           random datagrams only
#   truncated         prefixes of the initiation and of a transport message
#   oversized         the initiation and a transport header followed by up to 8 KB of junk
#   transport-replay  the peer's captured transport messages again and again
# For each: flood rate achieved, replies the flooder got (cookie replies), the target daemon's CPU
# (% of one core), ping loss and median RTT, iperf3 throughput.
#
#   sudo IMPL=wireguard/bin/wiremesh-wg wireguard/bench/flood.sh [seconds-per-phase]
#
# FAMILY=6 puts the outer (UDP) addresses on IPv6 (2001:db8::/64) instead of IPv4; PHASES="quiet
# replay-garbage" runs only those phases; IPERF=0 leaves iperf3 out (ping alone through the tunnel).
#
# Needs root, iproute2, wireguard-tools, wireguard-go, iperf3, ping, jq, a JDK 25, and the
# wireguard module built with its tests compiled (./mvnw -B -pl wireguard -am package -DskipTests
# compiles them; the flooder is dev.wiremesh.wireguard.bench.HandshakeFlood).
set -euo pipefail
SECS=${1:-8}
IMPL=${IMPL:?set IMPL to the launcher of the implementation under test}
REF=${REF:-wireguard-go}
HERE=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
CP="$HERE/target/test-classes:$HERE/target/classes:$HERE/target/lib/*"
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
FAMILY=${FAMILY:-4}
PHASES=${PHASES:-quiet mac1 mac2 replay replay-garbage garbage truncated oversized transport-replay}
IPERF=${IPERF:-1}
for t in ip wg iperf3 ping jq tcpdump "$REF" "$JAVA"; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }; done
[ -d "$HERE/target/test-classes/dev/wiremesh/wireguard/bench" ] || { echo "build first: ./mvnw -B -pl wireguard -am package -DskipTests" >&2; exit 2; }
A=flooda$$; B=floodb$$
cleanup() {
  for n in $A $B; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del $n 2>/dev/null || true; done
}
trap 'cleanup; rm -f "$CAP" "$CAP.log"' EXIT
ip netns add $A; ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
if [ "$FAMILY" = 6 ]; then
  OA=2001:db8::1; OB=2001:db8::2; OF=2001:db8::66; EA="[$OA]:51820"; EB="[$OB]:51820"; PL=64
else
  OA=192.0.2.1; OB=192.0.2.2; OF=192.0.2.66; EA="$OA:51820"; EB="$OB:51820"; PL=24
fi
ip -n $A addr add $OA/$PL dev va nodad; ip -n $B addr add $OB/$PL dev vb nodad
# The flooder's own source address: one source, not the peer's (deprecated, so that the peer's own
# traffic never leaves from it: IPv6 would otherwise pick the newest address).
ip -n $B addr add $OF/$PL dev vb nodad preferred_lft 0
CAP=/tmp/flood.$$.pcap
for n in $A $B; do ip -n $n link set lo up; done
ip -n $A link set va up; ip -n $B link set vb up
KA=$(wg genkey); KB=$(wg genkey); PA=$(wg pubkey <<<"$KA"); PB=$(wg pubkey <<<"$KB")

up() {
  local prog=$1 ia=${2}a ib=${2}b
  ip netns exec $A "$prog" $ia >/dev/null; ip netns exec $B "$prog" $ib >/dev/null
  ip netns exec $A wg set $ia private-key <(echo "$KA") listen-port 51820 peer "$PB" endpoint "$EB" allowed-ips 10.77.0.2/32
  ip netns exec $B wg set $ib private-key <(echo "$KB") listen-port 51820 peer "$PA" endpoint "$EA" allowed-ips 10.77.0.1/32
  ip -n $A addr add 10.77.0.1/24 dev $ia; ip -n $B addr add 10.77.0.2/24 dev $ib
  ip -n $A link set $ia up; ip -n $B link set $ib up
  # The peer (B) starts the tunnel while tcpdump records what it sends: its initiation and its first
  # transport messages are what the shaped floods replay.
  ip netns exec $B tcpdump -i vb -U -w "$CAP" "udp and src host $OB and dst host $OA and dst port 51820" 2>"$CAP.log" &
  local td=$!
  for _ in $(seq 100); do grep -q listening "$CAP.log" && break; sleep 0.1; done
  ip netns exec $B ping -c 3 -i 0.2 -W 5 10.77.0.1 >/dev/null
  sleep 0.5; kill $td; wait $td 2>/dev/null || true
  echo "captured: $(tcpdump -r "$CAP" -n 2>/dev/null | wc -l) datagrams" >&2
}
down() { ip -n $A link del ${1}a 2>/dev/null || true; ip -n $B link del ${1}b 2>/dev/null || true; sleep 1; }

# The target daemon: the one process in A that is neither ping nor iperf3.
target_pid() {
  for pid in $(ip netns pids $A); do
    case "$(cat /proc/$pid/comm 2>/dev/null)" in iperf3|ping|"") continue;; esac
    echo "$pid"; return
  done
}
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# phase NAME FLOODARGS: prints "rate replies cpu% loss% rtt_ms gbit"
phase() {
  local mode=$1 pid f0 f1 t0 t1 out=/tmp/flood.$$ rate=0 replies=0 loss rtt gbit fp=0 pp
  pid=$(target_pid)
  [ "$IPERF" = 1 ] && { ip netns exec $A iperf3 -s -1 -D -p 5201 >/dev/null; sleep 0.3; }
  case "$mode" in
    quiet) ;;
    mac1|mac2)
      extra=(); [ "$mode" = mac2 ] && extra=(--cookie)
      ip netns exec $B "$JAVA" -cp "$CP" dev.wiremesh.wireguard.bench.HandshakeFlood \
        "$OF" "$EA" "$PA" "$((SECS + 2))" "${extra[@]}" >"$out" 2>&1 &
      fp=$! ;;
    *)
      ip netns exec $B "$JAVA" -cp "$CP" dev.wiremesh.wireguard.bench.ShapedFlood \
        "$OF" "$EA" "$((SECS + 2))" "$mode" "$CAP" >"$out" 2>&1 &
      fp=$! ;;
  esac
  [ "$mode" != quiet ] && sleep 1.5
  t0=$(ticks "$pid"); f0=$(date +%s.%N)
  ip netns exec $B ping -c $((SECS * 10)) -i 0.1 -W 1 -q 10.77.0.1 >"$out.ping" 2>&1 &
  pp=$!
  if [ "$IPERF" = 1 ]; then
    gbit=$(ip netns exec $B iperf3 -c 10.77.0.1 -p 5201 -t "$SECS" -J | jq '.end.sum_received.bits_per_second/1e9')
  else
    gbit=0
  fi
  wait $pp || true
  t1=$(ticks "$pid"); f1=$(date +%s.%N)
  [ "$mode" != quiet ] && { wait $fp || true; }
  loss=$(grep -o '[0-9.]*% packet loss' "$out.ping" | cut -d% -f1)
  rtt=$(awk -F/ '/rtt/ {print $5}' "$out.ping"); rtt=${rtt:-nan}
  if [ "$mode" != quiet ]; then
    rate=$(grep -o 'rate_per_s=[0-9]*' "$out" | cut -d= -f2); replies=$(grep -o 'replies=[0-9]*' "$out" | cut -d= -f2)
    [ -n "$rate" ] || { echo "flooder failed: $(cat "$out")" >&2; }
  fi
  awk -v r="${rate:-0}" -v c="${replies:-0}" -v dt=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s0="$f0" -v s1="$f1" \
      -v l="$loss" -v rt="$rtt" -v g="$gbit" \
    'BEGIN { printf "%8d %9d %6.0f %6s %8s %7.3f\n", r, c, 100 * dt / hz / (s1 - s0), l, rt, g }'
  rm -f "$out" "$out.ping"
}

printf '%-6s %-6s %8s %9s %6s %6s %8s %7s\n' impl phase flood/s cookies cpu% loss% rtt_ms gbit
for prog in "$REF" "$IMPL"; do
  name=$([ "$prog" = "$REF" ] && echo ref || echo impl)
  up "$prog" "${name:0:3}"
  for mode in $PHASES; do
    printf '%-6s %-6s %s\n' "$name" "$mode" "$(phase $mode)"
  done
  down "${name:0:3}"
done
