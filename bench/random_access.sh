#!/usr/bin/env bash
# Random access against Go's parser, on a trace of about 1 GB, in one run:
# the index scan, a seek into the middle (time until the first event of the
# middle generation is out), a cut of one generation, and the full read.
# Go's parser has no index: to reach a generation it reads everything
# before it, which is what its row times (`goparser sync N`).
#
#   bench/random_access.sh [RUNS]     (default 5; medians)
#
# Needs what bench/run.sh needs, and builds and records the same way, into
# build-bench/ (BENCH_WORK): a release build, Go's parser from a copy of
# Go 1.27's internal/trace, and huge.trace, bench/tracegen run for 35 s
# (about 1.1 GB, 35 generations). The file is read from the page cache:
# every measurement runs once before it is timed.
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
build_gotrace
build_goparser

echo "== recording the trace" >&2
(cd "$root/bench/tracegen" && "$go" build -o "$work/tracegen" .)
huge=$work/huge.trace
[ -s "$huge" ] || "$work/tracegen" "$huge" 35s
bytes=$(stat -c %s "$huge")

# The middle generation, by position in the index.
"$gotrace" index --json "$huge" >"$work/huge.index.json"
ngen=$(wc -l <"$work/huge.index.json")
mid_line=$(( (ngen + 1) / 2 ))
mid=$(sed -n "${mid_line}p" "$work/huge.index.json" |
	sed 's/.*"generation": *\([0-9]*\).*/\1/')
cut=$work/huge.cut.trace

# measure CMD...: "median_seconds median_rss_kb" over $runs runs (after one
# untimed run, so that the file is in the page cache).
measure() {
	local i t=() m=()
	"$@" >/dev/null 2>&1 || true
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>&1 || true
		read -r s k <"$work/time.out"
		t+=("$s")
		m+=("$k")
	done
	echo "  ${*##*/}: ${t[*]}" >&2
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%s ", a[int((NR+1)/2)]}'
	printf '%s\n' "${m[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
# first_event CMD...: median seconds until CMD's first line of output is
# read (the command is then stopped by SIGPIPE), over $runs runs.
first_event() {
	local i t=()
	"$@" 2>/dev/null | head -n 1 >/dev/null || true
	for i in $(seq "$runs"); do
		local a b
		a=$(date +%s.%N)
		"$@" 2>/dev/null | head -n 1 >/dev/null || true
		b=$(date +%s.%N)
		t+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f", b - a}')")
	done
	echo "  ${*##*/}: ${t[*]}" >&2
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "== measuring ($runs runs each)" >&2
read -r si ki < <(measure "$gotrace" index "$huge")
read -r sin kin < <(measure "$gotrace" index --no-mmap "$huge")
fe=$(first_event "$gotrace" dump --gen "$mid" "$huge")
fe_go=$(first_event "$work/goparser.bin" sync "$mid_line" "$huge")
read -r sc kc < <(measure "$gotrace" cut --gen "$mid:$mid" "$huge" "$cut")
read -r s1 k1 < <(measure "$gotrace" stats -j 1 "$huge")
read -r s2 k2 < <(measure "$gotrace" stats -j 2 "$huge")
read -r sg kg < <(measure "$work/goparser.bin" count "$huge")
cut_bytes=$(stat -c %s "$cut")
rm -f "$cut"

echo
echo "Trace: $(awk -v b="$bytes" 'BEGIN {printf "%.2f GB", b / 1e9}'), $ngen generations; the middle one is generation $mid."
echo
echo "| measurement | time | peak RSS |"
echo "|---|---:|---:|"
awk -v s="$si" -v k="$ki" -v b="$bytes" 'BEGIN {
	printf "| index, `gotrace index` (mapped) | %.3f s (%.1f GB/s) | %.0f MB |\n", s, b / s / 1e9, k / 1024 }'
awk -v s="$sin" -v k="$kin" -v b="$bytes" 'BEGIN {
	printf "| index, `gotrace index --no-mmap` (pread) | %.3f s (%.1f GB/s) | %.0f MB |\n", s, b / s / 1e9, k / 1024 }'
awk -v s="$fe" 'BEGIN { printf "| first event of the middle generation, `gotrace dump --gen` | %.3f s | |\n", s }'
awk -v s="$fe_go" 'BEGIN { printf "| the same, Go internal/trace reading up to it | %.2f s | |\n", s }'
awk -v s="$sc" -v k="$kc" -v c="$cut_bytes" 'BEGIN {
	printf "| cut of the middle generation, `gotrace cut` (%.0f MB written) | %.3f s | %.0f MB |\n", c / 1e6, s, k / 1024 }'
awk -v s="$s1" -v k="$k1" 'BEGIN { printf "| full read, `gotrace stats -j 1` | %.2f s | %.0f MB |\n", s, k / 1024 }'
awk -v s="$s2" -v k="$k2" 'BEGIN { printf "| full read, `gotrace stats -j 2` | %.2f s | %.0f MB |\n", s, k / 1024 }'
awk -v s="$sg" -v k="$kg" 'BEGIN { printf "| full read, Go internal/trace | %.2f s | %.0f MB |\n", s, k / 1024 }'
echo
awk -v g="$sg" -v a="$s1" -v b="$s2" -v ka="$k1" -v kb="$k2" -v kg="$kg" \
	-v fe="$fe" -v fg="$fe_go" 'BEGIN {
	printf "full read: %.1fx Go with one thread, %.1fx with two (%.2fx from -j 1 to -j 2); peak memory %.2fx / %.2fx Go'"'"'s\n",
		g / a, g / b, a / b, ka / kg, kb / kg
	printf "to the middle generation: %.0fx sooner than Go\n", fg / fe }'
