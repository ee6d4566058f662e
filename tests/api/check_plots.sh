#!/bin/sh
# check_plots.sh SRCDIR OUTDIR: bench/plot turns every committed
# bench/results/*.csv into well-formed SVG charts (ns/op and ratio) that name
# the cases, and each CSV has its two charts committed beside it.
set -eu
src=$1 out=$2
rm -rf "$out" && mkdir -p "$out"
fail=0
for csv in "$src"/bench/results/*.csv; do
	stem=$(basename "$csv" .csv)
	"$src/bench/plot" -o "$out" "$csv" > /dev/null
	for kind in nsop ratio; do
		svg=$out/$stem-$kind.svg
		python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$svg" ||
			{ echo "$svg: not well-formed XML"; fail=1; }
		case=$(awk -F, 'NR > 2 && $10 != "" { print $1; exit }' "$csv")
		grep -q -- "$case" "$svg" || { echo "$svg: case $case not labelled"; fail=1; }
		[ -f "$src/bench/results/$stem-$kind.svg" ] ||
			{ echo "bench/results/$stem-$kind.svg is not committed (run bench/plot)"; fail=1; }
	done
done
# bad input is a clean error, not a traceback
printf 'case,variant\nx,y\n' > "$out/bad.csv"
if "$src/bench/plot" -o "$out" "$out/bad.csv" 2> "$out/err"; then
	echo "bench/plot accepted a CSV without tcesim-bench columns"; fail=1
fi
grep -q 'not tcesim-bench CSV' "$out/err" || { echo "unclear error: $(cat "$out/err")"; fail=1; }
[ $fail -eq 0 ] && echo "bench/plot: charts of every committed result render"
exit $fail
