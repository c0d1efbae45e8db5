#!/bin/sh
# Fails when go/'s generated copy of the C library differs from what
# core/, bindings/src/ and include/ generate now (a file changed, added or
# removed), naming the files and the command that fixes it.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
sh "$root/scripts/go-sources.sh" "$fresh" >/dev/null

generated() { # the generated files in a directory, by name
    for f in "$1"/*.c "$1"/*.h "$1"/cgo_bundled.go; do
        [ -f "$f" ] && head -n 1 "$f" | grep -q '^// Code generated from ' && basename "$f"
    done | sort
}
stale=""
for name in $(generated "$fresh") $(generated "$root/go"); do
    case " $stale " in *" $name "*) continue ;; esac
    cmp -s "$fresh/$name" "$root/go/$name" 2>/dev/null || stale="$stale $name"
done
if [ -n "$stale" ]; then
    echo "go/ holds a stale copy of the C library:$stale" >&2
    echo "regenerate it with \`make go-sources\` and commit go/" >&2
    exit 1
fi
echo "ok: go/ matches core/, bindings/src/ and include/ ($(generated "$fresh" | wc -l) files)"
