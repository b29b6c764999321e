#!/usr/bin/env bash
# Waits until coreloop's GET /health answers 200 (every reactor alive and pinned as planned), for systemd's
# ExecStartPost= (deploy/systemd/coreloop.service): a JVM cannot send sd_notify(READY=1) without a native helper, so
# the unit is Type=exec and this makes "started" mean "serving". Uses curl when installed, else bash's /dev/tcp.
#
#   wait-healthy.sh [HOST:]PORT [TIMEOUT_S]      default host 127.0.0.1, timeout 60 s
#
# Exit status: 0 once /health said 200; 1 on timeout (with the last answer on stderr); 2 for bad input.
set -euo pipefail

[ $# -ge 1 ] && [ $# -le 2 ] || { printf 'usage: wait-healthy.sh [HOST:]PORT [TIMEOUT_S]\n' >&2; exit 2; }
target="$1"
timeout_s="${2:-60}"
case "$target" in *:*) host="${target%:*}"; port="${target##*:}" ;; *) host=127.0.0.1; port="$target" ;; esac
[[ "$port" =~ ^[1-9][0-9]{0,4}$ ]] && [ "$port" -le 65535 ] || { printf 'wait-healthy.sh: %s is not a port\n' "$port" >&2; exit 2; }
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || { printf 'wait-healthy.sh: %s is not a number of seconds\n' "$timeout_s" >&2; exit 2; }

probe()   # prints the status line and body; returns 0 on 200
{
    local answer
    if command -v curl >/dev/null 2>&1; then
        answer="$(curl -s --max-time 2 -w '\nHTTP %{http_code}' "http://${host}:${port}/health" 2>&1)" || true
        printf '%s\n' "$answer"
        [ "${answer##*$'\n'}" = "HTTP 200" ]
        return
    fi
    answer="$(timeout 2 bash -c "exec 3<>/dev/tcp/${host}/${port} && printf 'GET /health HTTP/1.0\r\nHost: ${host}\r\n\r\n' >&3 && cat <&3" 2>&1)" || true
    printf '%s\n' "$answer"
    case "$answer" in "HTTP/1."?" 200"*) return 0 ;; *) return 1 ;; esac
}

deadline=$(( $(date +%s) + timeout_s ))
last=""
while :; do
    if last="$(probe 2>/dev/null)"; then
        exit 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        printf 'wait-healthy.sh: %s:%s/health did not answer 200 within %s s; last answer:\n%s\n' \
            "$host" "$port" "$timeout_s" "$last" >&2
        exit 1
    fi
    sleep 0.2
done
