#!/usr/bin/env bash
# The benchmark: libgotrace against Go's own trace parser, side by side, on
# the same traces in the same run. See docs/performance.md.
#
#   bench/run.sh [RUNS]        (default 5 runs of each measurement)
#
# Needs Go 1.27 in /usr/lib/go-1.27 (../shared/tools/install-go.sh 1.27),
# meson, ninja and a C compiler. Everything it builds or records goes to
# build-bench/ (override with BENCH_WORK). Go's parser is built from a copy
# of Go 1.27's src/internal/trace made here, at benchmark time.
#
# Measured (wall time and peak RSS, median of RUNS):
#   read    every event, ordering and state machine included, on a large
#           trace (>= 200 MB): `gotrace stats` vs goparser count, with the
#           ordering on a second thread (-j 2) and all on one (-j 1);
#           gotrace maps the file, and reads it with read(2) in the
#           --no-mmap row (as it reads a pipe)
#   wire    the raw wire decode alone: `gotrace stats --wire`
#   dump    printing every event, on a trace of a few tens of MB, output
#           discarded: `gotrace dump` vs `go tool trace -d=parsed`
#   server  the read again, on a trace of an HTTP service under load
#           (bench/servegen/): network waits and syscalls rather than
#           goroutine churn
set -euo pipefail
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
build_gotrace
build_goparser
(cd "$work" && GOFLAGS='' "$go" build -o "$work/gotrace-ref" cmd/trace)

echo "== recording traces" >&2
(cd "$root/bench/tracegen" && "$go" build -o "$work/tracegen" .)
[ -s "$work/large.trace" ] || "$work/tracegen" "$work/large.trace" 5s
[ -s "$work/medium.trace" ] || "$work/tracegen" "$work/medium.trace" 300ms
(cd "$root/bench/servegen" && "$go" build -o "$work/servegen" .)
[ -s "$work/serve.trace" ] || "$work/servegen" "$work/serve.trace" 5s
large=$work/large.trace
medium=$work/medium.trace
serve=$work/serve.trace

# measure NAME CMD...: prints "median_seconds median_rss_kb" over $runs runs.
measure() {
	local i t=() m=()
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >/dev/null
		read -r s k <"$work/time.out"
		t+=("$s")
		m+=("$k")
	done
	# Every run's time on stderr: this machine's timings are noisy.
	echo "  ${*##*/}: ${t[*]}" >&2
	printf '%s\n' "${t[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%s ", a[int((NR+1)/2)]}'
	printf '%s\n' "${m[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

events_large=$("$gotrace" stats "$large" | sed -n 's/^events: //p')
events_medium=$("$gotrace" stats "$medium" | sed -n 's/^events: //p')
go_events=$("$work/goparser.bin" count "$large" | sed -n 's/^events: //p')
if [ "$events_large" != "$go_events" ]; then
	echo "event counts differ: gotrace $events_large, Go $go_events" >&2
	exit 1
fi
events_serve=$("$gotrace" stats "$serve" | sed -n 's/^events: //p')
go_events_serve=$("$work/goparser.bin" count "$serve" | sed -n 's/^events: //p')
if [ "$events_serve" != "$go_events_serve" ]; then
	echo "event counts differ on the server trace: gotrace $events_serve, Go $go_events_serve" >&2
	exit 1
fi
mb_large=$(stat -c %s "$large" | awk '{print $1/1e6}')
mb_serve=$(stat -c %s "$serve" | awk '{print $1/1e6}')
mb_medium=$(stat -c %s "$medium" | awk '{print $1/1e6}')

row() { # label events mb seconds rss
	awk -v l="$1" -v e="$2" -v mb="$3" -v s="$4" -v k="$5" 'BEGIN {
		printf "| %-34s | %8.2f s | %8.1f M/s | %8.1f MB/s | %7.1f MB |\n",
			l, s, e / s / 1e6, mb / s, k / 1024 }'
}

echo "== measuring ($runs runs each)" >&2
read -r s1 k1 < <(measure "$gotrace" stats -j 2 "$large")
read -r s6 k6 < <(measure "$gotrace" stats -j 1 "$large")
read -r s10 k10 < <(measure "$gotrace" stats -j 2 --no-mmap "$large")
read -r s2 k2 < <(measure "$work/goparser.bin" count "$large")
read -r s3 k3 < <(measure "$gotrace" stats --wire "$large")
read -r s4 k4 < <(measure "$gotrace" dump -j 2 "$medium")
read -r s5 k5 < <(measure "$work/gotrace-ref" -d=parsed "$medium")
read -r s7 k7 < <(measure "$gotrace" stats -j 2 "$serve")
read -r s8 k8 < <(measure "$gotrace" stats -j 1 "$serve")
read -r s9 k9 < <(measure "$work/goparser.bin" count "$serve")

echo
echo "Large trace: $mb_large MB, $events_large events. Medium trace: $mb_medium MB, $events_medium events. Server trace: $mb_serve MB, $events_serve events."
echo
echo "| measurement | time | events/s | input | peak RSS |"
echo "|---|---|---|---|---|"
row "read, gotrace stats -j 2" "$events_large" "$mb_large" "$s1" "$k1"
row "read, gotrace stats -j 1" "$events_large" "$mb_large" "$s6" "$k6"
row "read, gotrace stats -j 2 --no-mmap" "$events_large" "$mb_large" "$s10" "$k10"
row "read, Go internal/trace" "$events_large" "$mb_large" "$s2" "$k2"
row "wire decode, gotrace stats --wire" "$events_large" "$mb_large" "$s3" "$k3"
row "dump, gotrace dump -j 2" "$events_medium" "$mb_medium" "$s4" "$k4"
row "dump, go tool trace -d=parsed" "$events_medium" "$mb_medium" "$s5" "$k5"
row "server trace, gotrace stats -j 2" "$events_serve" "$mb_serve" "$s7" "$k7"
row "server trace, gotrace stats -j 1" "$events_serve" "$mb_serve" "$s8" "$k8"
row "server trace, Go internal/trace" "$events_serve" "$mb_serve" "$s9" "$k9"
echo
awk -v a="$s2" -v b="$s1" -v c="$s5" -v d="$s4" -v m1="$k1" -v m2="$k2" \
	-v b1="$s6" -v m3="$k6" 'BEGIN {
	printf "read: %.1fx faster than Go, %.2fx its peak memory\n", a / b, m1 / m2
	printf "read on one thread: %.1fx faster than Go, %.2fx its peak memory\n", a / b1, m3 / m2
	printf "dump: %.1fx faster than go tool trace -d=parsed\n", c / d }'
awk -v g="$s9" -v a="$s7" -v b="$s8" -v m1="$k7" -v m2="$k8" -v mg="$k9" 'BEGIN {
	printf "server trace read: %.1fx faster than Go (%.2fx its peak memory); one thread: %.1fx (%.2fx)\n",
		g / a, m1 / mg, g / b, m2 / mg }'
