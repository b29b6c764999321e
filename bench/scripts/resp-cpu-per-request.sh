#!/usr/bin/env bash
# RESP server CPU per request, coreloop (1 and 2 reactors) against redis-server, runs interleaved.
#
# For each of RUNS rounds, each server in turn is started pinned to SERVER_CPUS, warmed up, and measured under
# redis-benchmark pinned to LOAD_CPU (-c CONNECTIONS, keys spread with -r KEYSPACE, GET and SET, -P 1 and -P 16);
# the server's CPU time is utime+stime from /proc over exactly the benchmark's run. Prints per server and load the
# median requests/s and server CPU microseconds per request, the coreloop/redis ratios, and the cross-shard cost:
# with N reactors and keys spread uniformly, a request crosses shards with probability (N-1)/N, so
#     cross-shard extra CPU per crossing request = (cpu[N reactors] - cpu[1 reactor]) / ((N-1)/N).
# With 2 reactors on a 2-CPU machine the point is oversubscribed (the load shares a CPU with a reactor unless
# SERVER_CPUS has 2 CPUs of its own): it is labelled so; CPU per request is still the server's own CPU time.
#
#   bench/scripts/resp-cpu-per-request.sh                        # RUNS=3 REQUESTS=300000 SERVER_CPUS=1 LOAD_CPU=0
#   SERVER_CPUS=2-3 LOAD_CPU=0,1 bench/scripts/resp-cpu-per-request.sh
#
# Needs: bench/target/benchmarks.jar (mvn -B -DskipTests package -pl bench -am), redis-benchmark, redis-server,
# taskset. Every load is bounded by REQUESTS.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER_CPUS=${SERVER_CPUS:-1}
LOAD_CPU=${LOAD_CPU:-0}
RUNS=${RUNS:-3}
REQUESTS=${REQUESTS:-300000}
CONNECTIONS=${CONNECTIONS:-50}
KEYSPACE=${KEYSPACE:-100000}
SERVERS=${SERVERS:-coreloop-1 coreloop-2 redis}
LOADS=${LOADS:-get set get-p16 set-p16}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR=bench/target/benchmarks.jar
# The launcher's collector and young-generation cap (docs/launcher.md, "Memory"): how a user runs it. The process's
# CPU time counts every JVM thread, so the collector's own threads are part of the cost (G1's add ~0.1-0.4 us/request).
JVM_OPTS=${JVM_OPTS:--XX:+UseSerialGC -Xms64m -XX:MaxNewSize=8m --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}
PORT=${PORT:-16390}

[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -DskipTests package -pl bench -am" >&2; exit 1; }
for tool in redis-benchmark redis-server taskset; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install redis-tools redis-server util-linux)" >&2; exit 1; }
done


# shellcheck source=lib.sh
. bench/scripts/lib.sh
server_scaffold

HZ=$(getconf CLK_TCK)
cpu_count() { # a taskset CPU list such as 1 or 2-3 or 0,2-3
    local n=0 part
    for part in ${1//,/ }; do
        if [[ $part == *-* ]]; then n=$((n + ${part#*-} - ${part%-*} + 1)); else n=$((n + 1)); fi
    done
    echo "$n"
}

start_server() { # name
    local name=$1
    case "$name" in
        coreloop-*) exec taskset -c "$SERVER_CPUS" "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.examples.resp.RespServer \
                        --port "$PORT" --reactors "${name#coreloop-}" ;;
        redis)      exec taskset -c "$SERVER_CPUS" redis-server --port "$PORT" --save '' --appendonly no --bind 127.0.0.1 ;;
    esac >"$TMP/$name.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$PORT"
}

# One measured run: prints "requests_per_s cpu_us_per_request errors".
run_load() { # load
    local load=$1 t=${1%-p16} p=1 before after out rps errors
    [ "$load" != "$t" ] && p=16
    before=$(cpu_ticks "$SERVER_PID")
    out=$(taskset -c "$LOAD_CPU" redis-benchmark -p "$PORT" -c "$CONNECTIONS" -n "$REQUESTS" -r "$KEYSPACE" -P "$p" -t "$t" --csv 2>&1)
    after=$(cpu_ticks "$SERVER_PID")
    # --csv: a header line, then "SET","123456.79",... ; anything mentioning an error is counted.
    rps=$(awk -F'"' 'NR > 1 && $2 ~ /^(GET|SET)$/ {print $4; exit}' <<<"$out")
    errors=$(grep -ci 'err' <<<"$out" || true)
    [ -n "$rps" ] || { echo "no result from redis-benchmark: $out" >&2; rps=0; }
    awk -v r="$rps" -v t="$REQUESTS" -v d="$((after - before))" -v hz="$HZ" -v e="$errors" \
        'BEGIN { printf "%.0f %.3f %d\n", r, (d / hz) * 1e6 / t, e }'
}


declare -A RPS CPU ERR
echo "server on CPUs $SERVER_CPUS, redis-benchmark on CPU $LOAD_CPU; -c $CONNECTIONS -n $REQUESTS -r $KEYSPACE; median of $RUNS interleaved runs"
echo "$(date -u +%FT%TZ); $($JAVA -version 2>&1 | head -1); $(redis-server --version | awk '{print $3}')"
for run in $(seq 1 "$RUNS"); do
    for name in $SERVERS; do
        start_server "$name"
        # Warm-up with every load measured below (pipelined and not): the JIT compiles the -P 1 path too, so the first
        # measured load does not pay for compilation (the compiler threads' CPU time is the server process's).
        for p in 16 1; do
            taskset -c "$LOAD_CPU" redis-benchmark -p "$PORT" -c "$CONNECTIONS" -n "$REQUESTS" -r "$KEYSPACE" -P "$p" -t get,set -q >/dev/null 2>&1
        done
        for load in $LOADS; do
            line=$(run_load "$load")
            read -r r c e <<<"$line"
            RPS[$name/$load]+="$r "; CPU[$name/$load]+="$c "; ERR[$name/$load]=$(( ${ERR[$name/$load]:-0} + e ))
            printf '  run %d %-11s %-8s %10s req/s %8s us CPU/req %s\n' "$run" "$name" "$load" "$r" "$c" "$([ "$e" -gt 0 ] && echo "ERRORS=$e")"
        done
        stop_server
    done
done

n_server_cpus=$(cpu_count "$SERVER_CPUS")
echo
printf '| server | load | req/s (median) | server CPU us/req (median) | errors |\n|---|---|---:|---:|---:|\n'
declare -A MED
for load in $LOADS; do
    for name in $SERVERS; do
        mr=$(tr ' ' '\n' <<<"${RPS[$name/$load]}" | grep . | median)
        mc=$(tr ' ' '\n' <<<"${CPU[$name/$load]}" | grep . | median)
        MED[$name/$load]=$mc
        label=$name
        case "$name" in coreloop-*) [ "${name#coreloop-}" -gt "$n_server_cpus" ] && label="$name (oversubscribed)" ;; esac
        printf '| %s | %s | %s | %s | %s |\n' "$label" "$load" "$mr" "$mc" "${ERR[$name/$load]}"
    done
done
echo
for load in $LOADS; do
    line="$load:"
    if [ -n "${MED[coreloop-1/$load]:-}" ] && [ -n "${MED[redis/$load]:-}" ]; then
        line+=$(awk -v a="${MED[coreloop-1/$load]}" -v b="${MED[redis/$load]}" 'BEGIN { printf " coreloop-1/redis CPU per request x%.2f;", a / b }')
    fi
    for name in $SERVERS; do
        case "$name" in coreloop-1|redis) continue ;; coreloop-*) ;; *) continue ;; esac
        nr=${name#coreloop-}
        line+=$(awk -v one="${MED[coreloop-1/$load]}" -v n="${MED[$name/$load]}" -v r="$nr" \
            'BEGIN { f = (r - 1) / r; printf " local %.3f us/req, %d reactors %.3f us/req, cross-shard extra %.3f us per crossing request (fraction %.2f);", one, r, n, (n - one) / f, f }')
    done
    echo "$line"
done
