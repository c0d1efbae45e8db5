#!/bin/sh
# The live heap (bytes malloc'd and not yet freed) of a soak recorded with
# heaptrack, over time: what the process really holds, apart from what the
# allocator keeps around (RSS). Prints ten points from the warm-up to the
# end, and how the highest point of the last tenth of the run compares with
# that of the first tenth after the warm-up.
#   tests/soak/heap_series.sh HEAPTRACK_FILE WARMUP_S
# Record one with: make soak DURATION=1800 SOAK_WRAP='heaptrack -o build/soak.heaptrack'
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 HEAPTRACK_FILE WARMUP_S" >&2
    exit 2
fi
massif=$(mktemp)
trap 'rm -f "$massif"' EXIT
heaptrack_print -f "$1" -M "$massif" --massif-threshold 100 >/dev/null
awk -v warm="$2" '
    /^time=/ { t = substr($0, 6) + 0 }
    /^mem_heap_B=/ { n++; time[n] = t; heap[n] = substr($0, 12) + 0 }
    END {
        for (i = 1; i <= n && time[i] < warm; i++) ;
        first = i; last = n
        if (first >= last) { print "no snapshot after the warm-up"; exit 1 }
        print "| at s | live heap kB |"; print "|---|---|"
        step = int((last - first) / 10); if (step < 1) step = 1
        for (i = first; i <= last; i += step)
            printf "| %.0f | %.0f |\n", time[i], heap[i] / 1024
        # Connections come and go: compare the highest point of the first
        # tenth after the warm-up with that of the last tenth.
        tenth = (time[last] - time[first]) / 10; a = 0; b = 0
        for (i = first; i <= last; i++) {
            if (time[i] <= time[first] + tenth && heap[i] > a) a = heap[i]
            if (time[i] >= time[last] - tenth && heap[i] > b) b = heap[i]
        }
        printf "\nhighest live heap in the first tenth after the warm-up %.0f kB, in the last tenth %.0f kB: %+.1f %%\n",
            a / 1024, b / 1024, (b - a) * 100 / a
    }' "$massif"
