#!/bin/sh
# setup-debian.sh - install what tcesim needs on Debian 12 (run as root).
# Skips apt entirely when everything is already installed.
set -eu
pkgs="build-essential cmake pkg-config git python3 xz-utils liburcu-dev libxxhash-dev \
libcmocka-dev liblzma-dev zlib1g-dev linux-libc-dev clang-14 libclang-rt-14-dev lld-14 \
gnuplot-nox groff-base valgrind"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup-debian: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
echo "setup-debian: dependencies present"
