#!/usr/bin/env bash
# The lab's peers: nginx and HAProxy, each configured with its own documented flood defences, in front of the lab's
# origin model, driven by exactly the lab's traffic (issue 4, scenarios/README.md "External edges").
#
#   bench/lab-peers.sh [--scenario NAME] [--json FILE] [--full] [--with-bulwark]
#
#   --scenario NAME   scenarios/NAME.yaml (default: seed)
#   --json FILE       write the merged outcome: the lab's JSON shape, runs[] named nginx and haproxy (after
#                     unprotected and bulwark with --with-bulwark)
#   --full            full-length phases (default: --quick ones)
#   --with-bulwark    also run the lab's own two runs (unprotected, bulwark) first, and put them in the table/JSON
#
# For each peer, in turn and each from scratch: a fresh origin model in its own process
# (`./bulwark lab --scenario NAME --origin-only --origin-port P`), the peer on a free loopback port with a config in
# a mktemp dir, then `./bulwark lab --scenario NAME --edge 127.0.0.1:PORT --origin-port P --run-name PEER --json F`,
# which starts no origin or edge of its own and reads the origin model's counters (attack requests reaching it) from
# that process. Then the peer and the origin are stopped by PID. Finally `./bulwark lab --merge` joins the runs and
# prints the lab's table; the last line is `peers done: FILE` (or the table's last row without --json).
#
# nginx and HAProxy come from Debian (installed if missing; their services never start here: each runs from its own
# config). No CPU pinning: like the lab's in-process runs, the edge shares both cores with the traffic generators;
# nginx runs one worker per core and HAProxy one thread per core, as Bulwark runs one event loop per core.
#
# Environment: KEEP_TMP [0] keep configs and logs; LAB_RUN_TIMEOUT [quick 300 / full 900] seconds per lab run.
set -euo pipefail

scenario=seed
json_out=""
quick=(--quick)
with_bulwark=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) [ $# -ge 2 ] || { echo "--scenario needs a NAME" >&2; exit 2; }; scenario=$2; shift 2 ;;
    --scenario=*) scenario=${1#--scenario=}; shift ;;
    --json) [ $# -ge 2 ] || { echo "--json needs a FILE" >&2; exit 2; }; json_out=$2; shift 2 ;;
    --json=*) json_out=${1#--json=}; shift ;;
    --full) quick=(); shift ;;
    --with-bulwark) with_bulwark=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
KEEP_TMP=${KEEP_TMP:-0}
if [ ${#quick[@]} -gt 0 ]; then LAB_RUN_TIMEOUT=${LAB_RUN_TIMEOUT:-300}; else LAB_RUN_TIMEOUT=${LAB_RUN_TIMEOUT:-900}; fi

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
# The JSON path is relative to where the user ran us, not to the repo root we just moved to.
if [ -n "$json_out" ] && [[ $json_out != /* ]]; then json_out="$OLDPWD/$json_out"; fi
scenario_file=scenarios/$scenario.yaml
[ -f "$scenario_file" ] || { echo "no scenario $scenario_file" >&2; exit 2; }

log() { printf '[peers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- packages -------------------------------------------------------------------------------------------------
ensure_packages() {
  local need=() p
  for p in nginx haproxy curl; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
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

# --- temp dir and cleanup -------------------------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-peers.XXXXXX")
chmod 755 "$tmp" # nginx workers drop to 'nobody' when started as root; they must reach the cache dir
declare -A pid_of=() logs_of=()

stop_server() { # stop_server NAME: TERM its session, wait up to 5 s, then KILL the group
  local name=$1 pid _
  pid=${pid_of[$name]:-}
  [ -n "$pid" ] || return 0
  unset "pid_of[$name]"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  for name in "${!pid_of[@]}"; do stop_server "$name"; done
  if [ "$KEEP_TMP" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { # die MESSAGE [LOGFILE...]
  local msg=$1 f; shift
  echo "peers: FAILED: $msg" >&2
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "---- last 40 lines of $f ----" >&2
    tail -n 40 "$f" >&2
  done
  exit 1
}

start_server() { # start_server NAME LOGFILE CMD...: own session, so stopping it reaches all its processes
  local name=$1 logf=$2; shift 2
  setsid "$@" >"$logf" 2>&1 </dev/null &
  pid_of[$name]=$!
  logs_of[$name]=$logf
}

wait_http() { # wait_http NAME TIMEOUT_S CURL_ARGS...: bounded polling until curl gets a 2xx
  local name=$1 timeout=$2 deadline; shift 2
  deadline=$((SECONDS + timeout))
  until curl -fs -o /dev/null -m 1 "$@" 2>/dev/null; do
    kill -0 "${pid_of[$name]}" 2>/dev/null || die "$name exited during start-up" "${logs_of[$name]}" "$tmp/$name/error.log"
    [ $SECONDS -lt "$deadline" ] || die "$name did not answer within ${timeout}s" "${logs_of[$name]}" "$tmp/$name/error.log"
    sleep 0.2
  done
}

# --- ports ----------------------------------------------------------------------------------------------------
taken_ports=" "
port_busy() { [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; }
pick_port() { # pick_port VAR: a random loopback port nothing uses
  local p _
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    [[ $taken_ports == *" $p "* ]] && continue
    port_busy "$p" && continue
    taken_ports+="$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free port found"
}

# The origin's worker count, for HAProxy's per-server maxconn (Bulwark's run gets the same figure as
# origin_capacity: an operator knows the size of the php-fpm pool behind the edge).
origin_workers=$(awk '/^origin:/ { o = 1; next } /^[^ #]/ { o = 0 } o && $1 == "workers:" { print $2; exit }' "$scenario_file")
origin_workers=${origin_workers:-64}

# --- the jar --------------------------------------------------------------------------------------------------
log "making sure the lab jar is built"
./bulwark lab --version >"$tmp/build.log" 2>&1 || die "./bulwark lab --version failed (build?)" "$tmp/build.log"

# --- peer configs ---------------------------------------------------------------------------------------------
nginx_conf() { # nginx_conf DIR PORT ORIGIN_PORT
  local d=$1 p=$2 op=$3 k
  mkdir -p "$d/cache"
  cat <<EOF
# Generated by bench/lab-peers.sh. nginx's documented defences against application-layer floods
# (ngx_http_limit_req_module, ngx_http_limit_conn_module, ngx_http_proxy_module, and nginx's "Mitigating DDoS
# Attacks with NGINX" guide): per-address request and connection limits, short client timeouts, a cache that also
# serves stale copies while the origin is failing, one request per key to the origin at a time.
worker_processes $NGINX_WORKERS;          # one per core the edge has, as Bulwark runs one event loop per core
worker_rlimit_nofile 20000;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }  # per worker: room for the bots, slowloris and every person
http {
  access_log off;
$(for k in client_body proxy fastcgi uwsgi scgi; do echo "  ${k}_temp_path $d/tmp_$k;"; done)

  # Per client address. 10 r/s with a burst of 20 served at once (nodelay): a person's page and its 2-4 assets
  # arrive together, a crawler asks 4/s; a bot asking far more is refused with 429.
  limit_req_zone \$binary_remote_addr zone=per_ip:10m rate=10r/s;
  # 10 connections per address at once: a browser uses a few, a slowloris/connection-flood source many.
  limit_conn_zone \$binary_remote_addr zone=per_ip_conn:10m;
  limit_req_status 429;
  limit_conn_status 429;

  # Against slowloris: the whole request header within 5 s (the guide's value), and idle keep-alive
  # connections closed after 15 s; timed-out connections are reset rather than lingering.
  client_header_timeout 5s;
  client_body_timeout 5s;
  send_timeout 10s;
  keepalive_timeout 15s;
  reset_timedout_connection on;

  # A short micro-cache: responses without caching headers are kept 10 s (the origin's own Cache-Control wins when
  # it has one: assets a day, feeds 5 min, PHP session pages never). Stale copies are served while the origin
  # errs or one request refreshes them; concurrent misses on one key wait for the first (cache lock).
  proxy_cache_path $d/cache levels=1:2 keys_zone=edge:32m max_size=256m inactive=10m use_temp_path=off;

  upstream origin {
    server 127.0.0.1:$op;
    keepalive 64;               # reuse connections to the origin
  }

  # Unknown hosts are dropped.
  server {
    listen 127.0.0.1:$p default_server backlog=4096;
    return 444;
  }

  # Every member site: they all live on the one origin, so one server block serves them all.
  server {
    listen 127.0.0.1:$p;
    server_name *.lab.test;
    limit_req zone=per_ip burst=20 nodelay;
    limit_conn per_ip_conn 10;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_connect_timeout 2s;
      proxy_read_timeout 10s;
      proxy_cache edge;
      proxy_cache_key \$scheme\$host\$request_uri;
      proxy_cache_valid 200 301 302 10s;
      proxy_cache_valid 404 1s;
      proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
      proxy_cache_background_update on;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 2s;
    }
  }
}
EOF
}

haproxy_conf() { # haproxy_conf PORT ORIGIN_PORT
  local p=$1 op=$2
  cat <<EOF
# Generated by bench/lab-peers.sh. HAProxy's documented defences against application-layer floods (configuration
# manual: stick-table, track-sc0, sc_http_req_rate, sc_conn_cur, timeout http-request, maxconn; HAProxy's
# "Application-Layer DDoS Attack Protection" guide): per-source request rate and concurrent connections tracked in
# a stick table and refused over thresholds, a short deadline for the request header, and the server's maxconn so
# HAProxy queues what the origin cannot take.
global
  maxconn 9000                  # FD limit here is 20000 (2 per proxied connection); nbthread not set: one thread per core, as Bulwark's event loops

defaults
  mode http
  option forwardfor             # X-Forwarded-For: the client address (the origin model counts sources by it)
  option http-keep-alive
  http-reuse always             # reuse connections to the origin across clients
  timeout connect 2s
  timeout client 15s
  timeout server 10s
  timeout http-request 5s       # slowloris: the whole request header within 5 s
  timeout http-keep-alive 5s
  timeout queue 4s              # a request queued for the origin longer than a person waits gets a 503

frontend sites
  bind 127.0.0.1:$p backlog 4096
  maxconn 8000
  # Per source address, kept 30 s after its last use: requests over 10 s and connections open now.
  stick-table type ip size 200k expire 30s store http_req_rate(10s),conn_cur
  tcp-request connection track-sc0 src
  # More than 10 connections at once from one address: refused at accept (slowloris, connection floods).
  tcp-request connection reject if { sc_conn_cur(0) gt 10 }
  # More than 100 requests in 10 s (10/s) from one address: 429. A person's page with its assets, a 4/s crawler
  # stay below it.
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }
  # Every member site lives on the one origin: one backend for all; unknown hosts are refused.
  http-request deny deny_status 404 unless { req.hdr(host),field(1,:) -m end -i .lab.test }
  default_backend origin

backend origin
  # The origin's worker count (origin.workers of the scenario): beyond it, HAProxy queues rather than overloading it.
  server o1 127.0.0.1:$op maxconn $origin_workers
EOF
}

# --- runs -----------------------------------------------------------------------------------------------------
run_files=()

if [ "$with_bulwark" = 1 ]; then
  log "lab's own runs (unprotected, bulwark)"
  timeout --kill-after=10 "$LAB_RUN_TIMEOUT" ./bulwark lab --scenario "$scenario" "${quick[@]}" \
    --json "$tmp/lab.json" >"$tmp/lab.out" || die "the lab's own runs failed" "$tmp/lab.out"
  run_files+=("$tmp/lab.json")
fi

# Each edge under test alone on CPU 0 where the machine has two or more (as the lab runs Bulwark), its CPU measured by
# the lab from its processes (--edge-pid); nginx then gets one worker, as Bulwark gets one event loop there.
if [ "$(nproc)" -ge 2 ]; then
  PIN=(taskset -c 0)
  NGINX_WORKERS=1
else
  PIN=()
  NGINX_WORKERS=auto
fi

run_peer() { # run_peer NAME
  local name=$1 op pp d="$tmp/$1"
  pick_port op
  pick_port pp
  mkdir -p "$d"
  log "$name: origin model on 127.0.0.1:$op, $name on 127.0.0.1:$pp"
  start_server origin "$tmp/origin-$name.log" ./bulwark lab --scenario "$scenario" --origin-only --origin-port "$op"
  wait_http origin 60 "http://127.0.0.1:$op/__lab/origin-stats"
  case "$name" in
    nginx)
      nginx_conf "$d" "$pp" "$op" >"$d/nginx.conf"
      chmod -R a+rwX "$d"
      "$NGINX" -t -q -p "$d" -e "$d/error.log" -c "$d/nginx.conf" 2>"$d/test.log" || die "nginx config rejected" "$d/test.log"
      start_server nginx "$tmp/nginx.log" "${PIN[@]}" "$NGINX" -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
      ;;
    haproxy)
      haproxy_conf "$pp" "$op" >"$d/haproxy.cfg"
      "$HAPROXY" -c -q -f "$d/haproxy.cfg" >"$d/test.log" 2>&1 || die "haproxy config rejected" "$d/test.log"
      start_server haproxy "$tmp/haproxy.log" "${PIN[@]}" "$HAPROXY" -db -f "$d/haproxy.cfg"
      ;;
  esac
  wait_http "$name" 15 -H "Host: site-0001.lab.test" "http://127.0.0.1:$pp/healthz"
  log "$name: driving the lab's traffic"
  timeout --kill-after=10 "$LAB_RUN_TIMEOUT" ./bulwark lab --scenario "$scenario" "${quick[@]}" \
    --edge "127.0.0.1:$pp" --edge-pid "${pid_of[$name]}" --origin-port "$op" --run-name "$name" \
    --json "$tmp/$name.json" >"$tmp/$name.out" \
    || die "the lab run against $name failed" "$tmp/$name.out" "$tmp/$name.log" "$d/error.log"
  kill -0 "${pid_of[$name]}" 2>/dev/null || die "$name died during the run" "$tmp/$name.log" "$d/error.log"
  stop_server "$name"
  stop_server origin
  run_files+=("$tmp/$name.json")
}
run_peer nginx
run_peer haproxy

merge_args=(--merge "${run_files[@]}")
[ -n "$json_out" ] && merge_args+=(--json "$json_out")
echo
./bulwark lab "${merge_args[@]}"
[ -n "$json_out" ] && echo "peers done: $json_out"
exit 0
