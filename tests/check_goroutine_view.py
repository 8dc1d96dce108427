#!/usr/bin/env python3
"""Checks the goroutine timeline view against Go's own goroutine summary.

    check_goroutine_view.py GOTRACE TRACES_DIR [--trace FILE]...

cmd/trace has no per-goroutine timeline, so there is no reference file for
`gotrace timeline --view=goroutine`. But Go 1.27's Summarizer (the
FILE.analysis.goroutines.xz references written by testdata/regen.sh from
Go's internal/trace) times the same states per goroutine, so the view's
slices must add up to Go's numbers. For every real trace
TRACES_DIR/go1.*/NAME.trace, and every synthetic one written for the
analyses (TRACES_DIR/synthetic/analysis_*.trace), whose goroutine
reference says exit=0, this runs

    GOTRACE timeline --view=goroutine --format=json FILE -o TMP

and checks, per goroutine (a track: pid 0, tid = goroutine ID):

* the sum of its "running" slices is Go's exec_ns, of "runnable" its
  sched_wait_ns, of "syscall" its syscall_ns;
* the sum of its "waiting" / "waiting (REASON)" slices per REASON is Go's
  block_ns for that reason ("" when there is none);
* the track is named "G<ID> <name>" with Go's name for it (the
  Summarizer's start function), when Go names it;
* the slices of a track never overlap and are in order.

Goroutines Go lists that the view never drew must have no time in any
state, and the view draws no goroutine Go does not list.

Two cases are set apart. A goroutine ID that ends and is used again (cgo
callbacks reuse their goroutine) is one track in the view, while Go's
summary keeps the last goroutine of that ID only: its slices are counted
from Go's creation_ns for it (the view's times are made absolute with the
trace's first event time, from `gotrace dump`). And where Go's own times
for a goroutine add up to more than its lifetime (total_ns) — its
Summarizer counts a syscall left without a P twice, as runnable and as
in a syscall — there is nothing to compare with: the goroutine is
reported as skipped.

Prints the first differences of each trace and `N passed, N failed`;
exits 1 if any failed.
"""

import argparse
import collections
import glob
import json
import lzma
import os
import subprocess
import sys
import tempfile

MAX_DIFFS = 6


def reference(path):
    with lzma.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def status_ok(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().strip() == "exit=0"
    except OSError:
        return False


def view(gotrace, trace):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "g.json")
        p = subprocess.run([gotrace, "timeline", "--view=goroutine",
                            "--format=json", trace, "-o", out],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("exit %d: %s" % (p.returncode,
                                                 p.stderr.strip()))
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def ns(us):
    return round(us * 1000)


def first_time(gotrace, trace):
    p = subprocess.run([gotrace, "dump", trace], capture_output=True,
                       text=True, errors="replace")
    for line in p.stdout.splitlines():
        for field in line.split():
            if field.startswith("Time="):
                return int(field[5:])
    raise RuntimeError("no event time in gotrace dump")


def self_consistent(g):
    spent = (g["exec_ns"] + g["sched_wait_ns"] + g["syscall_ns"] +
             g["syscall_block_ns"] + sum(g["block_ns"].values()))
    return spent <= g["total_ns"]


def check(gotrace, trace, skipped):
    want = {g["id"]: g for g in reference(trace + ".analysis.goroutines.xz")}
    data = view(gotrace, trace)
    t0 = first_time(gotrace, trace)
    names = {}
    slices = collections.defaultdict(list)
    for e in data["traceEvents"]:
        if e.get("ph") == "M" and e.get("name") == "thread_name" and \
                e.get("pid") == 0:
            names[e["tid"]] = e["args"]["name"]
        elif e.get("ph") == "X" and e.get("pid") == 0:
            slices[e["tid"]].append((ns(e["ts"]), ns(e.get("dur", 0)),
                                     e["name"]))
    diffs = []
    for gid, evs in sorted(slices.items()):
        g = want.get(gid)
        if g is None:
            diffs.append("G%d drawn, not in Go's summary" % gid)
            continue
        got = collections.Counter()
        evs.sort()
        end = None
        for ts, dur, name in evs:
            if end is not None and ts < end:
                diffs.append("G%d: slices overlap at %d ns" % (gid, ts))
                break
            end = ts + dur
            if g["creation_ns"] and t0 + ts < g["creation_ns"]:
                continue  # an earlier goroutine of the same ID
            got[name] += dur
        if not self_consistent(g):
            skipped.append("%s G%d" % (os.path.basename(trace), gid))
            continue
        exp = collections.Counter()
        exp["running"] = g["exec_ns"]
        exp["runnable"] = g["sched_wait_ns"]
        exp["syscall"] = g["syscall_ns"] + g["syscall_block_ns"]
        for reason, t in g["block_ns"].items():
            exp["waiting (%s)" % reason if reason else "waiting"] += t
        # Go stops counting a goroutine blocked forever: it is as good as
        # gone.
        got.pop("waiting (forever)", None)
        for key in sorted(set(got) | set(exp)):
            if got[key] != exp[key]:
                diffs.append("G%d %s: %d ns, Go %d ns" % (gid, key, got[key],
                                                          exp[key]))
        if g["name"]:
            want_name = "G%d %s" % (gid, g["name"])
            have = names.get(gid, "")
            if have != want_name and not have.startswith(want_name + " ("):
                diffs.append("G%d named %r, Go %r" % (gid, have, want_name))
    for gid, g in sorted(want.items()):
        if gid not in slices and (g["exec_ns"] or g["sched_wait_ns"] or
                                  g["syscall_ns"] or
                                  any(g["block_ns"].values())):
            diffs.append("G%d not drawn, Go has time for it" % gid)
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gotrace")
    ap.add_argument("traces")
    ap.add_argument("--trace", action="append", default=[])
    a = ap.parse_args()
    # Real traces, and the synthetic ones written for the analyses.
    traces = a.trace or sorted(
        glob.glob(os.path.join(a.traces, "go1.*", "*.trace")) +
        glob.glob(os.path.join(a.traces, "synthetic", "analysis_*.trace")))
    passed = failed = 0
    skipped = []
    for t in traces:
        if not os.path.exists(t + ".analysis.goroutines.xz") or \
                not status_ok(t + ".analysis.goroutines.status"):
            continue
        try:
            diffs = check(a.gotrace, t, skipped)
        except (RuntimeError, OSError, ValueError) as e:
            diffs = [str(e)]
        if diffs:
            failed += 1
            print("FAIL %s" % os.path.relpath(t, a.traces))
            for d in diffs[:MAX_DIFFS]:
                print("  " + d)
            if len(diffs) > MAX_DIFFS:
                print("  ... %d more" % (len(diffs) - MAX_DIFFS))
        else:
            passed += 1
    if skipped:
        print("skipped (Go's times exceed the lifetime): " + ", ".join(skipped))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
