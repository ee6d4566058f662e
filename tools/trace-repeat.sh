#!/bin/sh
# trace-repeat.sh N IN.tce.txt.xz OUTSTEM - N back-to-back copies of a bundled
# trace (its .tce and .xlate files), each copy's seq shifted past the previous
# one's, so the result is one valid trace (T records of a copy replace the
# tables of the one before: QEMU's DDW re-enable). Written as OUTSTEM.tce.txt.xz
# and OUTSTEM.xlate.txt.xz. Used to measure replay memory on large input
# (issue 7 defect 7: a 20x pci trace must replay in <= 64 MiB peak RSS).
set -eu
n=$1 in=$2 out=$3
stem=${in%.tce.txt.xz}
for kind in tce xlate; do
	xz -dc "$stem.$kind.txt.xz" "$stem.tce.txt.xz" | awk '!/^#/ && NF > 1 { if ($2 > m) m = $2 } END { print m + 1 }' >"$out.$kind.span"
done
span=$(cat "$out.tce.span" "$out.xlate.span" | sort -n | tail -1)
rm -f "$out.tce.span" "$out.xlate.span"
for kind in tce xlate; do
	i=0
	while [ "$i" -lt "$n" ]; do
		xz -dc "$stem.$kind.txt.xz" | awk -v off=$((i * span)) \
			'/^#/ || NF < 2 { print; next } { $2 = $2 + off; print }'
		i=$((i + 1))
	done | xz -1 -T1 >"$out.$kind.txt.xz"
done
