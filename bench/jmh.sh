#!/usr/bin/env bash
# Runs the JMH benchmarks under core/src/test/java (classes named *Benchmark; the product's hot paths). Arguments go to JMH unchanged, e.g.
#   bench/jmh.sh HostRouterBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
#   bench/jmh.sh -l            (list benchmarks)
# Picks a JDK >= 21 the way ./bulwark does (JAVA_HOME first, then newest under /usr/lib/jvm).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# shellcheck source=lib/jdk.sh
. "$here/bench/lib/jdk.sh"
JAVA_HOME=$(find_jdk) || { echo "jmh.sh: no JDK >= 21 found (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME

# The benchmarks live in the core module's tests: its test class path is theirs (the lab module is not built).
cp_file="$here/core/target/jmh-classpath.txt"
echo "jmh.sh: compiling core's tests and resolving the class path..." >&2
./mvnw -B -q -pl core test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2

exec "$JAVA_HOME/bin/java" @"$here/jvm.options" \
  -cp "$here/core/target/test-classes:$here/core/target/classes:$(cat "$cp_file")" \
  org.openjdk.jmh.Main "$@"
