#!/usr/bin/env bash
# Every benchmark behind docs/performance.md, in one run: the read and dump
# against Go's parser (run.sh), random access on a ~1.1 GB trace
# (random_access.sh), the parallel-read model (scaling.sh), and the
# analyses and exports against Go's (analyses.sh). About 30-40 minutes on
# a 2-core machine; everything goes to build-bench/ (BENCH_WORK).
#
#   bench/all.sh [RUNS]     (default 5 for the reads, 3 for the rest)
#
# Needs Go 1.27 in /usr/lib/go-1.27 (../shared/tools/install-go.sh 1.27),
# meson, ninja, a C compiler, and python3 for analyses.sh.
set -euo pipefail
runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
few=$(( runs < 3 ? runs : 3 ))
echo "# bench/run.sh $runs"
bash "$here/run.sh" "$runs"
echo
echo "# bench/random_access.sh $runs"
bash "$here/random_access.sh" "$runs"
echo
echo "# bench/scaling.sh $few"
bash "$here/scaling.sh" "$few"
echo
echo "# bench/analyses.sh $few"
bash "$here/analyses.sh" "$few"
