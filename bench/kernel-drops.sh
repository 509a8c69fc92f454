#!/usr/bin/env bash
# What the kernel export saves: a banned source reconnecting as fast as it can, refused by Bulwark in user space
# (kernel.nftables off: accepted by the kernel's TCP stack, reset by AcceptFilter) against dropped by the nftables
# rule before any socket exists (on). One edge process, toggled between the two by reload, alternating rounds.
#
#   sudo bench/kernel-drops.sh
#
# Everything runs in two network namespaces this script makes (bw-kd-edge-PID, bw-kd-cli-PID, joined by a veth pair
# created inside them, 203.0.113.0/24) and deletes on exit; the host's interfaces, routes and tables are never
# touched. The edge is pinned to CPU 0, the reconnecting client (bench/tools/reconnect.py) to CPU 1.
#
# Per mode it reports the edge process's CPU (utime + stime from /proc/PID/stat) per connection attempt, less what the
# idle edge uses in the same time (measured before each round with no client), the attempts per second, and the machine's softirq time per attempt (/proc/stat, all CPUs: the client's SYNs and, with
# the export off, the handshake and reset, are kernel work in softirq on both CPUs).
# Last line: `kernel-drops edge_cpu_us_per_attempt off=X on=Y off/on=Z softirq_us_per_attempt off=A on=B`.
#
# Environment: ROUNDS [2]  DURATION [10] seconds per mode per round  CONCURRENCY [500]  KEEP_TMP [0]
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-500}
KEEP_TMP=${KEEP_TMP:-0}

[ "$(id -u)" -eq 0 ] || { echo "kernel-drops.sh: needs root (network namespaces, nftables)" >&2; exit 2; }
for tool in ip nft taskset python3; do
  command -v "$tool" >/dev/null || { echo "kernel-drops.sh: $tool is missing (apt-get install iproute2 nftables util-linux python3)" >&2; exit 2; }
done

EDGE_NS=bw-kd-edge-$$
CLI_NS=bw-kd-cli-$$
TMP=$(mktemp -d /tmp/bulwark-kernel-drops.XXXXXX)
EDGE_PID=""
cleanup() {
  [ -n "$EDGE_PID" ] && kill "$EDGE_PID" 2>/dev/null && wait "$EDGE_PID" 2>/dev/null || true
  ip netns del "$CLI_NS" 2>/dev/null || true
  ip netns del "$EDGE_NS" 2>/dev/null || true
  [ "$KEEP_TMP" = 1 ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$EDGE_NS"
ip netns add "$CLI_NS"
ip link add bwe0 netns "$EDGE_NS" type veth peer name bwc0 netns "$CLI_NS"
ip -n "$EDGE_NS" link set lo up
ip -n "$CLI_NS" link set lo up
ip -n "$EDGE_NS" addr add 203.0.113.1/24 dev bwe0
ip -n "$CLI_NS" addr add 203.0.113.2/24 dev bwc0
ip -n "$EDGE_NS" link set bwe0 up
ip -n "$CLI_NS" link set bwc0 up

config() { # $1 = true|false (kernel export)
  cat > "$TMP/bulwark.yaml" <<YAML
listen:
  http: 203.0.113.1:8080
  event_loops: 1
access_log: {enabled: false}
admin: {listen: 127.0.0.1:9180, token_file: $TMP/admin.token}
detection: {enabled: false}
kernel:
  nftables: {enabled: $1, table: bwbench}
protection:
  bans:
    action: close
    manual:
      - {subject: 203.0.113.2, reason: "the reconnecting source"}
sites:
  - name: alpha
    hosts: [alpha.test]
    origins: [127.0.0.1:9]
YAML
}

./bulwark check-config --help >/dev/null # builds the jar when stale, outside the measured rounds
config false
ip netns exec "$EDGE_NS" taskset -c 0 ./bulwark serve --config "$TMP/bulwark.yaml" > "$TMP/edge.log" 2>&1 &
EDGE_PID=$!
for _ in $(seq 1 120); do
  ip netns exec "$EDGE_NS" bash -c "exec 3<>/dev/tcp/203.0.113.1/8080" 2>/dev/null && break
  sleep 0.5
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$EDGE_PID/stat"; }
cpu_softirq() { awk '/^cpu /{print $8}' /proc/stat; }
HZ=$(getconf CLK_TCK)

set_mode() { # $1 = off|on
  if [ "$1" = on ]; then config true; else config false; fi
  ip netns exec "$EDGE_NS" ./bulwark reload --config "$TMP/bulwark.yaml" >/dev/null
  for _ in $(seq 1 100); do
    if [ "$1" = on ]; then
      ip netns exec "$EDGE_NS" nft list set inet bwbench banned4 2>/dev/null | grep -q 203.0.113.2 && return 0
    else
      ip netns exec "$EDGE_NS" nft list tables 2>/dev/null | grep -q bwbench || return 0
    fi
    sleep 0.1
  done
  echo "kernel-drops.sh: mode $1 not reached (see $TMP/edge.log)" >&2
  exit 1
}

declare -A CPU_US ATTEMPTS SOFT_US SECS
for mode in off on; do CPU_US[$mode]=0; ATTEMPTS[$mode]=0; SOFT_US[$mode]=0; SECS[$mode]=0; done
IDLE_US=0; IDLE_SECS=0
# A warm-up round of the user-space path, so the JIT has compiled the refusal before it is measured.
set_mode off
ip netns exec "$CLI_NS" taskset -c 1 python3 bench/tools/reconnect.py 203.0.113.1 8080 5 "$CONCURRENCY" >/dev/null

for round in $(seq 1 "$ROUNDS"); do
  c0=$(cpu_ticks); sleep "$DURATION"; c1=$(cpu_ticks)
  IDLE_US=$(( IDLE_US + (c1 - c0) * 1000000 / HZ )); IDLE_SECS=$(( IDLE_SECS + DURATION ))
  printf 'round %d idle edge_cpu=%6.3f s\n' "$round" "$(echo "($c1 - $c0) / $HZ" | bc -l)"
  for mode in off on; do
    set_mode "$mode"
    c0=$(cpu_ticks); s0=$(cpu_softirq)
    out=$(ip netns exec "$CLI_NS" taskset -c 1 python3 bench/tools/reconnect.py 203.0.113.1 8080 "$DURATION" "$CONCURRENCY")
    c1=$(cpu_ticks); s1=$(cpu_softirq)
    attempts=$(sed -n 's/.*attempts=\([0-9]*\).*/\1/p' <<<"$out")
    secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")
    cpu_us=$(( (c1 - c0) * 1000000 / HZ ))
    soft_us=$(( (s1 - s0) * 1000000 / HZ ))
    printf 'round %d %-3s attempts=%-8s edge_cpu=%6.3f s  softirq=%6.3f s  (%s)\n' "$round" "$mode" "$attempts" \
      "$(echo "$cpu_us / 1000000" | bc -l)" "$(echo "$soft_us / 1000000" | bc -l)" "$out"
    CPU_US[$mode]=$(( ${CPU_US[$mode]} + cpu_us ))
    SOFT_US[$mode]=$(( ${SOFT_US[$mode]} + soft_us ))
    ATTEMPTS[$mode]=$(( ${ATTEMPTS[$mode]} + attempts ))
    SECS[$mode]=$(echo "${SECS[$mode]} + $secs" | bc -l)
  done
done
drops=$(ip netns exec "$EDGE_NS" nft list chain inet bwbench drop_banned 2>/dev/null | sed -n 's/.*ip saddr.*packets \([0-9]*\).*/\1/p' || true)

echo
printf '%-4s %12s %12s %16s %18s\n' mode attempts/s edge_cpu_s "edge µs/attempt" "softirq µs/attempt"
declare -A PER SOFTPER
idle_per_s=$(echo "$IDLE_US / $IDLE_SECS" | bc -l)
for mode in off on; do
  busy=$(echo "${CPU_US[$mode]} - $idle_per_s * ${SECS[$mode]}" | bc -l)
  if [ "$(echo "$busy < 0" | bc -l)" = 1 ]; then busy=0; fi
  PER[$mode]=$(echo "scale=3; $busy / ${ATTEMPTS[$mode]}" | bc -l)
  SOFTPER[$mode]=$(echo "scale=3; ${SOFT_US[$mode]} / ${ATTEMPTS[$mode]}" | bc -l)
  printf '%-4s %12.0f %12.3f %16.3f %18.3f\n' "$mode" "$(echo "${ATTEMPTS[$mode]} / ${SECS[$mode]}" | bc -l)" \
    "$(echo "${CPU_US[$mode]} / 1000000" | bc -l)" "${PER[$mode]}" "${SOFTPER[$mode]}"
done
printf 'idle edge: %.3f CPU-s per second (subtracted above)\n' "$(echo "$idle_per_s / 1000000" | bc -l)"
echo "rule counter in the last 'on' round: ${drops:-n/a} packets dropped"
# The 'on' cost is at or below what /proc resolves (10 ms ticks): the ratio is then a lower bound.
ratio=$(echo "scale=0; ${PER[off]} / (${PER[on]} + 0.001)" | bc -l)
echo "kernel-drops edge_cpu_us_per_attempt off=${PER[off]} on=${PER[on]} off/on=$ratio softirq_us_per_attempt off=${SOFTPER[off]} on=${SOFTPER[on]}"
