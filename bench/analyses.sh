#!/usr/bin/env bash
# The analyses' and exports' cost: each `gotrace` analysis command,
# `gotrace pprof` and `gotrace timeline` against a plain `gotrace stats`
# read of the same trace, and against Go's own analyses of it
# (testdata/analysisref: Go 1.27's internal/trace Summarizer and MMU),
# `go tool trace -pprof=sched`, `go tool trace`'s viewer preparation and
# its timeline JSON (/jsontrace?view=proc), in the same run. See
# docs/performance.md ("Analyses and exports").
#
#   bench/analyses.sh [RUNS] [TRACE...]   (default 3 runs; the bench traces)
#
# Needs what bench/run.sh needs (Go 1.27 in /usr/lib/go-1.27, meson,
# ninja, a C compiler); uses and fills the same build-bench/ folder
# (BENCH_WORK). Prints, per trace and command: median wall time, its
# ratio to `gotrace stats` (the target is at most 1.30), and peak RSS.
# cmd/trace's rows are the time until its viewer is listening and its peak
# RSS by then (it parses the trace and computes its summaries up front),
# and the time until the whole proc view's JSON has been fetched from it
# on the loopback, with the peak RSS by then (the same data as `gotrace
# timeline --format=json`; the viewer serves it split into ~100 MB ranges
# when larger, this fetches it whole).
set -euo pipefail
runs=${1:-3}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
build_gotrace

echo "== building Go's analyses (testdata/analysisref) and cmd/trace" >&2
overlay=$work/analysisref-overlay.json
{
	printf '{"Replace":{'
	sep=
	for g in "$root"/testdata/analysisref/*.go; do
		printf '%s"%s/src/cmd/gotrace-analysisref/%s":"%s"' "$sep" "$goroot" "$(basename "$g")" "$g"
		sep=,
	done
	printf '}}\n'
} >"$overlay"
(cd "$work" && GOFLAGS='' "$go" build -overlay="$overlay" -o "$work/analysisref" cmd/gotrace-analysisref)
(cd "$work" && GOFLAGS='' "$go" build -o "$work/gotrace-ref" cmd/trace)

traces=("$@")
if [ ${#traces[@]} -eq 0 ]; then
	echo "== recording traces" >&2
	(cd "$root/bench/tracegen" && "$go" build -o "$work/tracegen" .)
	(cd "$root/bench/servegen" && "$go" build -o "$work/servegen" .)
	[ -s "$work/medium.trace" ] || "$work/tracegen" "$work/medium.trace" 300ms
	[ -s "$work/serve.trace" ] || "$work/servegen" "$work/serve.trace" 5s
	traces=("$work/medium.trace" "$work/serve.trace")
fi

# measure CMD...: "median_seconds median_peak_rss_kb" over $runs runs.
measure() {
	local i t=() m=()
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>&1 || true
		read -r s k <"$work/time.out"
		t+=("$s")
		m+=("$k")
	done
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%s ", a[int((NR+1)/2)]}'
	printf '%s\n' "${m[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# cmd/trace parses everything before it listens: time to the listening
# line, and the peak RSS then (VmHWM). With a second argument, also fetches
# /jsontrace?view=proc whole and reports the time until it has arrived.
measure_viewer() {
	local trace=$1 fetch=${2:-} log=$work/viewer.log start pid hwm=0 now addr
	start=$(date +%s.%N)
	"$work/gotrace-ref" -http=127.0.0.1:0 "$trace" >"$log" 2>&1 &
	pid=$!
	for _ in $(seq 6000); do
		grep -q 'listening' "$log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ -n "$fetch" ]; then
		addr=$(sed -n 's|.*\(http://127.0.0.1:[0-9]*\).*|\1|p' "$log" | head -n 1)
		curl -s -o /dev/null "$addr/jsontrace?view=proc" || true
	fi
	now=$(date +%s.%N)
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	echo "$(echo "$now - $start" | bc) $hwm"
}

row() { # label seconds kb base_seconds
	printf '  %-58s %8.2f s  %6.2fx  %9d KB\n' "$1" "$2" "$(echo "$2 / $4" | bc -l)" "$3"
}

for trace in "${traces[@]}"; do
	size=$(stat -c %s "$trace")
	echo "== $(basename "$trace") ($((size / 1048576)) MB, $("$gotrace" stats "$trace" | sed -n 's/^events: //p') events)"
	read -r base base_kb <<<"$(measure "$gotrace" stats "$trace")"
	row "gotrace stats" "$base" "$base_kb" "$base"
	for cmd in "goroutines --json" "tasks --json" "regions --json" "gc --json" "mmu --json" \
	           "pprof --type=sched" "pprof --type=sync" \
	           "timeline --format=json -o /dev/null" \
	           "timeline --format=perfetto -o /dev/null" \
	           "timeline --view=goroutine --format=perfetto -o /dev/null"; do
		# shellcheck disable=SC2086 # cmd is a command and its options
		read -r t kb <<<"$(measure "$gotrace" $cmd "$trace")"
		row "gotrace $cmd" "$t" "$kb" "$base"
	done
	for mode in goroutines mmu; do
		read -r t kb <<<"$(measure "$work/analysisref" "$mode" "$trace")"
		row "Go internal/trace ($mode)" "$t" "$kb" "$base"
	done
	read -r t kb <<<"$(measure "$work/gotrace-ref" -pprof=sched "$trace")"
	row "go tool trace -pprof=sched" "$t" "$kb" "$base"
	read -r t kb <<<"$(measure_viewer "$trace")"
	row "go tool trace (viewer ready)" "$t" "$kb" "$base"
	read -r t kb <<<"$(measure_viewer "$trace" fetch)"
	row "go tool trace (proc JSON fetched)" "$t" "$kb" "$base"
done
