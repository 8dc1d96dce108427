#!/usr/bin/env bash
# Instructions per event of the full read, counted by valgrind's callgrind:
# a deterministic measure of the hot path's cost, for comparing changes on
# machines whose timings are too noisy to show a few percent (see
# docs/performance.md). Not a benchmark against Go: bench/run.sh is.
#
#   bench/instructions.sh [TRACE] [TOP]
#
# TRACE defaults to the medium trace bench/run.sh records (build-bench/
# medium.trace); TOP (default 15) is how many functions to list by their
# own instruction count. Needs valgrind; builds a release build with debug
# information in build-bench/build-ir.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/build-bench}
trace=${1:-$work/medium.trace}
top=${2:-15}
build=$work/build-ir

if [ ! -s "$trace" ]; then
	echo "no trace at $trace (bench/run.sh records one)" >&2
	exit 1
fi
mkdir -p "$work"
meson setup "$build" "$root" -Dbuildtype=release -Dtests=false -Dc_args=-g \
	>/dev/null 2>&1 ||
	meson setup --reconfigure "$build" "$root" -Dbuildtype=release \
		-Dtests=false -Dc_args=-g >/dev/null
ninja -C "$build" >/dev/null
out=$work/callgrind.out
valgrind --tool=callgrind --callgrind-out-file="$out" \
	"$build/tools/gotrace" stats -j 1 "$trace" >"$work/ir-stats.txt" 2>"$work/ir-valgrind.txt"
events=$(sed -n 's/^events: //p' "$work/ir-stats.txt")
total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/ir-valgrind.txt")
awk -v t="$total" -v e="$events" 'BEGIN {
	printf "%s instructions, %s events: %.0f instructions per event\n", t, e, t / e }'
callgrind_annotate "$out" 2>/dev/null | sed -n '/file:function/,$p' |
	sed -n "3,$((top + 2))p" |
	awk -v e="$events" '{ n = $1; gsub(",", "", n);
		sub(/ \[.*/, ""); printf "%7.1f /event  %s\n", n / e, $0 }'
