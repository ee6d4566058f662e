#!/bin/sh
# linkage.sh INCLUDE_DIR LIBTCESIM.so: every tcesim_* function declared in a
# public header must be a default-visibility (exported) symbol of the shared
# library, and the library must export nothing else (hidden visibility).
set -eu
inc=$1 lib=$2
declared=$(grep -ho '\btcesim_[a-z0-9_]*[[:space:]]*(' "$inc"/*.h | sed 's/[[:space:]]*($//' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort -u)
missing=0
for f in $declared; do
	if ! printf '%s\n' "$exported" | grep -qx "$f"; then
		echo "not exported: $f"; missing=$((missing + 1))
	fi
done
extra=$(printf '%s\n' "$exported" | grep -v '^tcesim_' | grep -v '^_' || true)
if [ -n "$extra" ]; then
	echo "exported but not tcesim_*: $extra"; missing=$((missing + 1))
fi
n=$(printf '%s\n' "$declared" | wc -l)
echo "linkage: $n declared functions checked, $missing problems"
[ "$missing" -eq 0 ]
