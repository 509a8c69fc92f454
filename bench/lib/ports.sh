# Sourced by the bench scripts: free loopback ports. The sourcing script defines die MESSAGE.
#
#   pick_port VAR   a random loopback port below the kernel's ephemeral range (10000 up to it) that nothing listens
#                   on or is connected from, never handed out twice in one run. Inside the ephemeral range a port free
#                   now can be taken by any outgoing connection before its server binds it: Bulwark's JIT warm-up
#                   alone opens some 100,000 loopback connections in the 30 s before the edge listens.

taken_ports=" "
port_busy() {
  if command -v ss >/dev/null; then
    [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
pick_port() {
  local p _ low=32768
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((low > 12000)) || die "the ephemeral port range starts at $low: no room below it for the bench's servers"
  for _ in $(seq 1 500); do
    p=$((10000 + RANDOM % (low - 10000)))
    [[ $taken_ports == *" $p "* ]] && continue
    port_busy "$p" && continue
    taken_ports+="$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free port found"
}
