#!/usr/bin/env bash
# fuzz/smoke.sh [SECONDS] - the CI fuzz smoke (fuzz/README.md, README.md
# "Fuzzing"): builds build-fuzz with clang-14 -DTCESIM_FUZZ=ON (libFuzzer +
# ASan + UBSan) and runs every harness SECONDS (default 60) seconds, one
# after the other, seeded from fuzz/corpus/NAME with fuzz/dict/NAME.dict
# (ctest label fuzz-smoke: -timeout=10 -rss_limit_mb=2048). Any crash,
# leak, UBSan report, timeout or out-of-memory fails it; the reproducer is
# left in build-fuzz/fuzz/artifacts/. New inputs go to build-fuzz/fuzz/work,
# never into the committed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
CC=clang-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTCESIM_FUZZ=ON \
	-DTCESIM_FUZZ_SECONDS="$secs" >/dev/null
# the four harnesses only (the rest of the tree is built and tested by the other stages)
cmake --build build-fuzz -j2 --target fuzz_scenario fuzz_trace fuzz_vfio fuzz_hcall
# one harness at a time: each libFuzzer process is one job of its own
ctest --test-dir build-fuzz -L fuzz-smoke --output-on-failure -j1
