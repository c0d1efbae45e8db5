#!/bin/sh
# Fails if the shared library exports any symbol not named lakebase_*, or
# exports none at all.
set -eu
lib="$1"
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u)
count=$(printf '%s\n' "$syms" | grep -c '^lakebase_' || true)
bad=$(printf '%s\n' "$syms" | grep -v '^lakebase_' | grep -v '^LAKEBASE_' | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "unexpected exported symbols:"; echo "$bad"; exit 1
fi
if [ "$count" -eq 0 ]; then
  echo "no lakebase_* symbols exported"; exit 1
fi
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
case "$soname" in
  liblakebase.so.[0-9]*) ;;
  *) echo "unexpected SONAME: $soname"; exit 1 ;;
esac
case "$soname" in
  *.*.*.*) echo "SONAME must carry the major version only: $soname"; exit 1 ;;
esac
echo "ok: $count lakebase_* symbols, SONAME $soname"
