#!/bin/sh
# check-layers.sh LAYERS OBJ... - the files of a module call each other one
# way only (issue 9: no circle between the files of a folder). LAYERS is
# "file:rank,file:rank,..." (rank 0 = bottom). Fails (exit 1, one line per
# violation) when:
#  - an object passed has no rank in LAYERS (every file has a rank; a file
#    left out on purpose is not passed at all, see TCESIM_LAYERS_EXCLUDE_*);
#  - LAYERS ranks a file that is not among the objects (a stale entry), or
#    one file twice, or gives a rank that is not a number;
#  - an undefined symbol of an object is defined by another object of the
#    list whose file has the same or a higher rank.
set -eu
layers=$1
shift
if [ $# -lt 2 ]; then
	echo "check-layers: need the objects of the module, got $#"
	exit 1
fi
tmp=${TMPDIR:-/tmp}/check-layers.$$
trap 'rm -f "$tmp".*' EXIT
: >"$tmp.bad"
echo "$layers" | tr ',' '\n' | awk -F: 'NF { print $1, $2 }' | sort >"$tmp.ranks"
for o in "$@"; do
	f=$(basename "$o" .o); f=${f%.c}
	echo "$f"
done | sort -u >"$tmp.files"
# every file has a rank (one), every rank a file
awk '$2 !~ /^[0-9]+$/ { print $1 }' "$tmp.ranks" | while read -r f; do
	echo "check-layers: $f has a rank that is not a number"; echo x >>"$tmp.bad"
done
awk '{ print $1 }' "$tmp.ranks" | uniq -d | while read -r f; do
	echo "check-layers: $f is ranked twice"; echo x >>"$tmp.bad"
done
join -v 1 "$tmp.files" "$tmp.ranks" | while read -r f; do
	echo "check-layers: $f has no rank"; echo x >>"$tmp.bad"
done
join -v 2 "$tmp.files" "$tmp.ranks" | while read -r f r; do
	echo "check-layers: $f (rank $r) is not among the objects: stale entry"
	echo x >>"$tmp.bad"
done
for o in "$@"; do
	f=$(basename "$o" .o); f=${f%.c}
	nm --defined-only "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ { print $3, f }'
done | sort >"$tmp.defs"
for o in "$@"; do
	f=$(basename "$o" .o); f=${f%.c}
	nm -u "$o" | awk '{ print $2 }' | sort -u | join - "$tmp.defs" | while read -r sym g; do
		[ "$g" = "$f" ] && continue
		rf=$(awk -v k="$f" '$1 == k { print $2; exit }' "$tmp.ranks")
		rg=$(awk -v k="$g" '$1 == k { print $2; exit }' "$tmp.ranks")
		if [ -z "$rf" ] || [ -z "$rg" ]; then
			continue # reported above
		elif [ "$rg" -ge "$rf" ]; then
			echo "check-layers: $f (rank $rf) calls $sym of $g (rank $rg): not one way"
			echo x >>"$tmp.bad"
		fi
	done
done
[ -s "$tmp.bad" ] && exit 1
echo "check-layers: $# files, one way"
