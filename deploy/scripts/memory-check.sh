#!/usr/bin/env bash
# The resident memory (RSS, from /proc/PID/status) of `./coreloop serve` with the launcher's JVM defaults:
#   1. idle, 10 s after start;
#   2. around a load burst (wrk on HTTP /plaintext, then redis-benchmark on RESP): before, right after, and every
#      10 s for RECOVERY_S seconds, then whether it came back within 10 % of the value before the burst;
#   3. with CONNECTIONS idle connections held open on the RESP port (idle timeout one hour), 10 s after they opened.
# Targets (docs/embedding.md, "Memory"): idle <= 64 MiB, 10,000 idle connections <= 128 MiB, back within 10 % of the
# pre-burst value within a minute. It reports; it asserts nothing.
#
#   deploy/scripts/memory-check.sh
#   JAVA_OPTS='-XX:+UseG1GC' deploy/scripts/memory-check.sh      # the same with options added after the defaults
#   CONNECTIONS=10000 BURST_S=15 RECOVERY_S=60 deploy/scripts/memory-check.sh
#
# Needs wrk, redis-benchmark (redis-tools) and python3. Loopback only; every load is bounded in time or count.
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNECTIONS=${CONNECTIONS:-10000}
BURST_S=${BURST_S:-15}
RECOVERY_S=${RECOVERY_S:-60}
REQUESTS=${REQUESTS:-300000}
for tool in wrk redis-benchmark python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wrk redis-tools python3)" >&2; exit 1; }
done

./coreloop --help > /dev/null # builds the launcher jar if it is missing or stale

tmp=$(mktemp -d)
server_pid=
clients_pid=
cleanup()
{
    [ -n "$clients_pid" ] && kill "$clients_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

./coreloop serve --echo-port ephemeral --http-port ephemeral --resp-port ephemeral > "$tmp/serve.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do grep -q "ready:" "$tmp/serve.out" && break; sleep 0.1; done
grep -q "ready:" "$tmp/serve.out" || { cat "$tmp/serve.out" >&2; echo "server did not start" >&2; exit 1; }
port_of() { sed -n "s/^coreloop: $1 listening on [^ ]*:\([0-9]*\).*/\1/p" "$tmp/serve.out"; }
http_port=$(port_of http)
resp_port=$(port_of resp)
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status"; }
echo "JVM: $(tr '\0' ' ' < "/proc/$server_pid/cmdline" | sed 's/ -jar .*//')"
grep "ready:" "$tmp/serve.out"

sleep 10
idle=$(rss_mib)
echo "idle:                               $idle MiB"

pre=$(rss_mib)
wrk -t2 -c64 -d"${BURST_S}s" "http://127.0.0.1:$http_port/plaintext" > "$tmp/wrk.txt"
echo "burst: wrk $(grep 'Requests/sec' "$tmp/wrk.txt" | tr -s ' ')"
# 1,000 keys: the burst's own data stays small (the RESP store keeps keys and values on the heap)
redis-benchmark -h 127.0.0.1 -p "$resp_port" -c 50 -n "$REQUESTS" -r 1000 -d 64 -t set,get -q > "$tmp/rb.txt" 2>&1
echo "burst: redis-benchmark $(tr '\r' '\n' < "$tmp/rb.txt" | grep 'requests per second' | tr '\n' ' ')"
echo "before the burst:                   $pre MiB"
echo "right after the burst:              $(rss_mib) MiB"
for t in $(seq 10 10 "$RECOVERY_S"); do
    sleep 10
    printf '%-36s%s MiB\n' "${t} s after the burst:" "$(rss_mib)"
done
post=$(rss_mib)
awk -v pre="$pre" -v post="$post" -v s="$RECOVERY_S" 'BEGIN {
    printf "after %d s: %.1f MiB, %+.1f %% of the pre-burst %.1f MiB (target: within 10 %%)\n", s, post, (post - pre) * 100 / pre, pre }'

python3 deploy/scripts/idle-connections.py 127.0.0.1 "$resp_port" "$CONNECTIONS" 120 < /dev/null > "$tmp/clients.out" 2>&1 &
clients_pid=$!
for _ in $(seq 1 900); do grep -q "^open\|^failed" "$tmp/clients.out" && break; sleep 0.1; done
cat "$tmp/clients.out"
grep -q "^open" "$tmp/clients.out" || exit 1
sleep 10
echo "$CONNECTIONS idle connections:          $(rss_mib) MiB"
kill "$clients_pid" 2>/dev/null; wait "$clients_pid" 2>/dev/null || true
clients_pid=
