# Sourced by the bench scripts: servers started in their own sessions and stopped by PID, a temp dir removed at exit,
# free loopback ports, bounded polling. The sourcing script sets BENCH_NAME (for messages) before sourcing, and may
# set KEEP_TMP=1 to keep the temp dir.
#
#   start_server NAME LOGFILE CMD...   run CMD in its own session; pid_of[NAME], logs_of[NAME]
#   stop_server NAME                   TERM its session, wait up to 5 s, then KILL the group
#   wait_http NAME TIMEOUT_S CURL...   poll until curl gets a 2xx, failing if NAME exits or time runs out
#   pick_port VAR                      a random free loopback port, never handed out twice
#   die MESSAGE [LOGFILE...]           print the message and the last lines of each log, exit 1
#   log MESSAGE                        a timestamped line on stderr

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bulwark-${BENCH_NAME:-bench}.XXXXXX")
chmod 755 "$tmp" # nginx workers drop to 'nobody' when started as root; they must reach the cache dir
declare -A pid_of=() logs_of=()
KEEP_TMP=${KEEP_TMP:-0}

log() { printf '[%s %s] %s\n' "${BENCH_NAME:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }

stop_server() {
  local name=$1 pid _
  pid=${pid_of[$name]:-}
  [ -n "$pid" ] || return 0
  unset "pid_of[$name]"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

bench_cleanup() {
  local rc=$? name
  trap - EXIT INT TERM
  for name in "${!pid_of[@]}"; do stop_server "$name"; done
  if [ "$KEEP_TMP" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
  local msg=$1 f; shift
  echo "${BENCH_NAME:-bench}: FAILED: $msg" >&2
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "---- last 40 lines of $f ----" >&2
    tail -n 40 "$f" >&2
  done
  exit 1
}

start_server() {
  local name=$1 logf=$2; shift 2
  setsid "$@" >"$logf" 2>&1 </dev/null &
  pid_of[$name]=$!
  logs_of[$name]=$logf
}

wait_http() {
  local name=$1 timeout=$2 deadline; shift 2
  deadline=$((SECONDS + timeout))
  until curl -fs -o /dev/null -m 1 "$@" 2>/dev/null; do
    kill -0 "${pid_of[$name]}" 2>/dev/null || die "$name exited during start-up" "${logs_of[$name]}" "$tmp/$name/error.log"
    [ $SECONDS -lt "$deadline" ] || die "$name did not answer within ${timeout}s" "${logs_of[$name]}" "$tmp/$name/error.log"
    sleep 0.2
  done
}

# shellcheck source=ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
