#!/usr/bin/env bash
# Syscalls per request of the RESP servers, counted by the kernel: `perf stat -e 'syscalls:sys_enter_*'` attached
# to the server process (all its threads) while redis-benchmark sends a fixed number of requests. coreloop (one
# reactor) and redis-server run in the same session, pinned to SERVER_CPU, the load to LOAD_CPU; each is measured
# RUNS times and the median is printed, with the top syscalls of the last run.
#
#   bench/scripts/syscalls-per-request.sh            # defaults: REQUESTS=200000 CONNECTIONS=50 PIPELINE=1 RUNS=3
#   PIPELINE=16 bench/scripts/syscalls-per-request.sh
#
# Needs: bench/target/benchmarks.jar (mvn -B -DskipTests package -pl bench -am), perf (linux-perf) with syscall
# tracepoints, redis-server, redis-benchmark, taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
RUNS=${RUNS:-3}
REQUESTS=${REQUESTS:-200000}
CONNECTIONS=${CONNECTIONS:-50}
PIPELINE=${PIPELINE:-1}
TESTS=${TESTS:-get,set}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR=${JAR:-bench/target/benchmarks.jar}
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}

[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -DskipTests package -pl bench -am" >&2; exit 1; }
for tool in perf redis-benchmark redis-server taskset; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done


# shellcheck source=lib.sh
. bench/scripts/lib.sh
server_scaffold

start_server() { # name port
    case "$1" in
        coreloop) taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.examples.resp.RespServer \
                      --port "$2" --reactors 1 > "$TMP/server.log" 2>&1 & ;;
        redis)    taskset -c "$SERVER_CPU" redis-server --port "$2" --save '' --appendonly no --bind 127.0.0.1 \
                      > "$TMP/server.log" 2>&1 & ;;
    esac
    SERVER_PID=$!
    wait_port "$2"
}

measure_once() { # name port -> prints syscalls per request
    local name=$1 port=$2
    # warm-up (JIT), not counted
    taskset -c "$LOAD_CPU" redis-benchmark -p "$port" -c "$CONNECTIONS" -n "$REQUESTS" -P "$PIPELINE" -t "$TESTS" -q \
        > /dev/null
    perf stat -x, -e 'syscalls:sys_enter_*' -p "$SERVER_PID" -o "$TMP/perf.csv" &
    local perf_pid=$!
    sleep 0.5
    taskset -c "$LOAD_CPU" redis-benchmark -p "$port" -c "$CONNECTIONS" -n "$REQUESTS" -P "$PIPELINE" -t "$TESTS" -q \
        > "$TMP/bench.txt"
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    local tests; tests=$(tr ',' '\n' <<< "$TESTS" | wc -l)
    awk -F, -v n=$((REQUESTS * tests)) '$1 ~ /^[0-9]+$/ { total += $1 } END { printf "%.3f\n", total / n }' "$TMP/perf.csv"
    sort -t, -k1 -n -r "$TMP/perf.csv" | awk -F, -v n=$((REQUESTS * tests)) \
        '$1 ~ /^[0-9]+$/ && $1 > 0 { sub("syscalls:sys_enter_", "", $3); printf "  %-16s %.3f/req\n", $3, $1 / n }' \
        | head -6 > "$TMP/top-$name.txt"
}


echo "syscalls per request: redis-benchmark -c $CONNECTIONS -P $PIPELINE -t $TESTS -n $REQUESTS, server on CPU $SERVER_CPU, load on CPU $LOAD_CPU, $RUNS runs"
for name in coreloop redis; do
    port=$((16390 + RANDOM % 100))
    start_server "$name" "$port"
    runs=()
    for _ in $(seq 1 "$RUNS"); do
        runs+=("$(measure_once "$name" "$port")")
    done
    stop_server
    printf '%-9s median %s syscalls/request (runs: %s)\n' "$name" "$(printf '%s\n' "${runs[@]}" | median)" "${runs[*]}"
    cat "$TMP/top-$name.txt"
done
