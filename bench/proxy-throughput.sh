#!/usr/bin/env bash
# Proxy throughput benchmark: Bulwark against nginx and HAProxy, all in front of the same origin.
#
#   bench/proxy-throughput.sh [--json FILE]
#
# Targets, measured in one run with alternating rounds so slow drift of the machine (thermal, noisy neighbours)
# hits every target alike:
#   direct   wrk -> origin nginx                         (the ceiling: what the origin alone can do)
#   nginx    wrk -> nginx proxy_pass (1 worker)  -> origin
#   haproxy  wrk -> HAProxy (nbthread 1)         -> origin
#   floor    wrk -> bench/tools/ByteRelay.java (Netty, 1 event loop, bytes relayed with no HTTP at all) -> origin:
#            what Netty and the kernel alone cost for a relayed request; no Netty-based proxy can beat it. Not in
#            the default set; ask for it (BENCH_TARGETS=nginx,floor,bulwark) to see how far Bulwark is from it
#   heads    wrk -> ByteRelay --http: the same pump finding each head, dropping hop-by-hop lines, adding the forwarding
#            fields, relaying Content-Length bodies, nothing decoded into objects: the floor of a lean HTTP relay.
#            Not in the default set either
#   bulwark  wrk -> Bulwark (1 event loop), protection off (the plain proxy)   -> origin
#   protect  wrk -> Bulwark (1 event loop), protection on in its normal state, limits set above the load, so what
#            is measured is the cost of the protection path itself (verdict, limiters, bulkhead, cache lookup)
# Then, unless BANNED=0, the reject rate: wrk against a Bulwark instance that bans wrk's address, counting the
# connections it refuses per second (each one accepted and closed before a byte is read).
# Before the last line it prints `protection protect/bulwark=X rejects_per_s=R rejects/proxied=Y`, and with the floor
# target `floor bulwark/floor=X floor/nginx=Y`, with the heads target `heads bulwark/heads=X heads/nginx=Y`.
# On success the last line of stdout is `ratios bulwark/nginx=X bulwark/haproxy=Y bulwark/direct=Z` (median req/s ratios,
# `n/a` where a target was not run), so CI or a person can grep it.
#
# Environment (defaults in brackets):
#   ROUNDS [3]  DURATION [10] seconds per target per round  CONNECTIONS [50]
#   WARMUP [3] seconds per native target, BULWARK_WARMUP [15] seconds (JIT needs it)
#   BENCH_TARGETS [direct,nginx,haproxy,bulwark,protect]  comma list; floor and heads only when named
#   BULWARK_CMD ["./bulwark serve --config"]  the config file path is appended; run from the repo root
#   BULWARK_START_TIMEOUT [60] seconds   PIN [1] set 0 to disable CPU pinning   KEEP_TMP [0] keep logs/configs
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
WARMUP=${WARMUP:-3}
BULWARK_WARMUP=${BULWARK_WARMUP:-15}
BENCH_TARGETS=${BENCH_TARGETS:-direct,nginx,haproxy,bulwark,protect}
BANNED=${BANNED:-1}
BULWARK_CMD=${BULWARK_CMD:-./bulwark serve --config}
BULWARK_START_TIMEOUT=${BULWARK_START_TIMEOUT:-60}
PIN=${PIN:-1}
KEEP_TMP=${KEEP_TMP:-0}
HOST_HEADER=bench.local
ALL_TARGETS=(direct nginx haproxy floor heads bulwark protect)

json_out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --json) [ $# -ge 2 ] || { echo "--json needs a FILE" >&2; exit 2; }; json_out=$2; shift 2 ;;
    --json=*) json_out=${1#--json=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for v in ROUNDS DURATION CONNECTIONS WARMUP BULWARK_WARMUP BULWARK_START_TIMEOUT; do
  if ! [[ ${!v} =~ ^[0-9]+$ ]] || [ "${!v}" -eq 0 ]; then
    echo "$v must be a positive integer, got '${!v}'" >&2
    exit 2
  fi
done

# Keep the user's target order out of it: rounds always run in the canonical order, only membership counts.
declare -A wanted=()
IFS=',' read -r -a _req <<<"$BENCH_TARGETS"
for t in "${_req[@]}"; do
  t=${t// /}
  [ -z "$t" ] && continue
  case " ${ALL_TARGETS[*]} " in *" $t "*) wanted[$t]=1 ;; *) echo "unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2 ;; esac
done
targets=()
for t in "${ALL_TARGETS[@]}"; do [ -n "${wanted[$t]:-}" ] && targets+=("$t"); done
[ ${#targets[@]} -gt 0 ] || { echo "BENCH_TARGETS selects nothing" >&2; exit 2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
# The JSON path is relative to where the user ran us, not to the repo root we just moved to.
if [ -n "$json_out" ] && [[ $json_out != /* ]]; then json_out="$OLDPWD/$json_out"; fi

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- packages -------------------------------------------------------------------------------------------------
# Debian's packages only; on this machine policy-rc.d stops services from auto-starting, and we never use the
# system services anyway: every server below runs from its own config in the temp dir.
ensure_packages() {
  local need=() p
  for p in nginx haproxy wrk curl; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  [ ${#need[@]} -eq 0 ] && return 0
  log "installing ${need[*]} from Debian"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || true
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}
ensure_packages
PATH="$PATH:/usr/sbin:/sbin" # nginx and haproxy live in sbin, which a non-root PATH lacks
NGINX=$(command -v nginx)
HAPROXY=$(command -v haproxy)
WRK=$(command -v wrk)

# --- temp dir and cleanup -------------------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-bench.XXXXXX")
# nginx workers drop to 'nobody' when started as root; they must be able to reach the docroot.
chmod 755 "$tmp"
server_pids=()

cleanup() {
  local rc=$? pid _
  trap - EXIT INT TERM
  # Each server runs in its own session (setsid), so signalling the group also reaches children of wrappers
  # (the launcher's JVM, nginx workers) without touching anything we did not start.
  for pid in "${server_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${server_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # Group only: a leftover worker keeps the group id alive, and a bare PID might have been reused by now.
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$KEEP_TMP" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { # die MESSAGE [LOGFILE...]: the log tails are what make a misconfigured target diagnosable
  local msg=$1 f; shift
  echo "bench: FAILED: $msg" >&2
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "---- last 40 lines of $(basename "$(dirname "$f")")/$(basename "$f") ----" >&2
    tail -n 40 "$f" >&2
  done
  exit 1
}
fail() { # fail TARGET MESSAGE [FILE...]: die showing the given files and then the target's own logs
  local t=$1 msg=$2 own=()
  shift 2
  read -r -a own <<<"${logs_of[$t]:-}"
  die "$t: $msg" "$@" "${own[@]}"
}

# --- CPU pinning ----------------------------------------------------------------------------------------------
# Two cores. Everything server-side (the proxy under test AND the origin) shares core 0; wrk alone has core 1.
# Why: wrk must never steal cycles from the thing it measures, and each proxy gets exactly the same budget:
# one core, shared with the same origin. For `direct` the origin alone uses core 0, so bulwark/direct reads as
# "share of one core's origin throughput that survives a proxy hop". The alternative (origin beside wrk on
# core 1) would make the load generator the variable, and leave core 0 idle for `direct`.
# The JVM is pinned from its start, so it sizes GC and JIT threads for one CPU, as in a one-core container;
# nginx (1 worker) and HAProxy (1 thread) are single-threaded anyway.
SERVER_CPU=0
CLIENT_CPU=1
# Prefixes rather than functions, because setsid must exec them.
server_pin=()
client_pin=()
pinning="none"
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_pin=(taskset -c "$SERVER_CPU")
  client_pin=(taskset -c "$CLIENT_CPU")
  pinning="servers and origin on cpu $SERVER_CPU, wrk on cpu $CLIENT_CPU"
fi

# --- ports ----------------------------------------------------------------------------------------------------
# shellcheck source=lib/ports.sh
. "$repo_root/bench/lib/ports.sh"
pick_port ORIGIN_PORT
declare -A port=([direct]=$ORIGIN_PORT)
for t in nginx haproxy floor heads bulwark protect; do [ -n "${wanted[$t]:-}" ] && pick_port "port[$t]"; done
if [ "$BANNED" = 1 ] && { [ -n "${wanted[bulwark]:-}" ] || [ -n "${wanted[protect]:-}" ]; }; then pick_port "port[banned]"; fi

# --- servers --------------------------------------------------------------------------------------------------
declare -A pid_of=() logs_of=()
start_server() { # start_server NAME LOGFILE CMD...: own session so cleanup can signal the whole group
  local name=$1 logf=$2; shift 2
  setsid "$@" >"$logf" 2>&1 </dev/null &
  pid_of[$name]=$!
  server_pids+=("$!")
}

wait_ready() { # wait_ready NAME PORT TIMEOUT_S: bounded polling; a dead process fails at once with its log
  local name=$1 p=$2 timeout=$3 deadline
  deadline=$((SECONDS + timeout))
  while :; do
    if curl -fs -o /dev/null -m 1 -H "Host: $HOST_HEADER" "http://127.0.0.1:$p/1k.bin" 2>/dev/null; then return 0; fi
    kill -0 "${pid_of[$name]}" 2>/dev/null || fail "$name" "exited during start-up"
    [ $SECONDS -lt "$deadline" ] || fail "$name" "did not answer on 127.0.0.1:$p within ${timeout}s"
    sleep 0.2
  done
}

# nginx's compiled-in temp paths point into /var/lib/nginx; keep every file of ours in the temp dir instead.
nginx_common() { # nginx_common DIR
  cat <<EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_temp_paths() {
  local k
  for k in client_body proxy fastcgi uwsgi scgi; do echo "  ${k}_temp_path $1/tmp_$k;"; done
}

# Origin: a deliberately fast static server, so the proxies, not the origin, dominate the proxied figures.
o=$tmp/origin
mkdir -p "$o/html"
head -c 1024 /dev/urandom >"$o/html/1k.bin"
chmod -R a+rX "$o"
{
  nginx_common "$o"
  cat <<EOF
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  keepalive_timeout 65s;
  keepalive_requests 100000000;
$(nginx_temp_paths "$o")
  server {
    listen 127.0.0.1:$ORIGIN_PORT default_server backlog=4096;
    root $o/html;
  }
}
EOF
} >"$o/nginx.conf"
logs_of[origin]="$o/out.log $o/error.log"
start_server origin "$o/out.log" "${server_pin[@]}" "$NGINX" -p "$o" -e "$o/error.log" -c "$o/nginx.conf"
wait_ready origin "$ORIGIN_PORT" 10
pid_of[direct]=${pid_of[origin]}
logs_of[direct]=${logs_of[origin]}

if [ -n "${wanted[nginx]:-}" ]; then
  n=$tmp/nginx
  mkdir -p "$n"
  # The forwarding headers are what any real reverse proxy sets; Bulwark adds them too, so the work is equal.
  {
    nginx_common "$n"
    cat <<EOF
http {
  access_log off;
  keepalive_timeout 65s;
  keepalive_requests 100000000;
$(nginx_temp_paths "$n")
  upstream origin {
    server 127.0.0.1:$ORIGIN_PORT;
    keepalive 64;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:${port[nginx]} default_server backlog=4096;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Real-IP \$remote_addr;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
EOF
  } >"$n/nginx.conf"
  logs_of[nginx]="$n/out.log $n/error.log"
  start_server nginx "$n/out.log" "${server_pin[@]}" "$NGINX" -p "$n" -e "$n/error.log" -c "$n/nginx.conf"
fi

if [ -n "${wanted[haproxy]:-}" ]; then
  h=$tmp/haproxy
  mkdir -p "$h"
  # No `log` lines at all: logging off, like the others. `http-reuse always` is HAProxy's equivalent of
  # nginx's upstream keepalive pool, so neither pays a connect per request to the origin.
  cat >"$h/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096

defaults
  mode http
  option forwardfor
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 30s

frontend bench
  bind 127.0.0.1:${port[haproxy]}
  http-request set-header X-Real-IP %[src]
  default_backend origin

backend origin
  server o1 127.0.0.1:$ORIGIN_PORT
EOF
  logs_of[haproxy]="$h/out.log"
  start_server haproxy "$h/out.log" "${server_pin[@]}" "$HAPROXY" -db -f "$h/haproxy.cfg"
fi

if [ -n "${wanted[floor]:-}" ] || [ -n "${wanted[heads]:-}" ]; then
  # The relay runs from source against the product's jar (it carries Netty), with the edge's JVM flags.
  ./bulwark --version >"$tmp/floor-build.log" 2>&1 || die "./bulwark --version failed (build?)" "$tmp/floor-build.log"
  # shellcheck source=lib/jdk.sh
  . "$repo_root/bench/lib/jdk.sh"
  floor_jdk=$(find_jdk) || die "the floor and heads targets need a JDK >= 21 (set JAVA_HOME)"
  for t in floor heads; do
    [ -n "${wanted[$t]:-}" ] || continue
    mkdir -p "$tmp/$t"
    logs_of[$t]="$tmp/$t/out.log"
    mode=(); [ "$t" = heads ] && mode=(--http)
    start_server "$t" "$tmp/$t/out.log" "${server_pin[@]}" "$floor_jdk/bin/java" @jvm.options \
      -cp core/target/bulwark.jar bench/tools/ByteRelay.java "${port[$t]}" "$ORIGIN_PORT" "${mode[@]}"
  done
fi

# bulwark_yaml PORT PROTECTION_YAML: one site in front of the origin; the protection section varies by target.
bulwark_yaml() {
  cat <<EOF
listen:
  http: 127.0.0.1:$1
  event_loops: 1
access_log: {enabled: false}
admin: {enabled: false}   # several instances run at once; the admin API is not what is measured
connections: {max_connections_per_ip: 100000, max_requests_per_connection: 1000000}
# One wrk from one address at full speed is exactly what detection calls an attack. What is measured is the request
# path, so detection records every request (its cost is in the figures) but its warm-up outlasts the run.
detection: {warmup: 24h}
$2
sites:
  - name: bench
    hosts: [$HOST_HEADER]
    origins: [127.0.0.1:$ORIGIN_PORT]
EOF
}
# Protection on, normal state, every limit far above what one wrk can send: the path runs in full (ban lookup,
# four rate limiters, concurrency cap, bulkhead slot, cache lookup and coalescing) but never refuses.
PROTECT_YAML='protection:
  enabled: true
  origin_capacity: 10000
  global: {per_ip: {rate: 10000000/s, burst: 10000000}, per_prefix: {rate: 10000000/s, burst: 10000000}}
policy:
  normal:
    per_ip: {rate: 10000000/s, burst: 10000000}
    per_prefix: {rate: 10000000/s, burst: 10000000}
    max_concurrent_per_ip: 100000
    bulkhead: {max_concurrent: 10000, queue: 10000}'
# wrk connects from 127.0.0.1: ban exactly that address; the readiness check comes from 127.0.0.2.
BANNED_YAML='protection:
  enabled: true
  bans:
    action: close
    manual:
      - {subject: 127.0.0.1/32, reason: benchmark}'

declare -A bulwark_protection=([bulwark]='protection: {enabled: false}' [protect]="$PROTECT_YAML" [banned]="$BANNED_YAML")
bulwark_built=0
start_bulwark() { # start_bulwark NAME
  local name=$1 b=$tmp/$1
  mkdir -p "$b"
  bulwark_yaml "${port[$name]}" "${bulwark_protection[$name]}" >"$b/bulwark.yaml"
  logs_of[$name]="$b/out.log"
  # The launcher builds the jar when it is stale. Do that now, unpinned and untimed, so a build neither runs on
  # one core nor eats into the start-up timeout.
  if [ "$BULWARK_CMD" = "./bulwark serve --config" ] && [ $bulwark_built = 0 ]; then
    log "bulwark: making sure the jar is built"
    ./bulwark --version >"$b/build.log" 2>&1 || die "./bulwark --version failed (build?)" "$b/build.log"
    bulwark_built=1
  fi
  read -r -a bulwark_argv <<<"$BULWARK_CMD"
  start_server "$name" "$b/out.log" "${server_pin[@]}" "${bulwark_argv[@]}" "$b/bulwark.yaml"
}
for t in bulwark protect; do if [ -n "${wanted[$t]:-}" ]; then start_bulwark "$t"; fi; done

for t in nginx haproxy floor heads bulwark protect; do
  [ -n "${wanted[$t]:-}" ] || continue
  timeout=10
  { [ "$t" = floor ] || [ "$t" = heads ]; } && timeout=30 # compiled from source at start
  { [ "$t" = bulwark ] || [ "$t" = protect ]; } && timeout=$BULWARK_START_TIMEOUT
  wait_ready "$t" "${port[$t]}" "$timeout"
done
# Which socket transport each JVM target runs on (Bulwark's listen.transport: auto picks io_uring where the kernel
# allows it, and the relays follow it): the figures depend on it, so it goes into the run's log.
for t in floor heads bulwark protect; do
  [ -n "${wanted[$t]:-}" ] || continue
  case $t in floor|heads) line='relay up' ;; *) line='edge up' ;; esac
  up=$(grep -m1 -o "$line ([^)]*)" "$tmp/$t/out.log" || true)
  log "$t: ${up:-no '$line' line in its log}"
done

# One curl per target before any load: wrk only counts status >= 400 as errors, so a proxy answering 3xx or an
# empty 200 would otherwise be benchmarked happily. Demand exactly the origin's 200 with 1024 bytes.
for t in "${targets[@]}"; do
  got=$(curl -s -o /dev/null -m 5 -w '%{http_code} %{size_download}' -H "Host: $HOST_HEADER" \
    "http://127.0.0.1:${port[$t]}/1k.bin" || true)
  [ "$got" = "200 1024" ] || fail "$t" "answered '$got' to GET /1k.bin, expected '200 1024'"
done

# --- load -----------------------------------------------------------------------------------------------------
# The done() hook prints fixed units (microseconds, counts) so nothing below has to parse "1.23ms" vs "850us";
# --latency still puts wrk's human-readable distribution into the saved output.
cat >"$tmp/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d bytes=%d p99_us=%.0f socket_errors=%d status_errors=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(99.0),
    e.connect + e.read + e.write + e.timeout, e.status))
end
EOF

declare -A rps_all=() p99_all=() errs=()
run_wrk() { # run_wrk TARGET SECONDS TAG: sets r_rps, r_p99_ms; fails loudly on any error
  local t=$1 secs=$2 tag=$3 out line kv requests duration_us bytes p99_us socket_errors status_errors
  out="$tmp/wrk-$t-$tag.txt"
  "${client_pin[@]}" "$WRK" -t1 -c"$CONNECTIONS" -d"${secs}s" --timeout 2s --latency -s "$tmp/report.lua" \
    -H "Host: $HOST_HEADER" "http://127.0.0.1:${port[$t]}/1k.bin" >"$out" 2>&1 \
    || fail "$t" "wrk failed" "$out"
  line=$(grep '^BENCH_RESULT ' "$out" | tail -n 1) || fail "$t" "no result line from wrk" "$out"
  for kv in ${line#BENCH_RESULT }; do printf -v "${kv%%=*}" '%s' "${kv#*=}"; done
  errs[$t]=$(( ${errs[$t]:-0} + socket_errors + status_errors ))
  if [ "$requests" -eq 0 ]; then fail "$t" "served no requests in $tag" "$out"; fi
  if [ $((socket_errors + status_errors)) -gt 0 ]; then
    fail "$t" "$status_errors responses >= 400 and $socket_errors socket errors in $tag" "$out"
  fi
  # Catches a proxy that answers 2xx/3xx with a short body under load (the body alone is 1024 bytes).
  if [ $((bytes / requests)) -lt 1024 ]; then
    fail "$t" "only $((bytes / requests)) bytes per response in $tag, expected > 1024" "$out"
  fi
  kill -0 "${pid_of[$t]}" 2>/dev/null || fail "$t" "died during $tag"
  r_rps=$(awk -v n="$requests" -v d="$duration_us" 'BEGIN { printf "%.1f", n / (d / 1e6) }')
  r_p99_ms=$(awk -v u="$p99_us" 'BEGIN { printf "%.3f", u / 1000 }')
}

cpu_ticks() { # cpu_ticks PID: user+system CPU time of the process so far, in clock ticks (all its threads)
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
declare -A cpu_used=() reqs_done=()

median() { # median NUMBERS...
  printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

total=$(( ROUNDS * DURATION * ${#targets[@]} ))
for t in "${targets[@]}"; do
  case $t in bulwark|protect|floor|heads) total=$((total + BULWARK_WARMUP)) ;; *) total=$((total + WARMUP)) ;; esac
done
log "targets: ${targets[*]}; ports: origin=$ORIGIN_PORT$(for t in nginx haproxy floor heads bulwark protect; do [ -n "${port[$t]:-}" ] && printf ' %s=%s' "$t" "${port[$t]}"; done)"
log "pinning: $pinning; wrk -t1 -c$CONNECTIONS; $ROUNDS rounds x ${DURATION}s; about ${total}s of load"

# Bulwark warms up last, so its JIT-compiled state is fresh when round 1 reaches it.
for t in "${targets[@]}"; do
  secs=$WARMUP
  case $t in bulwark|protect|floor|heads) secs=$BULWARK_WARMUP ;; esac # JVMs: the JIT
  log "warm-up $t ${secs}s"
  run_wrk "$t" "$secs" warmup
done
errs=() # warm-up errors would have failed already; count only measured rounds

for r in $(seq 1 "$ROUNDS"); do
  for t in "${targets[@]}"; do
    c0=0
    [ "$t" = protect ] && c0=$(cpu_ticks "${pid_of[$t]}")
    run_wrk "$t" "$DURATION" "round$r"
    if [ "$t" = protect ]; then
      cpu_used[$t]=$(( ${cpu_used[$t]:-0} + $(cpu_ticks "${pid_of[$t]}") - c0 ))
      reqs_done[$t]=$(awk -v a="${reqs_done[$t]:-0}" -v r="$r_rps" -v d="$DURATION" 'BEGIN { printf "%.0f", a + r * d }')
    fi
    rps_all[$t]+="$r_rps "
    p99_all[$t]+="$r_p99_ms "
    log "round $r/$ROUNDS $(printf '%-8s %10s req/s  p99 %8s ms' "$t" "$r_rps" "$r_p99_ms")"
  done
done

# --- reject rate for a banned source ----------------------------------------------------------------------------
# Every connection wrk opens is accepted and closed by Bulwark before a byte is read; wrk counts each as a socket
# error and reconnects at once, so socket errors per second is the rate at which Bulwark refuses banned clients.
rejects_per_s=n/a
cpu_us_per_reject=n/a
if [ -n "${port[banned]:-}" ]; then
  start_bulwark banned
  deadline=$((SECONDS + BULWARK_START_TIMEOUT))
  until curl -fs -o /dev/null -m 1 --interface 127.0.0.2 -H "Host: $HOST_HEADER" "http://127.0.0.1:${port[banned]}/1k.bin"; do
    kill -0 "${pid_of[banned]}" 2>/dev/null || fail banned "exited during start-up"
    [ $SECONDS -lt "$deadline" ] || fail banned "did not answer within ${BULWARK_START_TIMEOUT}s"
    sleep 0.2
  done
  out="$tmp/wrk-banned.txt"
  for phase in warmup measure; do
    secs=$BULWARK_WARMUP
    [ $phase = measure ] && secs=$DURATION
    log "banned source: $phase ${secs}s"
    c0=$(cpu_ticks "${pid_of[banned]}")
    "${client_pin[@]}" "$WRK" -t1 -c"$CONNECTIONS" -d"${secs}s" --timeout 2s -s "$tmp/report.lua" \
      -H "Host: $HOST_HEADER" "http://127.0.0.1:${port[banned]}/1k.bin" >"$out" 2>&1 || fail banned "wrk failed" "$out"
    banned_ticks=$(( $(cpu_ticks "${pid_of[banned]}") - c0 ))
  done
  line=$(grep '^BENCH_RESULT ' "$out" | tail -n 1) || fail banned "no result line from wrk" "$out"
  for kv in ${line#BENCH_RESULT }; do printf -v "${kv%%=*}" '%s' "${kv#*=}"; done
  [ "$requests" -eq 0 ] || fail banned "a banned client got $requests responses" "$out"
  rejects_per_s=$(awk -v n="$socket_errors" -v d="$duration_us" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  # CPU the edge spent per refused connection (kernel TCP work done in its context included).
  cpu_us_per_reject=$(awk -v t="$banned_ticks" -v hz="$(getconf CLK_TCK)" -v n="$socket_errors" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')
  log "banned source: $rejects_per_s connections refused per second"
fi

# --- report ---------------------------------------------------------------------------------------------------
declare -A med_rps=() med_p99=()
for t in "${targets[@]}"; do
  # shellcheck disable=SC2086 # word splitting of the space-separated lists is the point
  med_rps[$t]=$(median ${rps_all[$t]})
  # shellcheck disable=SC2086
  med_p99[$t]=$(median ${p99_all[$t]})
done

ratio() { # ratio A B: median req/s of A over B, two decimals, or n/a when either was not run
  if [ -z "${med_rps[$1]:-}" ] || [ -z "${med_rps[$2]:-}" ]; then echo n/a; return; fi
  awk -v a="${med_rps[$1]}" -v b="${med_rps[$2]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
ratio_pb=$(ratio protect bulwark)
ratio_bn=$(ratio bulwark nginx)
ratio_bh=$(ratio bulwark haproxy)
ratio_bd=$(ratio bulwark direct)
ratio_bf=$(ratio bulwark floor)
ratio_fn=$(ratio floor nginx)
ratio_bhd=$(ratio bulwark heads)
ratio_hn=$(ratio heads nginx)
cpu_us_per_request=n/a
if [ -n "${reqs_done[protect]:-}" ] && [ "${reqs_done[protect]}" -gt 0 ]; then
  cpu_us_per_request=$(awk -v t="${cpu_used[protect]}" -v hz="$(getconf CLK_TCK)" -v n="${reqs_done[protect]}" \
    'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
fi

if [ -n "$json_out" ]; then
  jstr() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
  jnum() { if [ "$1" = n/a ]; then printf null; else printf '%s' "$1"; fi; }
  {
    printf '{\n'
    printf '  "date": %s,\n' "$(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '  "machine": {"nproc": %s, "cpu": %s, "kernel": %s},\n' "$(nproc)" \
      "$(jstr "$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }')")" "$(jstr "$(uname -r)")"
    printf '  "params": {"rounds": %s, "duration_s": %s, "connections": %s, "wrk_threads": 1, "warmup_s": %s, "bulwark_warmup_s": %s, "pinning": %s},\n' \
      "$ROUNDS" "$DURATION" "$CONNECTIONS" "$WARMUP" "$BULWARK_WARMUP" "$(jstr "$pinning")"
    printf '  "targets": {'
    sep=""
    for t in "${targets[@]}"; do
      rounds_rps=${rps_all[$t]% }
      rounds_p99=${p99_all[$t]% }
      printf '%s\n    "%s": {"rps_median": %s, "p99_ms_median": %s, "errors": %s, "rps_rounds": [%s], "p99_ms_rounds": [%s]}' \
        "$sep" "$t" "${med_rps[$t]}" "${med_p99[$t]}" "${errs[$t]:-0}" \
        "${rounds_rps// /, }" "${rounds_p99// /, }"
      sep=","
    done
    printf '\n  },\n'
    printf '  "ratios": {"bulwark/nginx": %s, "bulwark/haproxy": %s, "bulwark/direct": %s, "protect/bulwark": %s, "bulwark/floor": %s, "floor/nginx": %s, "bulwark/heads": %s, "heads/nginx": %s},\n' \
      "$(jnum "$ratio_bn")" "$(jnum "$ratio_bh")" "$(jnum "$ratio_bd")" "$(jnum "$ratio_pb")" "$(jnum "$ratio_bf")" "$(jnum "$ratio_fn")" \
      "$(jnum "$ratio_bhd")" "$(jnum "$ratio_hn")"
    printf '  "banned_rejects_per_s": %s,\n' "$(jnum "$rejects_per_s")"
    printf '  "cpu_us_per_reject": %s,\n' "$(jnum "$cpu_us_per_reject")"
    printf '  "cpu_us_per_protected_request": %s\n' "$(jnum "${cpu_us_per_request:-n/a}")"
    printf '}\n'
  } >"$json_out"
  log "wrote $json_out"
fi

echo
printf '%-8s %14s %14s %8s   %s\n' target "median req/s" "median p99 ms" errors "per round req/s"
for t in "${targets[@]}"; do
  printf '%-8s %14.0f %14.2f %8s   %s\n' "$t" "${med_rps[$t]}" "${med_p99[$t]}" "${errs[$t]:-0}" "${rps_all[$t]% }"
done
proxied=${med_rps[protect]:-${med_rps[bulwark]:-}}
rejects_ratio=n/a
if [ "$rejects_per_s" != n/a ] && [ -n "$proxied" ]; then
  rejects_ratio=$(awk -v a="$rejects_per_s" -v b="$proxied" 'BEGIN { printf "%.2f", a / b }')
fi
[ -n "${wanted[floor]:-}" ] && echo "floor bulwark/floor=$ratio_bf floor/nginx=$ratio_fn"
[ -n "${wanted[heads]:-}" ] && echo "heads bulwark/heads=$ratio_bhd heads/nginx=$ratio_hn"
echo "protection protect/bulwark=$ratio_pb rejects_per_s=$rejects_per_s rejects/proxied=$rejects_ratio cpu_us_per_reject=$cpu_us_per_reject cpu_us_per_request=$cpu_us_per_request"
echo "ratios bulwark/nginx=$ratio_bn bulwark/haproxy=$ratio_bh bulwark/direct=$ratio_bd"
