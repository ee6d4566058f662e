#!/bin/sh
# check-layers.sh LAYERS OBJ... - the files of a module call each other one
# way only (issue 9: no circle between the files of a folder). LAYERS is
# "file:rank,file:rank,..." (rank 0 = bottom); every undefined symbol of an
# object that another object of the list defines must come from a file of
# a lower rank. Prints each violation; exit 1 if any.
set -eu
layers=$1
shift
if [ $# -lt 2 ]; then
	echo "check-layers: need the objects of the module, got $#"
	exit 1
fi
tmp=${TMPDIR:-/tmp}/check-layers.$$
trap 'rm -f "$tmp".*' EXIT
for o in "$@"; do
	f=$(basename "$o" .o); f=${f%.c}
	nm --defined-only "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print $3, f }'
done | sort >"$tmp.defs"
bad=0
for o in "$@"; do
	f=$(basename "$o" .o); f=${f%.c}
	nm -u "$o" | awk '{ print $2 }' | sort -u | join - "$tmp.defs" | while read -r sym g; do
		[ "$g" = "$f" ] && continue
		rf=$(echo "$layers" | tr ',' '\n' | awk -F: -v k="$f" '$1 == k { print $2 }')
		rg=$(echo "$layers" | tr ',' '\n' | awk -F: -v k="$g" '$1 == k { print $2 }')
		if [ -z "$rf" ] || [ -z "$rg" ]; then
			echo "check-layers: $f or $g has no rank"; echo x >>"$tmp.bad"
		elif [ "$rg" -ge "$rf" ]; then
			echo "check-layers: $f (rank $rf) calls $sym of $g (rank $rg): not one way"
			echo x >>"$tmp.bad"
		fi
	done
done
[ -s "$tmp.bad" ] 2>/dev/null && exit 1
echo "check-layers: $# files, one way"
