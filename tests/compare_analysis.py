#!/usr/bin/env python3
"""Compares gotrace's analyses with Go 1.27's, on every trace with references.

usage: compare_analysis.py GOTRACE TRACES_DIR [--fast] [--mode MODE]...

MODE is one of

  goroutines    gotrace goroutines --json        vs FILE.analysis.goroutines.xz
  tasks         gotrace tasks --json             vs FILE.analysis.tasks.xz
  task-types    gotrace tasks --types --json     vs FILE.analysis.task-types.xz
  region-types  gotrace regions --json           vs FILE.analysis.region-types.xz
  mmu           gotrace mmu --json --flags=F --mud 0,0.01,0.1,0.5
                                                 vs FILE.analysis.mmu.xz (its
                                                 records for flag set F, for
                                                 each of the four sets in it)
  gc            gotrace gc --json                vs FILE.analysis.gc.xz
  histogram     no trace: the bucket table in src/analysis/durations.c vs
                TRACES_DIR/../analysisref/histogram.txt (Go's own buckets)

(all modes but histogram when no --mode is given). The references are
written by testdata/regen.sh --analysis-only with testdata/analysisref, our
program on Go 1.27's internal/trace; nothing here is written by hand.

Both sides are parsed as JSON Lines and compared record by record, field by
field: the same records in the same order, the same keys, strings and
integers equal, floats within 1e-9 (absolute). The exit status must agree
(zero or not; for a trace Go rejects part way both print the records of the
good part and fail). Standard error is not compared. --fast: only the real
traces of Go 1.21 and 1.27 (one v1 and one v2 format), not the truncated and
synthetic ones. Prints the first difference of each failing trace and a
final line "N passed, N failed"; exits 1 if anything failed.
"""
import concurrent.futures
import json
import lzma
import math
import os
import re
import subprocess
import sys

MUD = "0,0.01,0.1,0.5"
MMU_FLAG_SETS = [
    "stw,background,assist,sweep",
    "stw",
    "assist,sweep",
    "stw,background,assist,sweep,perproc",
]
TRACE_MODES = ["goroutines", "tasks", "task-types", "region-types", "mmu",
               "gc"]
FLOAT_TOLERANCE = 1e-9


def commands(gotrace, mode, trace):
    """The gotrace command lines for a mode, with the flag set (mmu) each
    one's records belong to."""
    if mode == "goroutines":
        return [(None, [gotrace, "goroutines", "--json", trace])]
    if mode == "tasks":
        return [(None, [gotrace, "tasks", "--json", trace])]
    if mode == "task-types":
        return [(None, [gotrace, "tasks", "--types", "--json", trace])]
    if mode == "region-types":
        return [(None, [gotrace, "regions", "--json", trace])]
    if mode == "gc":
        return [(None, [gotrace, "gc", "--json", trace])]
    if mode == "mmu":
        return [(flags, [gotrace, "mmu", "--json", "--flags=" + flags,
                         "--mud", MUD, trace])
                for flags in MMU_FLAG_SETS]
    raise ValueError(mode)


def record_name(mode, rec, index):
    """How a difference names the record: its position and identity."""
    if not isinstance(rec, dict):
        return "record %d" % (index + 1)
    keys = {
        "goroutines": ["id"],
        "tasks": ["id"],
        "task-types": ["type"],
        "region-types": ["type", "func", "line"],
        "mmu": ["flags", "window_ns"],
        "gc": ["kind", "reason", "start_ns"],
    }.get(mode, [])
    ident = ", ".join("%s=%s" % (k, json.dumps(rec[k]))
                      for k in keys if k in rec)
    return "record %d (%s)" % (index + 1, ident) if ident else \
        "record %d" % (index + 1)


def same_value(want, got):
    """None if equal, else a short reason. Floats within FLOAT_TOLERANCE;
    ints, strings and booleans exact; objects and arrays recursively."""
    if isinstance(want, bool) or isinstance(got, bool):
        return None if want is got else "differs"
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        if isinstance(want, int) and isinstance(got, int):
            return None if want == got else "differs"
        if math.isnan(want) or math.isnan(got) or \
                abs(want - got) > FLOAT_TOLERANCE:
            return "differs by more than %g" % FLOAT_TOLERANCE
        return None
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k not in got:
                return "key %s missing" % json.dumps(k)
            if k not in want:
                return "extra key %s" % json.dumps(k)
            why = same_value(want[k], got[k])
            if why:
                return "at key %s: %s" % (json.dumps(k), why)
        return None
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return "%d elements, not %d" % (len(got), len(want))
        for i, (a, b) in enumerate(zip(want, got)):
            why = same_value(a, b)
            if why:
                return "at element %d: %s" % (i, why)
        return None
    if type(want) is not type(got):
        return "type %s, not %s" % (type(got).__name__, type(want).__name__)
    return None if want == got else "differs"


def short(v, limit=300):
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= limit else s[:limit] + "..."


def compare_records(mode, want, got):
    """The first difference between two lists of records, or None."""
    for i in range(max(len(want), len(got))):
        if i >= len(got):
            return "%s: missing from ours (we print %d records, Go %d): %s" % (
                record_name(mode, want[i], i), len(got), len(want),
                short(want[i]))
        if i >= len(want):
            return "%s: extra in ours (Go prints %d records): %s" % (
                record_name(mode, got[i], i), len(want), short(got[i]))
        a, b = want[i], got[i]
        if not isinstance(b, dict):
            return "%s: ours is not a JSON object: %s" % (
                record_name(mode, a, i), short(b))
        for k in list(a) + [k for k in b if k not in a]:
            if k not in b:
                return "%s, field %s: missing from ours (Go: %s)" % (
                    record_name(mode, a, i), k, short(a[k]))
            if k not in a:
                return "%s, field %s: not in Go's schema (ours: %s)" % (
                    record_name(mode, a, i), k, short(b[k]))
            why = same_value(a[k], b[k])
            if why:
                return "%s, field %s: Go %s, ours %s (%s)" % (
                    record_name(mode, a, i), k, short(a[k]), short(b[k]), why)
    return None


def parse_lines(data, who):
    """JSON Lines -> list of values; raises ValueError naming the line."""
    out = []
    text = data.decode("utf-8", errors="replace")
    for n, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as e:
            raise ValueError("%s line %d is not JSON (%s): %.200s"
                             % (who, n + 1, e, line))
    return out


def read_status(path):
    with open(path, "rb") as f:
        first, _, rest = f.read().partition(b"\n")
    if not first.startswith(b"exit="):
        raise ValueError("%s: malformed status file" % path)
    return int(first[5:]), rest


def check_trace(gotrace, mode, trace):
    """None if gotrace agrees with the reference, else the first difference."""
    ref = "%s.analysis.%s" % (trace, mode)
    want_rc, want_err = read_status(ref + ".status")
    with lzma.open(ref + ".xz") as f:
        want_all = parse_lines(f.read(), "reference")
    for flags, cmd in commands(gotrace, mode, trace):
        want = want_all
        if flags is not None:
            want = [r for r in want_all if r.get("flags") == flags]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=600)
        except subprocess.TimeoutExpired:
            return "%s: timed out" % " ".join(cmd[1:-1])
        what = " ".join(cmd[1:-1])
        if (run.returncode == 0) != (want_rc == 0):
            err = run.stderr.decode("utf-8", "replace").strip().split("\n")[0]
            goerr = want_err.decode("utf-8", "replace").strip().split("\n")[0]
            return "%s: exit status %d, Go's %d (ours: %s; Go: %s)" % (
                what, run.returncode, want_rc, err or "no message",
                goerr or "no message")
        try:
            got = parse_lines(run.stdout, "our output")
        except ValueError as e:
            return "%s: %s" % (what, e)
        diff = compare_records(mode, want, got)
        if diff:
            return "%s: %s" % (what, diff)
    return None


def check_histogram(traces_dir):
    """durations.c's bucket table against Go's (histogram.txt)."""
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.join(os.path.dirname(here), "src", "analysis",
                       "durations.c")
    ref = os.path.join(os.path.dirname(os.path.abspath(traces_dir)),
                       "analysisref", "histogram.txt")
    with open(src) as f:
        c = f.read()

    def array(name):
        m = re.search(r"static const int64_t %s\[\]\s*=\s*\{(.*?)\};" % name,
                      c, re.S)
        if not m:
            raise ValueError("%s: no array %s" % (src, name))
        return [int(x) for x in re.findall(r"(-?\d+)LL", m.group(1))]

    first, bmin = array("bucket_first"), array("bucket_min")
    rows = []
    with open(ref) as f:
        for line in f:
            if line.strip():
                b, fst, mn = (int(x) for x in line.split())
                rows.append((b, fst, mn))
    failed = 0
    if len(first) != len(rows) or len(bmin) != len(rows):
        print("FAIL histogram: durations.c has %d bucket_first and %d "
              "bucket_min entries, Go's table %d buckets"
              % (len(first), len(bmin), len(rows)))
        failed = 1
    for i, (b, fst, mn) in enumerate(rows):
        if b != i + 1:
            print("FAIL histogram: %s line %d is bucket %d" % (ref, i + 1, b))
            return 0, 1
        if i < len(first) and first[i] != fst:
            print("FAIL histogram: bucket %d starts at %d ns in Go, "
                  "bucket_first[%d] = %d" % (b, fst, i, first[i]))
            return 0, 1
        if i < len(bmin) and bmin[i] != mn:
            print("FAIL histogram: BucketMin(%d) = %d in Go, "
                  "bucket_min[%d] = %d" % (b, mn, i, bmin[i]))
            return 0, 1
    if failed:
        return 0, 1
    print("ok histogram: %d buckets agree with Go" % len(rows))
    return 1, 0


def main():
    args = sys.argv[1:]
    fast = "--fast" in args
    args = [a for a in args if a != "--fast"]
    modes = []
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--mode" and i + 1 < len(args):
            modes.append(args[i + 1])
            i += 2
        elif args[i].startswith("--mode="):
            modes.append(args[i][len("--mode="):])
            i += 1
        else:
            rest.append(args[i])
            i += 1
    if len(rest) != 2 or any(m not in TRACE_MODES + ["histogram"]
                             for m in modes):
        sys.stderr.write(__doc__)
        return 2
    gotrace, traces_dir = rest
    modes = modes or TRACE_MODES

    passed = failed = 0
    jobs = []
    for mode in modes:
        if mode == "histogram":
            p, f = check_histogram(traces_dir)
            passed += p
            failed += f
            continue
        for root, dirs, files in os.walk(traces_dir):
            dirs.sort()
            rel = os.path.relpath(root, traces_dir)
            if fast and rel not in ("go1.21", "go1.27"):
                continue
            for name in sorted(files):
                if name.endswith(".trace") and os.path.exists(
                        os.path.join(root, "%s.analysis.%s.status"
                                     % (name, mode))):
                    jobs.append((mode, os.path.join(root, name)))
    if not jobs and "histogram" not in modes:
        print("no traces with analysis references under %s" % traces_dir)
        return 1

    workers = max(2, os.cpu_count() or 2)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(
            lambda j: (j, check_trace(gotrace, j[0], j[1])), jobs))
    for (mode, trace), diff in results:
        if diff is None:
            passed += 1
        else:
            failed += 1
            print("FAIL %s [%s]: %s" % (os.path.relpath(trace, traces_dir),
                                        mode, diff))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
