#!/usr/bin/env bash
# The scaling sweep, the scaling model and (optionally) the "why not threads" comparison, in one results directory.
#
#   bench/scripts/scale.sh                              # full sweep: 1..(physical cores / 2) reactors, all peers
#   bench/scripts/scale.sh --reactors 1-2               # also the oversubscribed 2-reactor point on a 2-CPU machine
#   bench/scripts/scale.sh --smoke                      # the ~30 s smoke sweep that `mvn -B verify` runs
#   THREADS=1 bench/scripts/scale.sh --reactors 1       # + coreloop vs thread per connection at 100/1,000/10,000
#   MODEL=0 ...                                         # skip the model's probes
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/scripts/scale.sh   # JDK 21+ runs the virtual-thread peer
#
# Arguments go to ScalingSweep (see docs/benchmarks.md). Writes results/<UTC timestamp>/ (sweep), .../model/ and
# .../threads/. Needs bench/target/benchmarks.jar (mvn -B -DskipTests package -pl bench -am) and taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."

JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR=bench/target/benchmarks.jar
# The one JVM option every coreloop JVM needs (Agrona 2; see the README). The JMH forks get it from the benchmark.
JVM_OPTS=${JVM_OPTS:---add-exports=java.base/jdk.internal.misc=ALL-UNNAMED --enable-native-access=ALL-UNNAMED}
OUT=${OUT:-results/$(date -u +%Y%m%d-%H%M%S)}

[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -DskipTests package -pl bench -am" >&2; exit 1; }
command -v taskset >/dev/null || { echo "missing taskset (apt-get install util-linux)" >&2; exit 1; }

echo "== sweep -> $OUT ($("$JAVA" -version 2>&1 | head -1))"
status=0
"$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.bench.scaling.ScalingSweep --out "$OUT" "$@" || status=$?

if [ "${MODEL:-1}" != 0 ]; then
    echo "== model -> $OUT/model"
    "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.bench.scaling.model.ModelRunner --sweep "$OUT" --out "$OUT/model" \
        ${MODEL_ARGS:-}
fi
if [ "${THREADS:-0}" != 0 ]; then
    echo "== why not threads -> $OUT/threads"
    "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.bench.scaling.threads.ThreadsComparison --out "$OUT/threads" \
        ${THREADS_ARGS:-}
fi
echo "results: $OUT"
exit $status
