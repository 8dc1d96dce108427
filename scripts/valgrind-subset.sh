#!/bin/sh
# Runs `gotrace dump` and `gotrace dump --wire` under valgrind memcheck on a
# subset of the corpus (one trace per format and some damaged ones), and
# the analysis and export commands on a few: no memory errors and no
# leaks. gotrace itself may exit 1 on a rejected trace; valgrind's own
# verdict is exit status 99.
set -u
gotrace=${1:-build/tools/gotrace}
fails=0
passes=0
for f in testdata/traces/go1.19/channels.trace testdata/traces/go1.21/cgocallback.trace \
         testdata/traces/go1.22/pipes.trace testdata/traces/go1.23/iterpull.trace \
         testdata/traces/go1.24/allocfree.trace testdata/traces/go1.26/cpuprofile.trace \
         testdata/traces/go1.27/flightrecorder.trace \
         testdata/traces/synthetic/spill_error_after_generation_122.trace \
         testdata/traces/synthetic/truncated_126_cut3.trace \
         testdata/traces/synthetic/duplicate_stack_id.trace \
         testdata/traces/synthetic/v1_no_consistent_order.trace \
         fuzz/regressions/*; do
  for mode in "" --wire; do
    # shellcheck disable=SC2086 # mode is empty or one flag
    valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect,possible \
      "$gotrace" dump $mode "$f" >/dev/null 2>/tmp/valgrind.$$ 
    rc=$?
    if [ $rc -eq 99 ] || [ $rc -gt 1 ]; then
      echo "FAIL valgrind: $f $mode (exit $rc)"
      cat /tmp/valgrind.$$
      fails=$((fails + 1))
    else
      passes=$((passes + 1))
    fi
  done
done
# The analysis and export commands on a few traces, valid and damaged, v1
# and v2.
damaged=$(ls testdata/traces/truncated/go1.27_channels_*.trace | sed -n 6p)
for f in testdata/traces/go1.21/annotations.trace testdata/traces/go1.27/gc.trace \
         testdata/traces/go1.27/generations.trace testdata/traces/go1.26/cgocallback.trace \
         "$damaged"; do
  for cmd in "goroutines --json" "goroutines --groups" "tasks --json" "tasks --types" \
             "regions --json" "gc --json" "gc --summary" "mmu --json --per-proc" "top" \
             "pprof --type=sched -o /dev/null" "timeline -o /dev/null" \
             "timeline --view=goroutine --format=perfetto -o /dev/null" \
             "timeline --view=thread --format=perfetto --clock=wall -o /dev/null" \
             "index --json" "dump --gen 2:" "stats -j 2 --gen 1:2" "dump --from 1ms"; do
    # shellcheck disable=SC2086 # cmd is a command and its options
    valgrind -q --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite,indirect,possible \
      "$gotrace" $cmd "$f" >/dev/null 2>/tmp/valgrind.$$
    rc=$?
    if [ $rc -eq 99 ] || [ $rc -gt 1 ]; then
      echo "FAIL valgrind: $cmd $f (exit $rc)"
      cat /tmp/valgrind.$$
      fails=$((fails + 1))
    else
      passes=$((passes + 1))
    fi
  done
done
# Cutting: a generation of a multi-generation trace and the intact part of
# a damaged one.
for args in "--gen 2:3 testdata/traces/go1.27/generations.trace" \
            "--gen 1: $damaged"; do
  # shellcheck disable=SC2086 # args are options and a file
  valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible \
    "$gotrace" cut $args /tmp/valgrind-cut.$$ >/dev/null 2>/tmp/valgrind.$$
  rc=$?
  if [ $rc -eq 99 ] || [ $rc -gt 1 ]; then
    echo "FAIL valgrind: cut $args (exit $rc)"
    cat /tmp/valgrind.$$
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
done
rm -f /tmp/valgrind.$$ /tmp/valgrind-cut.$$
echo "valgrind: $passes passed, $fails failed"
[ $fails -eq 0 ]
