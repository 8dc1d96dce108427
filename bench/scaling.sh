#!/usr/bin/env bash
# A model of how a generation-parallel read would scale, from measured
# per-generation costs: each generation of the ~1.1 GB bench trace is read
# on its own (`gotrace stats -j 1 --gen N:N`, the fresh start a parallel
# worker would make), and the times are scheduled in trace order onto P
# workers (each generation to the first worker free, as a pool would),
# for P = 1, 2, 4, 8, 16, 32. Two bounds are printed:
#
#   all-parallel  every stage of a generation (decode, order, resolve,
#                 state machine) runs on its worker; the caller only
#                 joins: the makespan of the schedule
#   caller-serial only decode and ordering run on the workers; resolving
#                 and the state machine stay on the caller's thread,
#                 whose share of a one-thread read is CALLER_SHARE
#                 (default 0.49, docs/performance.md: the caller's
#                 samples in a two-thread read against a one-thread
#                 read's): max(makespan of the rest, the caller's time)
#
# No join costs, memory or cache effects are modelled: these are upper
# bounds on the speedup, for planning, not measurements of a parallel read.
#
#   bench/scaling.sh [RUNS]      (default 3; the median per generation)
set -euo pipefail
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_WORK:-$root/build-bench}
share=${CALLER_SHARE:-0.49}
gotrace=$work/build/tools/gotrace
huge=$work/huge.trace
if [ ! -x "$gotrace" ] || [ ! -s "$huge" ]; then
	echo "run bench/random_access.sh first (it builds gotrace and records $huge)" >&2
	exit 1
fi
gens=$("$gotrace" index --json "$huge" | sed 's/.*"generation": *\([0-9]*\).*/\1/')
costs=$work/scaling.costs
: >"$costs"
for g in $gens; do
	t=()
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e' -o "$work/time.out" "$gotrace" stats -j 1 --gen "$g:$g" "$huge" >/dev/null
		t+=("$(cat "$work/time.out")")
	done
	printf '%s\n' "${t[@]}" | sort -g | awk -v g="$g" '{a[NR]=$1} END {print g, a[int((NR+1)/2)]}' >>"$costs"
done
full=$( /usr/bin/time -f '%e' "$gotrace" stats -j 1 "$huge" 2>&1 >/dev/null | tail -n 1)
awk -v share="$share" -v full="$full" '
{ g[NR] = $1; c[NR] = $2; total += $2; if ($2 > max) max = $2 }
END {
	n = NR
	printf "%d generations; one read of the whole trace %.2f s, sum of the generations read alone %.2f s (largest %.2f s); speedups are against that sum\n", n, full, total, max
	printf "| workers | all-parallel: time | speedup | caller-serial (workers + the caller): time | speedup |\n|---:|---:|---:|---:|---:|\n"
	split("1 2 4 8 16 32", ps, " ")
	for (k = 1; k <= 6; k++) {
		p = ps[k]
		for (w = 1; w <= p; w++) free[w] = 0
		for (i = 1; i <= n; i++) {
			best = 1
			for (w = 2; w <= p; w++) if (free[w] < free[best]) best = w
			free[best] += c[i]
		}
		span = 0
		for (w = 1; w <= p; w++) if (free[w] > span) span = free[w]
		# Caller-serial: the workers do (1 - share) of each generation.
		for (w = 1; w <= p; w++) free[w] = 0
		for (i = 1; i <= n; i++) {
			best = 1
			for (w = 2; w <= p; w++) if (free[w] < free[best]) best = w
			free[best] += c[i] * (1 - share)
		}
		span2 = 0
		for (w = 1; w <= p; w++) if (free[w] > span2) span2 = free[w]
		if (total * share > span2) span2 = total * share
		printf "| %d | %.2f s | %.1fx | %.2f s | %.1fx |\n", p, span, total / span, span2, total / span2
	}
}' "$costs"
