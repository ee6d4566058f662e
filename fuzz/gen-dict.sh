#!/bin/sh
# gen-dict.sh TCESIM - regenerate fuzz/dict/scenario.dict from the command
# table (`tcesim commands`: every command word, `check` subcommand and
# key= it declares) plus the result words; libFuzzer -dict= format.
# Usage: fuzz/gen-dict.sh build/tcesim > fuzz/dict/scenario.dict
set -eu
tcesim=${1:?usage: gen-dict.sh path/to/tcesim}
{
	"$tcesim" commands | awk '{ print $1 }'
	"$tcesim" commands | awk '$1 == "check" { print "check " $2 }'
	"$tcesim" commands | grep -o '[a-z_0-9]*=' || true
	"$tcesim" commands | grep -o '[a-z0-9_]*|[a-z0-9_|]*' | tr '|' '\n' || true
	printf '%s\n' '=>' ok '|' '#' '[' ']' 0x 4K 64K 16M 1G 2G read write read,write \
		to_device from_device bidirectional yes no thread EINVAL EBUSY ENOMEM EFAULT \
		ENOENT ENXIO EPERM ENOSPC ENOTTY ENODEV H_SUCCESS H_PARAMETER H_TOO_HARD \
		H_HARDWARE DMA_MAPPING_ERROR
} | grep -v '^$' | sort -u | sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'
