#!/bin/sh
# Stops an emulator started by start.sh STATE_DIR: SIGTERM, then up to 20 s
# for a clean exit, then SIGKILL (and the server it left behind).
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 STATE_DIR" >&2
    exit 2
fi
state_dir=$1
pidfile=$state_dir/pid
if [ ! -f "$pidfile" ]; then
    echo "stop.sh: no emulator recorded in $state_dir" >&2
    exit 0
fi
pid=$(cat "$pidfile")
status=0
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    tries=0
    while kill -0 "$pid" 2>/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -gt 200 ]; then
            echo "stop.sh: the emulator (pid $pid) did not exit in 20 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            # A killed emulator cannot stop its PostgreSQL: do it here.
            postmaster=$state_dir/pgdata/postmaster.pid
            if [ -f "$postmaster" ]; then
                kill -QUIT "$(head -n 1 "$postmaster")" 2>/dev/null || true
            fi
            status=1
            break
        fi
        sleep 0.1
    done
fi
rm -f "$pidfile"
exit "$status"
