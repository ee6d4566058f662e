#!/bin/sh
# bench/explore-bound2.sh [TCESIM] - issue 10 item 8: every bundled explore
# example exhaustive at preemption bound 2. Each examples/explore_*.tsim is
# copied with its explore line forced to `preemptions=2 keep_going` (every
# schedule runs, violations are counted), run once, and timed (CPU seconds
# of the run, from /usr/bin/time if present, else wall). Prints CSV:
# example,schedules,summary,cpu_s and a total line. Not a test: a
# measurement (the ctest explore_seed003_bound2 checks the biggest verdict).
set -eu
tcesim=${1:-build/tcesim}
dir=$(dirname "$0")/../examples
tmp=${TMPDIR:-/tmp}/explore-bound2.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "example,schedules,summary,cpu_s"
total=0
for f in "$dir"/explore_*.tsim; do
	b=$(basename "$f" .tsim)
	sed -E 's/^explore preemptions=[0-9a-z]+/explore preemptions=2 keep_going/' "$f" >"$tmp/$b.tsim"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$tmp/t" "$tcesim" run "$tmp/$b.tsim" >"$tmp/out" 2>&1 || true
		t=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/t")
	else
		s=$(date +%s.%N); "$tcesim" run "$tmp/$b.tsim" >"$tmp/out" 2>&1 || true
		t=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	fi
	line=$(grep -m1 "explore:" "$tmp/out" | sed "s/.*explore: //" || echo "(no summary)")
	n=$(echo "$line" | sed -nE 's/.* after ([0-9]+) schedules.*/\1/p')
	echo "$b,${n:-?},\"$(echo "$line" | tr -d '"' | cut -c1-100)\",$t"
	total=$(awk -v a="$total" -v b="$t" 'BEGIN { printf "%.3f", a + b }')
done
echo "total,,,${total}"
