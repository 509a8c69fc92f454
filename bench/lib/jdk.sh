# Sourced by the bench scripts that run java themselves: find_jdk prints a JDK >= 21 the way ./bulwark picks one
# (JAVA_HOME first, then the newest under /usr/lib/jvm), or fails.
java_major() { # the feature version of the java binary in $1/bin/java, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV); do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v=$(java_major "$c")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
