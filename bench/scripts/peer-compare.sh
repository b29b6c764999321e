#!/usr/bin/env bash
# Side-by-side peer comparison: coreloop vs Netty 4.2 (and redis-server 7 for RESP), server pinned to one CPU,
# load generator pinned to another. Prints, per server and load, the median over RUNS runs of requests/s and
# server CPU time per request (utime+stime of the server process from /proc, in microseconds), then the
# ratios against coreloop.
#
#   bench/scripts/peer-compare.sh                 # defaults: SERVER_CPU=1 LOAD_CPU=0 RUNS=3 DURATION_S=10
#   RUNS=5 DURATION_S=15 bench/scripts/peer-compare.sh http
#
# Needs: bench/target/benchmarks.jar (mvn -B -DskipTests package -pl bench -am), wrk, redis-benchmark,
# redis-server, taskset. Every load is bounded by DURATION_S (wrk) or REQUESTS (redis-benchmark).
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER_CPU=${SERVER_CPU:-1}
LOAD_CPU=${LOAD_CPU:-0}
RUNS=${RUNS:-3}
DURATION_S=${DURATION_S:-10}
REQUESTS=${REQUESTS:-200000}
CONNECTIONS=${CONNECTIONS:-32}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR=bench/target/benchmarks.jar
# Agrona 2 needs jdk.internal.misc exported to the unnamed module (the one JVM option; see the README).
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}
WHAT=${1:-all}

[ -f "$JAR" ] || { echo "missing $JAR: mvn -B -DskipTests package -pl bench -am" >&2; exit 1; }
for tool in wrk redis-benchmark redis-server taskset; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk redis-tools redis-server util-linux)" >&2; exit 1; }
done


# shellcheck source=lib.sh
. bench/scripts/lib.sh
server_scaffold

cat > "$TMP/pipeline.lua" <<'LUA'
init = function(args)
   local r = {}
   for i = 1, 16 do r[i] = wrk.format(nil, "/plaintext") end
   req = table.concat(r)
end
request = function() return req end
LUA

HZ=$(getconf CLK_TCK)

start_server() { # name port
    local name=$1 port=$2
    # Each branch execs, so that $! below is the server process itself (its CPU time is what we read).
    case "$name" in
        coreloop-http) exec taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.examples.http.HttpServer --port "$port" --reactors 1 ;;
        netty-http)    exec taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.bench.peer.NettyHttpServer --port "$port" --threads 1 ;;
        coreloop-resp) exec taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.examples.resp.RespServer --port "$port" --reactors 1 ;;
        netty-resp)    exec taskset -c "$SERVER_CPU" "$JAVA" $JVM_OPTS -cp "$JAR" dev.coreloop.bench.peer.NettyRespServer --port "$port" --threads 1 ;;
        redis)         exec taskset -c "$SERVER_CPU" redis-server --port "$port" --save '' --appendonly no --bind 127.0.0.1 ;;
    esac >"$TMP/$name.log" 2>&1 &
    SERVER_PID=$!
    wait_port "$port"
}

# One measured run: prints "requests_per_s cpu_us_per_request".
run_load() { # load port
    local load=$1 port=$2 before after out rps total
    before=$(cpu_ticks "$SERVER_PID")
    case "$load" in
        wrk)    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION_S}s" "http://127.0.0.1:$port/plaintext")
                rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
                total=$(awk '/requests in/ {print $1}' <<<"$out") ;;
        # wrk counts each response of a pipelined batch as one request, so no scaling by 16 here.
        wrk-p16) out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION_S}s" -s "$TMP/pipeline.lua" "http://127.0.0.1:$port/plaintext")
                rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
                total=$(awk '/requests in/ {print $1}' <<<"$out") ;;
        get|set|get-p16|set-p16)
                local t=${load%-p16} p=1
                [ "$load" != "$t" ] && p=16
                out=$(taskset -c "$LOAD_CPU" redis-benchmark -p "$port" -c "$CONNECTIONS" -n "$REQUESTS" -P "$p" -t "$t" -q 2>&1 | tr '\r' '\n' | grep -i 'requests per second' | tail -1)
                rps=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}' <<<"$out")
                total=$REQUESTS ;;
    esac
    if grep -qE 'Non-2xx|Socket errors' <<<"${out:-}"; then echo "load errors: $out" >&2; fi
    after=$(cpu_ticks "$SERVER_PID")
    awk -v r="$rps" -v t="$total" -v d="$((after - before))" -v hz="$HZ" 'BEGIN { printf "%.0f %.3f\n", r, (d / hz) * 1e6 / t }'
}


declare -A RPS CPU
measure() { # name port load
    local name=$1 port=$2 load=$3 i rps_list="" cpu_list="" line
    start_server "$name" "$port"
    run_load "$load" "$port" >/dev/null   # warm-up run, not counted
    for i in $(seq 1 "$RUNS"); do
        line=$(run_load "$load" "$port")
        rps_list+="${line% *}"$'\n'; cpu_list+="${line#* }"$'\n'
    done
    stop_server
    RPS[$name/$load]=$(printf '%s' "$rps_list" | median)
    CPU[$name/$load]=$(printf '%s' "$cpu_list" | median)
    printf '%-14s %-8s %12s req/s %10s us CPU/req\n' "$name" "$load" "${RPS[$name/$load]}" "${CPU[$name/$load]}"
}

report() { # base-name load peers...
    local base=$1 load=$2; shift 2
    local p
    for p in "$@"; do
        awk -v n="$p" -v l="$load" -v br="${RPS[$base/$load]}" -v pr="${RPS[$p/$load]}" -v bc="${CPU[$base/$load]}" -v pc="${CPU[$p/$load]}" \
            'BEGIN { printf "  %-8s coreloop/%-13s throughput x%.2f   CPU per request x%.2f (below 1 = coreloop cheaper)\n", l, n, br / pr, bc / pc }'
    done
}

echo "server pinned to CPU $SERVER_CPU, load to CPU $LOAD_CPU; median of $RUNS runs; $(date -u +%FT%TZ); $($JAVA -version 2>&1 | head -1)"
if [ "$WHAT" = all ] || [ "$WHAT" = http ]; then
    for load in wrk wrk-p16; do
        measure coreloop-http 18080 "$load"; measure netty-http 18081 "$load"
        report coreloop-http "$load" netty-http
    done
fi
if [ "$WHAT" = all ] || [ "$WHAT" = resp ]; then
    for load in get set get-p16 set-p16; do
        measure coreloop-resp 16380 "$load"; measure netty-resp 16381 "$load"; measure redis 16382 "$load"
        report coreloop-resp "$load" netty-resp redis
    done
fi
