#!/usr/bin/env bash
# The conditions a data-plane figure was measured under: the date, the machine (CPU model, cores,
# kernel), and the offloads each implementation negotiates on this kernel, so that a figure always
# comes with them. Then, with arguments, runs ../shared/bench/dataplane.sh with them.
#
#   sudo wireguard/bench/conditions.sh                 # print the conditions only
#   sudo wireguard/bench/conditions.sh 10 5            # and then: dataplane.sh 10 5 on the daemon
#
# The Java daemon reports its offloads itself (its verbose start-up line, "offloads: ..."); for both
# implementations the TUN's kernel-side features come from `ethtool -k` when ethtool is installed
# (tx-tcp-segmentation on = the daemon accepted TCP super-packets from the kernel).
# Needs root, iproute2, wireguard-tools, wireguard-go; ethtool optional.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
IMPL=${IMPL:-$here/../bin/wiremesh-wg}
REF=${REF:-wireguard-go}
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
NS=wmcond$$
cleanup() {
  ip netns pids $NS 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del $NS 2>/dev/null || true
}
trap cleanup EXIT
ip netns add $NS
ip -n $NS link set lo up

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "cpu:     $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo) ($(nproc) cores)"
echo "kernel:  $(uname -r)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; a figure needs a quiet machine)"

tun_features() {
  if command -v ethtool >/dev/null; then
    ip netns exec $NS ethtool -k "$1" 2>/dev/null \
      | awk '/^(tx-checksumming|tcp-segmentation-offload|generic-receive-offload):/ {printf "%s %s; ", $1, $2}'
  else
    echo -n "(install ethtool to see the TUN's kernel-side features)"
  fi
}

# The Java daemon in the foreground, verbose: its own line says what it negotiated.
log=$(mktemp)
ip netns exec $NS env LOG_LEVEL=verbose "$IMPL" -f wmcondj >"$log" 2>&1 &
for _ in $(seq 1 300); do grep -q "offloads:" "$log" && break; sleep 0.1; done
echo "java:    $(grep -o 'offloads:.*' "$log" | head -1 || echo 'offloads: (the daemon did not report them)')"
echo "         TUN: $(tun_features wmcondj)"
ip -n $NS link del wmcondj 2>/dev/null || true
rm -f "$log"

ip netns exec $NS "$REF" wmcondg >/dev/null 2>&1
version=$(dpkg-query -W -f='${Version}' wireguard-go 2>/dev/null || echo unknown)
echo "wireguard-go: $version; TUN: $(tun_features wmcondg)"
case "$version" in
  0.0.2022*|0.0.2021*|0.0.2020*) echo "         (this version predates wireguard-go's TUN TSO and UDP GSO/GRO: it uses none)" ;;
esac
ip -n $NS link del wmcondg 2>/dev/null || true

if [ $# -gt 0 ]; then
  echo
  DATAPLANE=${DATAPLANE:-$here/../../../shared/bench/dataplane.sh}
  IMPL=$IMPL REF=$REF "$DATAPLANE" "$@"
fi
