#!/usr/bin/env bash
# bench/icount.sh - instructions per operation of a tcesim-bench case, counted
# by valgrind's callgrind: deterministic where a 2-vCPU VM's timings wander
# by 30 % from one round to the next (../shared/PERF.md), and where perf has no
# hardware counters. Use it to check a "no regression beyond X %" guard
# between two builds; timings stay bench/compare.sh's job.
#
# usage: bench/icount.sh BENCH CASE RUN_FN CALLEE [CALLS_PER_OP]
#   BENCH         a tcesim-bench binary (RelWithDebInfo: symbols needed)
#   CASE          one case/param/variant, e.g. pasid_lookup/1024/radix
#   RUN_FN        the case's run function (its loop), e.g. run_array
#   CALLEE        a function RUN_FN calls CALLS_PER_OP times per operation
#                 (not inlined), e.g. pasid_array_load_rcu
# prints: CASE,instructions_per_op,operations
# (RUN_FN's inclusive instruction count over CALLEE's call count; loop and
# call overhead included, calibration runs included: they run the same loop)
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 BENCH CASE RUN_FN CALLEE [CALLS_PER_OP]" >&2; exit 2; }
bench=$1 case=$2 run=$3 callee=$4 per=${5:-1}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
valgrind -q --tool=callgrind --callgrind-out-file="$out" --compress-strings=no \
	--compress-pos=no "$bench" --filter="$case" --threads=1 --repeat=1 --min-ms=20 >/dev/null 2>&1
# Raw callgrind format: "fn=NAME" starts a function's costs (inlined code
# included), "cfn=NAME" + "calls=N POS" + one cost line give a call and its
# inclusive cost, other cost lines are "POS IR" (self cost).
awk -v c="$case" -v run="$run" -v callee="$callee" -v per="$per" '
	/^fn=/ { cur = substr($0, 4); next }
	/^cfn=/ { cfn = substr($0, 5); next }
	/^calls=/ { if (cur == run && cfn == callee) { split(substr($0, 7), a, " "); n += a[1] } next }
	/^[0-9+*-]/ { if (cur == run) incl += $2; next }
	END {
		if (!incl || !n) { printf "icount: %s: no %s or no call of %s\n", c, run, callee > "/dev/stderr"; exit 1 }
		printf "%s,%.2f,%d\n", c, incl / (n / per), n / per
	}' "$out"
