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
# >= 2 M events/s); every run's times on stderr. The readers take turns
# within each run. The Python times are taken inside the interpreter
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

# wall CMD...: the wall time of one run, in seconds (to the millisecond:
# /usr/bin/time's 10 ms are a fifth of a read of the medium trace).
wall() {
	local TIMEFORMAT=%3R
	{ time "$@" >/dev/null 2>&1; } 2>&1
}

# median: the median of the numbers on standard input.
median() {
	sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

modes=(columns columns3 events)
[ "${BENCH_DATAFRAME:-0}" = 1 ] && modes+=(dataframe)

for trace in "${traces[@]}"; do
	[ -s "$trace" ] || { echo "python.sh: no $trace (bench/run.sh records it)" >&2; exit 1; }
	events=$("$gotrace" stats "$trace" | sed -n 's/^events: //p')
	size=$(stat -c %s "$trace")
	echo "== $(basename "$trace"): $((size / 1000000)) MB, $events events" >&2
	# The readers take turns, run after run, so that they share whatever
	# else the machine is doing.
	: >"$work/py.times"
	for i in $(seq "$runs"); do
		echo "stats $(wall "$gotrace" stats --no-progress "$trace")" >>"$work/py.times"
		echo "stats1 $(wall "$gotrace" stats --no-progress -j 1 "$trace")" >>"$work/py.times"
		echo "goparser $(wall "$work/goparser.bin" count "$trace")" >>"$work/py.times"
		PYTHONPATH="$work/build/python" "$python" "$root/bench/python_speed.py" \
			1 "$trace" "${modes[@]}" >"$work/py.run"
		while read -r mode n t _; do
			if [ "$n" != "$events" ]; then
				echo "python.sh: $mode read $n events, stats $events" >&2
				exit 1
			fi
			echo "$mode $t" >>"$work/py.times"
		done <"$work/py.run"
	done
	for r in stats stats1 goparser "${modes[@]}"; do
		echo "  $r: $(awk -v r="$r" '$1 == r {printf "%s ", $2}' "$work/py.times")" >&2
	done
	med() { awk -v r="$1" '$1 == r {print $2}' "$work/py.times" | median; }
	stats=$(med stats)
	printf '\n%s (%s events)\n' "$(basename "$trace")" "$events"
	printf '| reader | time | events/s | vs gotrace stats |\n|---|---|---|---|\n'
	row() {
		awk -v name="$1" -v t="$2" -v n="$events" -v base="$stats" \
			'BEGIN { printf "| %s | %.3f s | %.1f M/s | %.2f |\n", name, t, n / t / 1e6, base / t }'
	}
	row "gotrace stats (-j 2)" "$stats"
	row "gotrace stats -j 1" "$(med stats1)"
	row "Go internal/trace" "$(med goparser)"
	row "read_columns (all 21 columns)" "$(med columns)"
	row "read_columns (time, kind, goroutine)" "$(med columns3)"
	row "Event objects (kind, time)" "$(med events)"
	if [ "${BENCH_DATAFRAME:-0}" = 1 ]; then
		row "read_dataframe (all columns)" "$(med dataframe)"
	fi
done
