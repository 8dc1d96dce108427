#!/usr/bin/env python3
"""Compares `gotrace timeline --format=json` with cmd/trace's viewer data.

    compare_timeline.py GOTRACE TRACES_DIR --view proc|thread [--ignore LIST]
                        [--dirs LIST] [--trace FILE]...
    compare_timeline.py --normalize RAW.json        (used by testdata/regen.sh)
    compare_timeline.py --same A.json B.json        (two references agree?)

For every trace TRACES_DIR/DIR/NAME.trace that has a reference
NAME.trace.timeline.VIEW.json.xz or .status (Go 1.27's cmd/trace,
/jsontrace?view=VIEW; testdata/README.md, "Timeline references") — the
real traces in go1.*/, the truncated ones in truncated/ and the synthetic
ones in synthetic/, every directory by default (--dirs: a comma-separated
list of directory names or glob patterns, e.g. go1.* or truncated) — runs

    GOTRACE timeline --format=json --view=VIEW FILE -o TMP

and compares TMP with the reference as Chrome trace events. Three cases,
from the reference's status:

* exit=0 and nothing logged about an error: cmd/trace read the whole
  trace; gotrace must exit 0 and write the same events;
* exit=0 and the log says "Encountered error, but able to proceed": the
  trace is damaged and cmd/trace served the events up to the last Sync
  before the error; gotrace must write the same events and exit 1, as
  every command does on a damaged trace;
* not exit=0 (cmd/trace rejects the trace: it cannot read it, or nothing
  useful is left before the error): passes if gotrace exits non-zero too.

What is compared (both files are parsed as JSON; key order, white space,
number spelling and event order do not matter; every list below is a
multiset, so duplicates count):

* displayTimeUnit;
* metadata events (ph "M": process_name, process_sort_index, thread_name,
  thread_sort_index): (name, pid, tid, args);
* every other event except flows, as (ph, name, pid, tid, ts, dur, s,
  cat, scope, bp, stack, end stack, cname, args), with:
  - ts and dur in microseconds as Go writes them (nanoseconds / 1000),
    compared as whole nanoseconds, round(x * 1000), which is the 1e-3 µs
    tolerance: both sides come from integer nanoseconds;
  - stacks ("sf", "esf") resolved through stackFrames into the list of
    frame names from the leaf up (e.g. "main.main:99"), so frame ids,
    which each writer numbers its own way, do not matter;
  - "id" left out (only flows and async events carry one; it is a
    sequence number);
  This covers complete slices (X), instants (I/i), counters (C, whose
  args are the values) and anything else a view may hold.
* flows (ph "s" start, "t"/"f" end), paired by id within each file, as
  (name, cat, start (pid, tid, ts, stack), end (pid, tid, ts, bp)): the ids
  themselves are not compared. An unpaired flow event is a difference.

Not compared: the event order, the ids, frame ids and stackFrames
entries no event uses. --ignore takes a comma-separated subset of
  stacks  (sf/esf of every event and flow),
  args    (args of slices and instants only; counters and metadata keep
           theirs, they are the values),
  cname   (the colour name)
for work in progress; the registered test should ignore nothing.

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

MAX_DIFFS = 8


def load(path):
    if path.endswith(".xz"):
        with lzma.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def normalize(path):
    """The stored form of a reference: Go's JSON with every object's keys
    sorted, one event per line, events in the order Go served them except
    that runs of metadata events are sorted by (pid, tid)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or "traceEvents" not in data:
        raise ValueError("%s: not trace viewer data" % path)
    dump = lambda v: json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    out = ["{"]
    rest = {k: v for k, v in data.items() if k != "traceEvents"}
    for k in sorted(rest):
        out.append("%s:%s," % (dump(k), dump(rest[k])))
    out.append('"traceEvents":[')
    evs = sort_metadata_runs(data["traceEvents"])
    for i, e in enumerate(evs):
        out.append(dump(e) + ("," if i + 1 < len(evs) else ""))
    out.append("]}")
    return "\n".join(out) + "\n"


def sort_metadata_runs(evs):
    """Go emits the metadata naming each thread's (or proc's) track from a
    map, in random order: within every run of consecutive metadata events
    (ph "M"), order them by (pid, tid), stably (so a track's name stays
    before its sort index). Nothing else moves."""
    out, run = [], []
    for e in evs + [None]:
        if e is not None and e.get("ph") == "M":
            run.append(e)
            continue
        run.sort(key=lambda m: (m.get("pid", 0), m.get("tid", 0)))
        out.extend(run)
        run = []
        if e is not None:
            out.append(e)
    return out


def ns(x):
    return None if x is None else round(float(x) * 1000)


def canon(v):
    return None if v is None else json.dumps(v, sort_keys=True, separators=(",", ":"))


class Stacks:
    def __init__(self, frames):
        self.frames = frames or {}
        self.cache = {}

    def resolve(self, sf):
        if sf is None:
            return None
        key = str(sf)
        if key in self.cache:
            return self.cache[key]
        names, seen, cur = [], set(), key
        while cur is not None and cur not in seen:
            seen.add(cur)
            fr = self.frames.get(cur)
            if fr is None:
                names.append("?frame %s" % cur)
                break
            names.append(fr.get("name", "?"))
            p = fr.get("parent")
            cur = None if p is None else str(p)
        self.cache[key] = tuple(names)
        return self.cache[key]


def digest(data, ignore):
    """The comparable content of one viewer file: a dict of Counters."""
    stacks = Stacks(data.get("stackFrames"))
    st = (lambda sf: None) if "stacks" in ignore else stacks.resolve
    meta, events = collections.Counter(), collections.Counter()
    starts, ends = {}, {}
    flows = collections.Counter()
    problems = []
    for e in data.get("traceEvents", []):
        ph = e.get("ph")
        if ph == "M":
            meta[(e.get("name"), e.get("pid"), e.get("tid"), canon(e.get("args")))] += 1
        elif ph == "s":
            starts.setdefault(e.get("id"), []).append(e)
        elif ph in ("t", "f"):
            ends.setdefault(e.get("id"), []).append(e)
        else:
            args = e.get("args")
            if "args" in ignore and ph != "C":
                args = None
            events[(
                ph, e.get("name"), e.get("pid"), e.get("tid"),
                ns(e.get("ts")), ns(e.get("dur")), e.get("s"), e.get("cat"),
                e.get("scope"), e.get("bp"), st(e.get("sf")), st(e.get("esf")),
                None if "cname" in ignore else e.get("cname"), canon(args),
            )] += 1
    for fid in set(starts) | set(ends):
        s, t = starts.get(fid, []), ends.get(fid, [])
        if len(s) != 1 or len(t) != 1:
            problems.append("flow id %r has %d start(s) and %d end(s)" % (fid, len(s), len(t)))
            continue
        s, t = s[0], t[0]
        flows[(
            s.get("name"), s.get("cat"),
            (s.get("pid"), s.get("tid"), ns(s.get("ts")), st(s.get("sf"))),
            (t.get("pid"), t.get("tid"), ns(t.get("ts")), t.get("bp"), t.get("ph")),
        )] += 1
    return {
        "displayTimeUnit": collections.Counter([data.get("displayTimeUnit")]),
        "metadata": meta,
        "events": events,
        "flows": flows,
    }, problems


def fmt_event(kind, k):
    if kind == "events":
        names = ("ph", "name", "pid", "tid", "ts_ns", "dur_ns", "s", "cat", "scope",
                 "bp", "stack", "endstack", "cname", "args")
        return " ".join("%s=%s" % (n, v if not isinstance(v, tuple) else "|".join(v))
                        for n, v in zip(names, k) if v is not None)
    return repr(k)


def compare(want, got, ignore):
    """Differences between two parsed viewer files (want: the reference)."""
    dw, pw = digest(want, ignore)
    dg, pg = digest(got, ignore)
    diffs = ["reference: " + p for p in pw] + ["gotrace: " + p for p in pg]
    for kind in ("displayTimeUnit", "metadata", "events", "flows"):
        missing = dw[kind] - dg[kind]
        extra = dg[kind] - dw[kind]
        if not missing and not extra:
            continue
        diffs.append("%s: %d missing, %d unexpected (of %d in the reference)" % (
            kind, sum(missing.values()), sum(extra.values()), sum(dw[kind].values())))
        # Sort by time where there is one, so the first differences come first.
        key = lambda kv: (kv[0][4] if kind == "events" and kv[0][4] is not None else -1, repr(kv[0]))
        for k, n in sorted(missing.items(), key=key)[:MAX_DIFFS]:
            diffs.append("  missing%s: %s" % ("" if n == 1 else " x%d" % n, fmt_event(kind, k)))
        for k, n in sorted(extra.items(), key=key)[:MAX_DIFFS]:
            diffs.append("  unexpected%s: %s" % ("" if n == 1 else " x%d" % n, fmt_event(kind, k)))
    return diffs


# What cmd/trace logs when the reader stops with an error but the events
# up to the last Sync before it are kept (cmd/trace's parseTrace).
DAMAGED = "Encountered error, but able to proceed"


def read_status(path):
    """(ok, damaged) from a reference's status file: ok if cmd/trace
    served the view (exit=0; a missing file counts as that), damaged if
    it logged an error it proceeded past."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return True, False
    ok = lines[0].strip() == "exit=0"
    return ok, ok and any(l.startswith(DAMAGED) for l in lines[1:])


def trace_files(traces_dir, dirs):
    """Every NAME.trace in the matching subdirectories of traces_dir,
    sorted; dirs is a list of names or glob patterns (empty: all)."""
    files = set()
    for pat in dirs or ["*"]:
        for d in glob.glob(os.path.join(traces_dir, pat)):
            if os.path.isdir(d):
                files.update(glob.glob(os.path.join(d, "*.trace")))
    return sorted(files)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--normalize":
        if len(sys.argv) != 3:
            sys.exit("usage: compare_timeline.py --normalize RAW.json")
        sys.stdout.write(normalize(sys.argv[2]))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "--same":
        if len(sys.argv) != 4:
            sys.exit("usage: compare_timeline.py --same A B")
        d = compare(load(sys.argv[2]), load(sys.argv[3]), set())
        for line in d:
            print(line)
        return 1 if d else 0

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gotrace")
    ap.add_argument("traces_dir")
    ap.add_argument("--view", required=True, choices=("proc", "thread"))
    ap.add_argument("--ignore", default="", help="comma-separated: stacks,args,cname")
    ap.add_argument("--dirs", default="", metavar="LIST",
                    help="comma-separated subdirectories of TRACES_DIR (names or glob "
                         "patterns, e.g. 'go1.*,truncated'; default: all of them)")
    ap.add_argument("--trace", action="append", default=[], metavar="FILE",
                    help="only this trace file (repeatable; default: every trace with a "
                         "reference in the --dirs)")
    a = ap.parse_args()
    ignore = set(x for x in a.ignore.split(",") if x)
    bad = ignore - {"stacks", "args", "cname"}
    if bad:
        ap.error("unknown --ignore item(s): %s" % ",".join(sorted(bad)))

    dirs = [x for x in a.dirs.split(",") if x]
    files = a.trace or trace_files(a.traces_dir, dirs)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "timeline.json")
        for f in files:
            ref = "%s.timeline.%s.json.xz" % (f, a.view)
            status = "%s.timeline.%s.status" % (f, a.view)
            if not os.path.exists(ref) and not os.path.exists(status):
                continue
            rel = os.path.relpath(f, a.traces_dir)
            if os.path.exists(out):
                os.remove(out)
            cmd = [a.gotrace, "timeline", "--format=json", "--view=" + a.view, f, "-o", out]
            try:
                r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
            except subprocess.TimeoutExpired:
                print("FAIL %s: gotrace timed out" % rel)
                failed += 1
                continue
            err = r.stderr.decode("utf-8", "replace").strip()
            ok, damaged = read_status(status)
            if not ok:
                if r.returncode != 0:
                    passed += 1
                else:
                    print("FAIL %s: cmd/trace rejects this trace, gotrace exited 0" % rel)
                    failed += 1
                continue
            if damaged and r.returncode == 0:
                print("FAIL %s: cmd/trace found this trace damaged and served it cut back "
                      "to the last Sync, gotrace exited 0" % rel)
                failed += 1
                continue
            if r.returncode != (1 if damaged else 0):
                print("FAIL %s: gotrace exited %d: %s" % (rel, r.returncode, err.splitlines()[-1] if err else ""))
                failed += 1
                continue
            try:
                got = load(out)
            except (OSError, ValueError) as e:
                print("FAIL %s: gotrace's output is not JSON: %s" % (rel, e))
                failed += 1
                continue
            diffs = compare(load(ref), got, ignore)
            if diffs:
                print("FAIL %s (%s view)" % (rel, a.view))
                for line in diffs:
                    print("   " + line)
                failed += 1
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
