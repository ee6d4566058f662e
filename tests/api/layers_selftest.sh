#!/bin/sh
# layers_selftest.sh WANT CHECK LAYERS OBJ... - proof that check-layers.sh
# (CHECK) can fail, and for the reason meant: it must exit 1 on LAYERS and
# OBJ... and say WANT. Exit 0 when it does, 1 otherwise.
set -u
want=$1
check=$2
shift 2
out=$(sh "$check" "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 1 ]; then
	echo "layers_selftest: check-layers exited $rc, not 1"
	exit 1
fi
case $out in
*"$want"*) ;;
*)
	echo "layers_selftest: check-layers failed without saying '$want'"
	exit 1
	;;
esac
echo "layers_selftest: check-layers failed as it should ($want)"
