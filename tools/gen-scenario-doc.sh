#!/bin/sh
# gen-scenario-doc.sh TCESIM DOC: rewrite the command reference of DOC (between
# the BEGIN/END markers) from `TCESIM commands`, the runner's own tables.
# With --check, exit 1 when DOC is out of date instead of rewriting it.
set -eu
check=0
[ "${1:-}" = "--check" ] && { check=1; shift; }
tcesim=$1 doc=$2
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.new"' EXIT
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
