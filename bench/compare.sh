#!/usr/bin/env bash
# bench/compare.sh - paired comparison of two tcesim-bench binaries in one run.
#
# usage: bench/compare.sh BASE_BENCH NEW_BENCH [ROUNDS] [FILTER...]
#
# Runs BASE and NEW alternately (the order flips every round so drift and
# frequency changes hit both alike), --threads=1 --clock=cpu, and prints for
# every case/variant the median over rounds of NEW/BASE ns_op_median, with the
# smallest and largest round ratio. A ratio of 1.030 means NEW is 3.0 % slower.
# Output is CSV (case,variant,rounds,ratio_median,ratio_min,ratio_max,
# base_ns_median,new_ns_median) so a note can quote it and a script can check it.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BASE_BENCH NEW_BENCH [ROUNDS] [FILTER...]" >&2; exit 2; }
base=$1 new=$2 rounds=${3:-8}
shift $(( $# >= 3 ? 3 : 2 ))
filters=("$@")
[ ${#filters[@]} -gt 0 ] || filters=('tce_map_unmap*' 'pasid_lookup*')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# CPU time when both binaries have --clock (older ones measure wall time only)
clk=--clock=cpu
for b in "$base" "$new"; do
	"$b" --help 2>&1 | grep -q -- '--clock' && continue
	clk=
	echo "$0: warning: $b has no --clock: both measure wall time (use an idle machine)" >&2
done
run() { # BIN ROUND TAG
	local f
	for f in "${filters[@]}"; do
		"$1" --filter="$f" --threads=1 $clk --repeat=5 --format=csv > "$tmp/one.csv" 2>/dev/null ||
			{ echo "$0: $1 --filter=$f failed" >&2; exit 1; }
		awk -F, -v r="$2" -v t="$3" '$1 != "case" && $1 != "meta" && NF >= 5 { print t "," r "," $1 "," $2 "," $5 }' \
			"$tmp/one.csv"
	done >> "$tmp/all.csv"
}
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then run "$base" "$r" base; run "$new" "$r" new
	else run "$new" "$r" new; run "$base" "$r" base; fi
done
echo "case,variant,rounds,ratio_median,ratio_min,ratio_max,base_ns_median,new_ns_median"
awk -F, '
	{ k = $3 "," $4; v[$1, $2, k] = $5; keys[k] = 1; if ($2 > R) R = $2 }
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		for (k in keys) {
			n = 0; delete q; delete b; delete w
			for (r = 1; r <= R; r++) if (((("base", r, k) in v)) && ((("new", r, k) in v))) {
				n++; q[n] = v["new", r, k] / v["base", r, k]; b[n] = v["base", r, k]; w[n] = v["new", r, k]
			}
			if (!n) continue
			lo = hi = q[1]; for (i = 2; i <= n; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
			printf "%s,%d,%.3f,%.3f,%.3f,%.3f,%.3f\n", k, n, med(q, n), lo, hi, med(b, n), med(w, n)
		}
	}' "$tmp/all.csv" | sort
