#!/usr/bin/env python3
"""Opens N idle TCP connections to HOST:PORT, holds them HOLD_S seconds (or until killed), then closes them.

    deploy/scripts/idle-connections.py 127.0.0.1 6380 10000 60

Prints "open N" once every connection is established (or "failed ..." and exits 1). Bounded: at most N sockets,
at most HOLD_S seconds. Raises its own soft file-descriptor limit to what N needs (within the hard limit).
"""
import resource
import socket
import sys
import time


def main():
    host, port, count, hold_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = count + 64
    if soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            print(f"failed: need {need} file descriptors, hard limit is {hard}", flush=True)
            return 1
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    sockets = []
    deadline = time.monotonic() + 60
    try:
        while len(sockets) < count:
            if time.monotonic() > deadline:
                print(f"failed: only {len(sockets)} connections within 60 s", flush=True)
                return 1
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect((host, port))
            sockets.append(s)
        print(f"open {len(sockets)}", flush=True)
        time.sleep(hold_s)
        return 0
    finally:
        for s in sockets:
            s.close()


if __name__ == "__main__":
    sys.exit(main())
