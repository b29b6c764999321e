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
