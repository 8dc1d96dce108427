#!/usr/bin/env bash
# The Python package's speed against `gotrace stats` and Go's parser on the
# same traces, in the same run: read_columns (all columns; three), Event
# objects iterated (kind and time touched), optionally read_dataframe. See
# python/README.md and docs/performance.md ("Python").
#
#   bench/python.sh [RUNS] [TRACE...]   (default 3 runs; the medium and
#                                        large bench traces, which must exist)
#
# Needs what bench/run.sh needs (Go 1.27 in /usr/lib/go-1.27, meson, ninja,
# a C compiler) and Debian's Python with numpy (pandas for the DataFrame
# row, $BENCH_DATAFRAME=1); builds the release build (with the package) in
# build-bench/ (BENCH_WORK). It records no trace: run bench/run.sh first.
# Prints per trace: events, and per reader the median wall time, events/s
# and its ratio to `gotrace stats` (targets: columns >= 0.5, Event objects
# >= 2 M events/s). The Python times are taken inside the interpreter
# (bench/python_speed.py), the others of the whole process.
set -euo pipefail
runs=${1:-3}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
python=/usr/bin/python3
build_gotrace
build_goparser
[ -d "$work/build/python/gotrace" ] || {
	echo "python.sh: the release build has no Python package (python3-dev, numpy?)" >&2
	exit 1
}

traces=("$@")
if [ ${#traces[@]} -eq 0 ]; then
	traces=("$work/medium.trace" "$work/large.trace")
fi

# median CMD...: the median wall time of $runs runs, in seconds.
median() {
	local i t=()
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e' -o "$work/time.out" "$@" >/dev/null 2>&1
		t+=("$(cat "$work/time.out")")
	done
	echo "  ${*##*/}: ${t[*]}" >&2
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

modes=(columns columns3 events)
[ "${BENCH_DATAFRAME:-0}" = 1 ] && modes+=(dataframe)

for trace in "${traces[@]}"; do
	[ -s "$trace" ] || { echo "python.sh: no $trace (bench/run.sh records it)" >&2; exit 1; }
	events=$("$gotrace" stats "$trace" | sed -n 's/^events: //p')
	size=$(stat -c %s "$trace")
	echo "== $(basename "$trace"): $((size / 1000000)) MB, $events events" >&2
	stats=$(median "$gotrace" stats --no-progress "$trace")
	stats1=$(median "$gotrace" stats --no-progress -j 1 "$trace")
	goparser=$(median "$work/goparser.bin" count "$trace")
	py=$(PYTHONPATH="$work/build/python" "$python" "$root/bench/python_speed.py" \
		"$runs" "$trace" "${modes[@]}")
	echo "$py" | sed 's/^/  python: /' >&2
	printf '\n%s (%s events)\n' "$(basename "$trace")" "$events"
	printf '| reader | time | events/s | vs gotrace stats |\n|---|---|---|---|\n'
	row() {
		awk -v name="$1" -v t="$2" -v n="$events" -v base="$stats" \
			'BEGIN { printf "| %s | %.3f s | %.1f M/s | %.2f |\n", name, t, n / t / 1e6, base / t }'
	}
	row "gotrace stats (-j 2)" "$stats"
	row "gotrace stats -j 1" "$stats1"
	row "Go internal/trace" "$goparser"
	while read -r mode n t _; do
		[ "$n" = "$events" ] || { echo "python.sh: $mode read $n events, stats $events" >&2; exit 1; }
		case $mode in
		columns) row "read_columns (all 21 columns)" "$t" ;;
		columns3) row "read_columns (time, kind, goroutine)" "$t" ;;
		events) row "Event objects (kind, time)" "$t" ;;
		dataframe) row "read_dataframe (all columns)" "$t" ;;
		esac
	done <<<"$py"
done
