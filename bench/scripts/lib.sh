# Shared helpers of the bench scripts (sourced, not run).

# wait_port PORT: waits up to 10 s for a listener on 127.0.0.1:PORT.
wait_port() {
    local port=$1 i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "server did not listen on $port" >&2; return 1
}

# A script that starts one server process at a time sources this file, then calls server_scaffold: TMP is a fresh
# temporary directory, SERVER_PID the running server's PID (set by the script's start_server); on exit the server is
# stopped (by its PID) and TMP removed.
server_scaffold() {
    TMP=$(mktemp -d)
    SERVER_PID=
    trap 'stop_server; rm -rf "$TMP"' EXIT
}

# stop_server: stops the server started last, by its PID.
stop_server() {
    [ -n "${SERVER_PID:-}" ] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# cpu_ticks PID: utime + stime of the process (all its threads), in clock ticks (getconf CLK_TCK per second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# median: the median of the numbers on standard input, one per line (the mean of the middle two for an even count).
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
