#!/bin/sh
# The layering rule (architecture.md §1): arrows point down only. Fails if
#  - a file in core/ includes a project header that is not core's own or
#    the public contract include/lakebase.h (e.g. a bindings/ header), or
#  - an object compiled from core/ calls a public lakebase_* function (the
#    public functions are the glue in bindings/src, one layer up).
# Usage: check_layers.sh SOURCE_DIR OBJECT...
set -eu
src=$1
shift
bad=0
for f in "$src"/core/*.c "$src"/core/*.h; do
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        if [ "$inc" != lakebase.h ] && [ ! -f "$src/core/$inc" ]; then
            echo "core/$(basename "$f") includes \"$inc\", which is not a core/ header"
            bad=1
        fi
    done
done
core_objects=0
for o in "$@"; do
    case "$o" in */core/*) ;; *) continue ;; esac
    core_objects=$((core_objects + 1))
    calls=$(nm -u "$o" | awk '{print $2}' | grep '^lakebase_' || true)
    if [ -n "$calls" ]; then
        echo "$(basename "$o") calls public functions (bindings/src is above core/): $calls"
        bad=1
    fi
done
if [ "$core_objects" -eq 0 ]; then
    echo "no core/ objects given"
    exit 1
fi
[ "$bad" -eq 0 ] || exit 1
echo "ok: core/ includes only its own headers and lakebase.h, and its $core_objects objects call no public function"
