# Sourced by the bench scripts: free loopback ports. The sourcing script defines die MESSAGE.
#
#   pick_port VAR   a random loopback port (20000-59999) that nothing listens on or is connected from, never handed
#                   out twice in one run

taken_ports=" "
port_busy() {
  if command -v ss >/dev/null; then
    [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}
pick_port() {
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
