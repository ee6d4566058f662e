#!/bin/sh
# check-man.sh GROFF TCESIM PAGE.1 PAGE.5: both pages render with
# `groff -man -Tutf8 -ww` without a single warning, tcesim(1) documents every
# subcommand and exit status, and tcesim-scenario(5) has one entry per
# command of `TCESIM commands` (so it cannot drift from the runner's tables).
set -eu
groff=$1 tcesim=$2 p1=$3 p5=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for p in "$p1" "$p5"; do
	if ! "$groff" -man -Tutf8 -ww "$p" > "$tmp/out" 2> "$tmp/err"; then
		echo "$p: groff failed"; cat "$tmp/err"; fail=1
	elif [ -s "$tmp/err" ]; then
		echo "$p: groff warnings:"; cat "$tmp/err"; fail=1
	fi
	sed 's/.\x08//g' "$tmp/out" > "$tmp/$(basename "$p").txt"
done
t1="$tmp/$(basename "$p1").txt"
for word in 'tcesim run' 'tcesim replay' 'tcesim commands' 'tcesim-bench' 'EXIT STATUS'; do
	grep -q -- "$word" "$t1" || { echo "$p1: no '$word'"; fail=1; }
done
want=$("$tcesim" commands | wc -l)
got=$(awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH / { on = 0 } on && /^\.TP$/ { n++ }
	END { print n + 0 }' "$p5")
if [ "$want" -ne "$got" ]; then
	echo "$p5: $got command entries, \`tcesim commands\` has $want"; fail=1
fi
[ $fail -eq 0 ] && echo "man pages: render cleanly; $got scenario commands"
exit $fail
