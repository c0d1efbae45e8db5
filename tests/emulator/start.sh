#!/bin/sh
# Starts the Lakebase emulator in the background for a test run.
#   start.sh STATE_DIR [emulator flags...]
# Uses $LAKEBASE_EMULATOR, else build/lakebase-emulator under the repository
# root. Prints the environment once the emulator is ready; it is also in
# STATE_DIR/env, the emulator's log in STATE_DIR/emulator.log and its pid in
# STATE_DIR/pid. Stop it with stop.sh STATE_DIR.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 STATE_DIR [emulator flags...]" >&2
    exit 2
fi
state_dir=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bin=${LAKEBASE_EMULATOR:-$here/../../build/lakebase-emulator}
if [ ! -x "$bin" ]; then
    echo "start.sh: no emulator binary at $bin (build it, or set LAKEBASE_EMULATOR)" >&2
    exit 1
fi

mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
# A previous run that was never stopped would hold the state directory.
if [ -f "$state_dir/pid" ]; then
    sh "$here/stop.sh" "$state_dir" || true
fi
rm -f "$state_dir/env"

# Every standard stream is redirected so whoever runs this script (ctest)
# does not wait for the background emulator to close them.
"$bin" --state-dir "$state_dir" --env-file "$state_dir/env" "$@" \
    </dev/null >/dev/null 2>"$state_dir/emulator.log" &
pid=$!
echo "$pid" >"$state_dir/pid"

tries=0
while [ ! -f "$state_dir/env" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "start.sh: the emulator exited before it was ready; its log:" >&2
        tail -n 50 "$state_dir/emulator.log" >&2 || true
        rm -f "$state_dir/pid"
        exit 1
    fi
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ]; then
        echo "start.sh: the emulator was not ready after 60 s; its log:" >&2
        tail -n 50 "$state_dir/emulator.log" >&2 || true
        sh "$here/stop.sh" "$state_dir" || true
        exit 1
    fi
    sleep 0.1
done
cat "$state_dir/env"
