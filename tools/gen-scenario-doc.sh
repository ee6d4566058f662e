#!/bin/sh
# gen-scenario-doc.sh TCESIM DOC: rewrite the command reference of DOC (between
# the BEGIN/END markers) from `TCESIM commands`, the runner's own tables.
# With --check, exit 1 when DOC is out of date instead of rewriting it.
# With --man TCESIM TEMPLATE OUT VERSION: write the man page OUT from TEMPLATE
# (man/tcesim-scenario.5.in), its @COMMANDS@ line replaced by the same list in
# roff (one .TP entry per command: synopsis in bold, then what it does) and
# @VERSION@ by VERSION. So docs/SCENARIO.md and tcesim-scenario(5) list the
# same commands, from one source.
set -eu
check=0 man=0
[ "${1:-}" = "--check" ] && { check=1; shift; }
[ "${1:-}" = "--man" ] && { man=1; shift; }
tcesim=$1 doc=$2
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.new"' EXIT
if [ $man -eq 1 ]; then
	out=$3 version=$4
	"$tcesim" commands | sed 's/^  //' | awk '
		function roff(s) {
			gsub(/\\/, "\\e", s)
			gsub(/-/, "\\-", s)
			gsub(/[|,]/, "&\\:", s)	# break points inside long alternatives
			return s
		}
		{
			syn = $0; desc = ""
			if (match($0, /   +(# *)?/)) {
				syn = substr($0, 1, RSTART - 1)
				desc = substr($0, RSTART + RLENGTH)
			}
			print ".TP"
			print "\\fB" roff(syn) "\\fR"
			if (desc != "")
				print "\\&" roff(desc)
		}' > "$tmp"
	awk -v ref="$tmp" -v version="$version" '
		/^@COMMANDS@$/ { while ((getline l < ref) > 0) print l; next }
		{ gsub(/@VERSION@/, version); print }
	' "$doc" > "$tmp.new"
	cp "$tmp.new" "$out"
	exit 0
fi
{
	echo '```'
	"$tcesim" commands | sed 's/^  //'
	echo '```'
} > "$tmp"
awk -v ref="$tmp" '
	/<!-- BEGIN COMMANDS -->/ { print; while ((getline l < ref) > 0) print l; skip = 1; next }
	/<!-- END COMMANDS -->/ { skip = 0 }
	!skip { print }
' "$doc" > "$tmp.new"
if [ $check -eq 1 ]; then
	if ! cmp -s "$doc" "$tmp.new"; then
		echo "$doc is out of date: run tools/gen-scenario-doc.sh $tcesim $doc"
		diff "$doc" "$tmp.new" | head -20
		exit 1
	fi
	echo "$doc: command reference up to date"
else
	cp "$tmp.new" "$doc"
fi
