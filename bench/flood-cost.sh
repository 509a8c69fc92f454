#!/usr/bin/env bash
# What a flood costs each edge, and what the people on the other sites pay for it (issue 15): Bulwark on its default
# config against nginx and HAProxy configured by someone who knows their flood defences, all in front of the same
# small origin, under the same open-loop cache-busting GET flood (scenarios/flood-cost.yaml: 50 sites, 2 targets,
# 3,000 bot addresses in 127/8 on keep-alive connections, 3,000 req/s).
#
#   bench/flood-cost.sh [--quick] [--people-only] [--json FILE] [--edges bulwark,nginx,haproxy]
#
#   --quick          a 20 s flood instead of 60 s (the 35 s warm-up stays: Bulwark's default detection needs 30 s)
#   --people-only    the same run with the flood cut to a hundredth (its rate and its addresses): what the people
#                    alone cost each edge over the flood's window, so that a full run's CPU splits into the people's
#                    and the flood's own; the last line then starts with `people cpu` (ratios of CPU-seconds)
#   --json FILE      every edge's figures as JSON (the lab's outcome of both sides, plus the flood's CPU)
#   --edges LIST     which edges, in this order (default: bulwark,nginx,haproxy)
#
# For each edge, from scratch: the scenario's origin model in its own process; the edge alone on CPU 0 (taskset),
# everything else on the other cores: the people (simulated browsers that solve the challenge, people without
# JavaScript, two real headless Chromium readers on the targets) in one lab process at normal priority, the bots in
# another at nice 10, both on one clock (`bulwark lab --edge ... --clients people|attack --start-at`). The edge's CPU
# is read from /proc over the flood phase (every process of its session: nginx's workers, the JVM's compiler and GC
# threads), then divided by the attack requests sent in it.
#
# Prints one row per edge, then `flood cpu bulwark/nginx=X bulwark/haproxy=Y p99 bulwark/nginx=Z
# onset_p99 bulwark/nginx=W` as its last line (ratios of one run; `n/a` where an edge was not run). onset: the flood's
# first 5 s, when an edge has not adapted yet.
#
# Environment: EDGE_JAVA_OPTS [] extra JVM flags for Bulwark's process only (e.g. GC logging, a perf map);
# KEEP_TMP [0] keep configs and logs; LAB_RUN_TIMEOUT [400] seconds per run; BULWARK_START_TIMEOUT
# [150] seconds for Bulwark to listen (its JIT warm-up runs first, 30 s by default).
set -euo pipefail

json_out=""
quick=()
people_only=0
edges=bulwark,nginx,haproxy
while [ $# -gt 0 ]; do
  case "$1" in
    --json) [ $# -ge 2 ] || { echo "--json needs a FILE" >&2; exit 2; }; json_out=$2; shift 2 ;;
    --json=*) json_out=${1#--json=}; shift ;;
    --quick) quick=(--quick); shift ;;
    --people-only) people_only=1; shift ;;
    --edges) [ $# -ge 2 ] || { echo "--edges needs a LIST" >&2; exit 2; }; edges=$2; shift 2 ;;
    --edges=*) edges=${1#--edges=}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a edge_list <<<"$edges"
for e in "${edge_list[@]}"; do
  case "$e" in bulwark|nginx|haproxy) ;; *) echo "--edges: unknown edge '$e' (expected: bulwark, nginx, haproxy)" >&2; exit 2 ;; esac
done
LAB_RUN_TIMEOUT=${LAB_RUN_TIMEOUT:-400}
BULWARK_START_TIMEOUT=${BULWARK_START_TIMEOUT:-150}
scenario=flood-cost

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
if [ -n "$json_out" ] && [[ $json_out != /* ]]; then json_out="$OLDPWD/$json_out"; fi
scenario_file=scenarios/$scenario.yaml
[ -f "$scenario_file" ] || { echo "no scenario $scenario_file" >&2; exit 2; }

BENCH_NAME=flood-cost
# shellcheck source=lib/servers.sh
. "$repo_root/bench/lib/servers.sh"

# The lab reads its scenarios from this directory; --people-only gives it a copy of the scenario whose flood is a
# hundredth of the real one (still from several addresses, so that nothing else about the run changes).
scenario_dir=$repo_root/scenarios
if [ "$people_only" = 1 ]; then
  scenario_dir=$tmp/scenarios
  mkdir -p "$scenario_dir"
  python3 - "$scenario_file" "$scenario_dir/$scenario.yaml" <<'PY' || die "could not cut the flood of $scenario_file"
import re, sys
text = open(sys.argv[1]).read()
def cut(m):
    line = re.sub(r"rate: (\d+)/s", lambda r: f"rate: {max(1, int(r.group(1)) // 100)}/s", m.group(0))
    return re.sub(r"sources: (\d+)", lambda r: f"sources: {max(1, int(r.group(1)) // 100)}", line)
cut_text, n = re.subn(r"get_flood: \{[^}]*\}", cut, text)
if n != 1:
    sys.exit(f"expected one get_flood in {sys.argv[1]}, found {n}")
open(sys.argv[2], "w").write(cut_text)
PY
  scenario_file=$scenario_dir/$scenario.yaml
fi

# --- packages -------------------------------------------------------------------------------------------------
need=()
for p in nginx haproxy curl python3 chromium chromium-driver; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} from Debian"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || true
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
PATH="$PATH:/usr/sbin:/sbin"
NGINX=$(command -v nginx)
HAPROXY=$(command -v haproxy)

# --- cores ----------------------------------------------------------------------------------------------------
cores=$(nproc)
if [ "$cores" -ge 2 ]; then
  EDGE_PIN=(taskset -c 0)
  REST_PIN=(taskset -c "1-$((cores - 1))")
else
  log "one core only: the edge shares it with the load (figures are not comparable with a pinned run)"
  EDGE_PIN=()
  REST_PIN=()
fi

log "making sure the lab jar is built"
./bulwark lab --version >"$tmp/build.log" 2>&1 || die "./bulwark lab --version failed (build?)" "$tmp/build.log"

origin_workers=$(awk '/^origin:/ { print; exit }' "$scenario_file" | sed -n 's/.*workers: *\([0-9]*\).*/\1/p')
origin_workers=${origin_workers:-16}
sites=$(awk '$1 == "sites:" { print $2; exit }' "$scenario_file")
# The warm-up's and the flood's lengths, from the scenario (its --quick ones with --quick).
read -r warmup_s flood_s < <(python3 - "$scenario_file" "${#quick[@]}" <<'PY'
import re, sys
text, quick = open(sys.argv[1]).read(), sys.argv[2] != "0"
key = "quick_seconds" if quick else "seconds"
def phase(name):
    block = text.split("name: " + name, 1)[1].split("- ", 1)[0]
    return re.search(r"(?<![a-z_])" + key + r": *(\d+)", block).group(1)
print(phase("warm-up"), phase("flood"))
PY
) || true
[ -n "$warmup_s" ] && [ -n "$flood_s" ] || die "could not read the phases of $scenario_file"

# --- configs --------------------------------------------------------------------------------------------------
bulwark_conf() { # bulwark_conf PORT ADMIN_PORT ORIGIN_PORT: the default config, only the sites and the ports named
  local p=$1 ap=$2 op=$3 i
  echo "# Generated by bench/flood-cost.sh: Bulwark's defaults, nothing tuned for the flood."
  echo "listen: {http: 127.0.0.1:$p}"
  echo "admin: {listen: 127.0.0.1:$ap}"
  echo "sites:"
  for i in $(seq 1 "$sites"); do
    printf '  - {name: site-%04d, hosts: [site-%04d.lab.test], origins: [127.0.0.1:%s]}\n' "$i" "$i" "$op"
  done
}

nginx_conf() { # nginx_conf DIR PORT ORIGIN_PORT
  local d=$1 p=$2 op=$3 k
  mkdir -p "$d/cache"
  cat <<EOF
# Generated by bench/flood-cost.sh: nginx as an expert sets it up against application-layer floods
# (ngx_http_limit_req_module, ngx_http_limit_conn_module, ngx_http_proxy_module; nginx's "Mitigating DDoS Attacks
# with NGINX" guide).
worker_processes 1;                 # the one core it has, as Bulwark gets one event loop there
worker_rlimit_nofile 20000;           # the hard FD limit here
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 8192; }   # the bots' 3,000 keep-alive connections plus the people's
http {
  # An access log as every edge here keeps one (Bulwark's JSON lines): buffered, as an expert would under load.
  access_log $d/access.log combined buffer=64k flush=1s;
$(for k in client_body proxy fastcgi uwsgi scgi; do echo "  ${k}_temp_path $d/tmp_$k;"; done)

  # Per client address: 10 r/s with a burst of 20 served at once (a page and its assets arrive together); more is
  # refused with 429. At most 10 connections per address (a browser opens a few).
  limit_req_zone \$binary_remote_addr zone=per_ip:10m rate=10r/s;
  limit_conn_zone \$binary_remote_addr zone=per_ip_conn:10m;
  limit_req_status 429;
  limit_conn_status 429;

  client_header_timeout 5s;           # slowloris: the whole header within 5 s
  client_body_timeout 5s;
  send_timeout 10s;
  keepalive_timeout 15s;
  reset_timedout_connection on;

  # The micro-cache keyed WITHOUT the query string (\$uri, not \$request_uri): a cache-busting query then hits the
  # copy of the page, which is the whole point against this flood. 10 s for responses without caching headers (the
  # origin's Cache-Control wins), stale copies while the origin errs or one request refreshes them, one request per
  # key to the origin at a time (lock).
  proxy_cache_path $d/cache levels=1:2 keys_zone=edge:32m max_size=256m inactive=10m use_temp_path=off;

  upstream origin {
    server 127.0.0.1:$op;
    keepalive 64;
  }

  server {
    listen 127.0.0.1:$p default_server backlog=4096;
    return 444;                       # unknown hosts
  }

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
      proxy_cache_key \$scheme\$host\$uri;
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
  local p=$1 op=$2 i
  cat <<EOF
# Generated by bench/flood-cost.sh: HAProxy as an expert sets it up against application-layer floods (configuration
# manual: stick-table, track-sc0, sc_http_req_rate, maxconn, timeout queue, cache; HAProxy's "Application-Layer DDoS
# Attack Protection" guide): a backend per site whose maxconn is its bulkhead on the shared origin, a short queue
# timeout, a per-source stick table, a small cache.
global
  maxconn 9000                  # the bots' 3,000 keep-alive connections and the people's; the FD limit here is 20,000
  nbthread 1                    # the one core it has, as Bulwark gets one event loop there
  log stdout format raw local0  # an access log as every edge here keeps one

defaults
  mode http
  log global
  option httplog
  option forwardfor             # X-Forwarded-For: the origin model tells people from bots by it
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 15s
  timeout server 10s
  timeout http-request 5s       # slowloris: the whole header within 5 s
  timeout http-keep-alive 5s
  timeout queue 2s              # a request queued for its site's share of the origin longer than this gets a 503

cache small
  total-max-size 64             # MB; the page cache of a small edge
  max-age 10                    # seconds, for responses without caching headers

frontend sites
  bind 127.0.0.1:$p backlog 4096
  maxconn 8000
  stick-table type ip size 200k expire 30s store http_req_rate(10s),conn_cur
  tcp-request connection track-sc0 src
  tcp-request connection reject if { sc_conn_cur(0) gt 10 }       # slowloris, connection floods
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }  # over 10 req/s per address
  http-request cache-use small
  http-response cache-store small
  http-request deny deny_status 404 unless { req.hdr(host),field(1,:) -m end -i .lab.test }  # unknown hosts
  # One backend per site, chosen by Host: each site's own bulkhead on the shared origin.
  use_backend %[req.hdr(host),field(1,:),lower,field(1,.)]

EOF
  for i in $(seq 1 "$sites"); do
    # maxconn: a site may hold half the origin's workers at once, so two flooded sites leave room for everyone else;
    # what exceeds it waits in the site's own queue (timeout queue) and never in another site's.
    printf 'backend site-%04d\n  server o1 127.0.0.1:%s maxconn %d\n\n' "$i" "$op" "$((origin_workers / 2))"
  done
}

# --- CPU of a server's processes -----------------------------------------------------------------------------
session_cpu() { # session_cpu SID: "USER SYSTEM" CPU seconds of every process in the session (clock ticks summed)
  python3 - "$1" <<'PY'
import os, sys
sid, user, system = sys.argv[1], 0, 0
for pid in os.listdir('/proc'):
    if not pid.isdigit():
        continue
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        continue
    if fields[3] == sid:  # field 6 (session) counted after the closing parenthesis of comm
        user += int(fields[11])
        system += int(fields[12])
hz = os.sysconf('SC_CLK_TCK')
print(f"{user / hz:.2f} {system / hz:.2f}")
PY
}

# --- one edge -------------------------------------------------------------------------------------------------
# Sets the scheduling priority of the session PID leads (PID was started with setsid). With the kernel's autogroup
# scheduling (on by default) a process's nice value counts only against the processes of its own session, so a
# `nice -n 10` alone gave the bots the same share of the clients' core as the people, whose measured latencies then
# waited behind the bots' process; the session's own nice (its autogroup) is what ranks it against the others. Written
# only once PID leads its session: before its setsid, the file is this script's own session's.
session_nice() {
  local pid=$1 nice=$2 i
  for i in $(seq 1 100); do
    if [ "$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ]; then
      [ -w "/proc/$pid/autogroup" ] && echo "$nice" >"/proc/$pid/autogroup" 2>/dev/null
      return 0
    fi
    sleep 0.02
  done
}

# Sleeps until an instant in ms since the epoch. In the background and waited for, so that a TERM or INT stops the
# script at once (bash runs a trap only after its foreground command ends: a plain sleep held the cleanup of every
# server and client for up to a minute).
sleep_until() {
  sleep "$(python3 -c "import time; print(max(0, $1 / 1000 - time.time()))")" &
  wait $!
}

run_edge() { # run_edge NAME
  local name=$1 op pp ap d="$tmp/$1" start_at now
  pick_port op
  pick_port pp
  pick_port ap
  mkdir -p "$d"
  log "$name: origin model on 127.0.0.1:$op, $name on 127.0.0.1:$pp (CPU 0)"
  start_server origin "$d/origin.log" env BULWARK_JAVA_OPTS= "${REST_PIN[@]}" ./bulwark lab --scenarios "$scenario_dir" --scenario "$scenario" --origin-only --origin-port "$op"
  # The origin stands for another machine: the clients' core must not take its CPU (the people's devices solving their
  # first challenges at an onset slowed its 60 ms pages to 110-180 ms with 8 of its 16 workers busy).
  session_nice "${pid_of[origin]}" -5
  wait_http origin 60 "http://127.0.0.1:$op/__lab/origin-stats"
  case "$name" in
    bulwark)
      bulwark_conf "$pp" "$ap" "$op" >"$d/bulwark.yaml"
      start_server bulwark "$d/bulwark.log" env BULWARK_JAVA_OPTS="${EDGE_JAVA_OPTS:-}" "${EDGE_PIN[@]}" \
        ./bulwark serve --config "$d/bulwark.yaml"
      log "bulwark: JIT warm-up, then listening (up to ${BULWARK_START_TIMEOUT}s)"
      wait_http bulwark "$BULWARK_START_TIMEOUT" "http://127.0.0.1:$ap/healthz"
      # The socket transport it runs on (io_uring where the kernel allows it): the figures depend on it.
      log "bulwark: $(grep -m1 -o 'edge up ([^)]*)' "$d/bulwark.log" || echo "no 'edge up' line in its log")"
      ;;
    nginx)
      nginx_conf "$d" "$pp" "$op" >"$d/nginx.conf"
      chmod -R a+rwX "$d"
      "$NGINX" -t -q -p "$d" -e "$d/error.log" -c "$d/nginx.conf" 2>"$d/test.log" || die "nginx config rejected" "$d/test.log"
      start_server nginx "$d/nginx.log" "${EDGE_PIN[@]}" "$NGINX" -p "$d" -e "$d/error.log" -c "$d/nginx.conf"
      ;;
    haproxy)
      haproxy_conf "$pp" "$op" >"$d/haproxy.cfg"
      "$HAPROXY" -c -q -f "$d/haproxy.cfg" >"$d/test.log" 2>&1 || die "haproxy config rejected" "$d/test.log"
      start_server haproxy "$d/haproxy.log" "${EDGE_PIN[@]}" "$HAPROXY" -db -f "$d/haproxy.cfg"
      ;;
  esac
  wait_http "$name" 30 -H "Host: site-0001.lab.test" "http://127.0.0.1:$pp/healthz"
  local sid=${pid_of[$name]}
  # Both sides start on one clock 15 s from now: their JVMs start meanwhile on the shared core, the bots' at nice 10
  # behind the people's and the Chromium readers' (5 s was once not enough, and the bots' process refused a start
  # already past).
  now=$(date +%s%3N)
  start_at=$((now + 15000))
  log "$name: people (nice 0) and bots (nice 10) from $(date -d "@$((start_at / 1000))" +%H:%M:%S), ${warmup_s}s warm-up, ${flood_s}s flood"
  local common=(--scenarios "$scenario_dir" --scenario "$scenario" "${quick[@]}" --edge "127.0.0.1:$pp" --origin-port "$op" --run-name "$name"
    --start-at "$start_at" --reports "$d/reports")
  BULWARK_JAVA_OPTS= setsid "${REST_PIN[@]}" timeout --kill-after=10 "$LAB_RUN_TIMEOUT" ./bulwark lab "${common[@]}" --clients people \
    --json "$d/people.json" --html "$d/people.html" >"$d/people.out" 2>&1 </dev/null &
  local people=$!
  BULWARK_JAVA_OPTS= setsid "${REST_PIN[@]}" nice -n 10 timeout --kill-after=10 "$LAB_RUN_TIMEOUT" ./bulwark lab "${common[@]}" \
    --clients attack --json "$d/attack.json" --html "$d/attack.html" >"$d/attack.out" 2>&1 </dev/null &
  local bots=$!
  session_nice "$bots" 10
  pid_of[people-$name]=$people
  pid_of[bots-$name]=$bots
  # The edge's CPU over the flood phase alone: read at its start and its end on the same clock.
  local flood_from=$(( (start_at + warmup_s * 1000) )) flood_to=$(( start_at + (warmup_s + flood_s) * 1000 ))
  sleep_until "$flood_from"
  local cpu0 cpu1
  cpu0=$(session_cpu "$sid")
  sleep_until "$flood_to"
  cpu1=$(session_cpu "$sid")
  kill -0 "$sid" 2>/dev/null || die "$name died during the flood" "${logs_of[$name]}" "$d/error.log"
  wait "$people" || die "the people's lab process against $name failed" "$d/people.out"
  wait "$bots" || die "the bots' lab process against $name failed" "$d/attack.out"
  unset "pid_of[people-$name]" "pid_of[bots-$name]"
  stop_server "$name"
  stop_server origin
  python3 - "$name" "$d/people.json" "$d/attack.json" "$cpu0" "$cpu1" >"$d/row.json" <<'PY'
import json, sys
name, people, attack = sys.argv[1], sys.argv[2], sys.argv[3]
user0, system0 = map(float, sys.argv[4].split())
user1, system1 = map(float, sys.argv[5].split())
p = json.load(open(people))["runs"][0]
a = json.load(open(attack))["runs"][0]
sent = a["attack"]["requests_sent"]
cpu = round(user1 + system1 - user0 - system0, 2)
print(json.dumps({
    "edge": name,
    "cpu_seconds": cpu,
    # user space and the kernel apart: where an edge's cost lies (nginx's is mostly the kernel's, a JVM's is not)
    "cpu_user_seconds": round(user1 - user0, 2),
    "cpu_system_seconds": round(system1 - system0, 2),
    "cpu_us_per_attack_request": round(cpu * 1e6 / sent, 1) if sent else None,
    "attack_requests_sent": sent,
    "attack_requests_reaching_origin": a["attack"]["requests_reaching_origin"],
    "bystanders": p["bystanders"],
    "targets": p["targets"],
}))
PY
  log "$name: $(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f\"CPU {r['cpu_seconds']} s over the flood (user {r['cpu_user_seconds']} s, system {r['cpu_system_seconds']} s), {r['cpu_us_per_attack_request']} µs per attack request\")" "$d/row.json")"
  rows+=("$d/row.json")
}

rows=()
for e in "${edge_list[@]}"; do run_edge "$e"; done

python3 - "$json_out" "$(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$people_only" "${rows[@]}" <<'PY'
import json, sys
out, machine, people_only, files = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
rows = [json.load(open(f)) for f in files]
def pct(x): return "-" if x is None else f"{x * 100:.1f}%"
def ms(x): return "-" if x is None else f"{x} ms"
print(f"flood-cost on {machine}; the edge alone on CPU 0, everything else on the other cores")
hdr = ["edge", "CPU s", "µs/attack req", "bystanders", "p50", "p99", "onset ok", "onset p50", "onset p99",
       "Chromium on targets", "p50", "no-JS on targets", "attack at origin"]
table = [hdr]
for r in rows:
    b, t = r["bystanders"], r["targets"]
    o = b.get("onset") or {}
    c = t.get("chromium") or {}
    table.append([r["edge"], f"{r['cpu_seconds']:.2f}", str(r["cpu_us_per_attack_request"]),
                  pct(b["legit_success_rate"]), ms(b["p50_ms"]), ms(b["p99_ms"]),
                  pct(o.get("legit_success_rate")), ms(o.get("p50_ms")), ms(o.get("p99_ms")),
                  pct(c.get("success_rate")) + f" of {c.get('visits', 0)}", ms(c.get("p50_ms")),
                  pct(t.get("nojs_success_rate")),
                  f"{r['attack_requests_reaching_origin']} of {r['attack_requests_sent']}"])
w = [max(len(row[i]) for row in table) for i in range(len(hdr))]
for row in table:
    print("  ".join(cell.rjust(w[i]) if i else cell.ljust(w[i]) for i, cell in enumerate(row)))
by = {r["edge"]: r for r in rows}
def ratio(f, a, b):
    if a not in by or b not in by:
        return "n/a"
    x, y = f(by[a]), f(by[b])
    return "n/a" if x is None or y in (None, 0) else f"{x / y:.2f}"
# With --people-only the flood is a token one: compare what each edge spent over the window, not per attack request.
label, cpu = ("people", lambda r: r["cpu_seconds"]) if people_only else (
    "flood", lambda r: r["cpu_us_per_attack_request"])
p99 = lambda r: r["bystanders"]["p99_ms"]
onset = lambda r: (r["bystanders"].get("onset") or {}).get("p99_ms")
if out:
    json.dump({"machine": machine, "people_only": people_only, "edges": rows}, open(out, "w"), indent=2)
    print(f"json: {out}")
print(f"{label} cpu bulwark/nginx={ratio(cpu, 'bulwark', 'nginx')} bulwark/haproxy={ratio(cpu, 'bulwark', 'haproxy')}"
      f" p99 bulwark/nginx={ratio(p99, 'bulwark', 'nginx')} onset_p99 bulwark/nginx={ratio(onset, 'bulwark', 'nginx')}")
PY
