#!/usr/bin/env python3
"""Compares `gotrace pprof` with Go 1.27's `go tool trace -pprof=TYPE`.

usage: compare_pprof.py GOTRACE TRACES_DIR TYPE
       compare_pprof.py GOTRACE TRACES_DIR cpu
       compare_pprof.py --same A.pb.gz B.pb.gz

TYPE sched, sync, syscall or net: for every trace FILE under
TRACES_DIR/go1.*/ (real traces), TRACES_DIR/truncated/ and
TRACES_DIR/synthetic/ with a reference FILE.pprof.TYPE.pb.gz (written by
testdata/regen.sh from Go's cmd/trace) and its FILE.pprof.TYPE.status,
runs `gotrace pprof --type=TYPE FILE -o OUT` and compares the two
profiles as profiles. Both are gunzipped and decoded here (a small
protobuf wire decoder: this is the test's own reading of the format),
then these must be equal:

  - the sample types, as (type, unit) strings, in order;
  - the period type (type, unit) and the period;
  - the samples, as a multiset (order-insensitive: Go writes them in map
    order): each sample is its values and its list of frames, innermost
    first, each frame (function name, system name, file name, line,
    address) resolved through the location, line, function and string
    tables; a location must have exactly one line.

Not compared, because they legitimately differ: the order of samples,
locations, functions and strings, and the IDs that link them;
time_nanos, duration_nanos and mappings (Go writes no mapping; neither
do we). The exit status, from the reference's status (compare_timeline.py
is the model):

* exit=0 on an undamaged trace: gotrace must exit 0 and write the same
  samples;
* exit=0 on a damaged trace: cmd/trace profiled the events up to the
  last Sync before the error (it says nothing about it: the damage is
  read from the same trace's timeline reference, FILE.timeline.proc.status,
  where the same parseTrace of cmd/trace logs "Encountered error, but
  able to proceed"); gotrace must write the same samples and exit 1, as
  every command does on a damaged trace;
* exit=1 with "failed to generate pprof: failed to find matching
  goroutines": Go's goroutine summary is empty (no goroutine in the
  trace, or in what it read before an error) and it writes nothing;
  gotrace must write a profile with no samples (as for a filter that
  matches no goroutine) and exit as above, 0 or 1 by the damage;
* any other status (Go rejects the trace, or nothing useful is left
  before the error, and writes no profile): gotrace must exit with
  status 1.

A damaged trace with no timeline status to tell: either exit status
passes, the samples must still be Go's.

--same: exit 0 if the two profiles are equal as compared above (used by
testdata/regen.sh to check that Go's profiles are reproducible).

cpu: for every cpuprofile trace with a stored `go tool trace -d=parsed`
reference (FILE.parsed.xz, Go's output, not ours), the sum of the
samples/count values must be the number of StackSample events in it,
and each cpu/nanoseconds value 10 ms per sample. If protoc and the
shared schema (../shared/schemas/profile.proto beside the repository)
are there, protoc --decode must also accept each profile.
"""
import gzip
import lzma
import os
import subprocess
import sys
import tempfile
from collections import Counter

TYPES = ("sched", "sync", "syscall", "net")


def varint(buf, i):
    v = 0
    shift = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, i
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of one message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v = int.from_bytes(buf[i:i + 8], "little")
            i += 8
        elif wt == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            i += n
        elif wt == 5:
            v = int.from_bytes(buf[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def ints(wt, v):
    """A repeated integer field: packed (wire type 2) or not."""
    if wt == 2:
        out = []
        i = 0
        while i < len(v):
            x, i = varint(v, i)
            out.append(x)
        return out
    return [v]


def message(buf, spec):
    """Decodes buf into a dict by spec {num: (name, kind, repeated)}."""
    out = {name: [] if rep else 0 for name, _, rep in spec.values()}
    for num, wt, v in fields(buf):
        if num not in spec:
            continue
        name, kind, rep = spec[num]
        if kind == "int":
            vals = [signed(x) for x in ints(wt, v)]
        elif kind == "uint":
            vals = ints(wt, v)
        elif kind == "str":
            vals = [bytes(v).decode("utf-8", "replace")]
        else:
            vals = [message(v, kind)]
        if rep:
            out[name].extend(vals)
        else:
            out[name] = vals[-1]
    return out


VALUE_TYPE = {1: ("type", "int", False), 2: ("unit", "int", False)}
SAMPLE = {1: ("location_id", "uint", True), 2: ("value", "int", True)}
LINE = {1: ("function_id", "uint", False), 2: ("line", "int", False)}
LOCATION = {1: ("id", "uint", False), 3: ("address", "uint", False),
            4: ("line", LINE, True)}
FUNCTION = {1: ("id", "uint", False), 2: ("name", "int", False),
            3: ("system_name", "int", False), 4: ("filename", "int", False)}
PROFILE = {1: ("sample_type", VALUE_TYPE, True), 2: ("sample", SAMPLE, True),
           4: ("location", LOCATION, True), 5: ("function", FUNCTION, True),
           6: ("string_table", "str", True),
           11: ("period_type", VALUE_TYPE, False),
           12: ("period", "int", False)}


def decode(path):
    """The profile as comparable data: (sample types, period type, period,
    Counter of samples)."""
    with open(path, "rb") as f:
        data = gzip.decompress(f.read())
    p = message(data, PROFILE)
    st = p["string_table"]
    if not st or st[0] != "":
        raise ValueError("string table does not start with ''")
    funcs = {f["id"]: (st[f["name"]], st[f["system_name"]], st[f["filename"]])
             for f in p["function"]}
    locs = {}
    for loc in p["location"]:
        if len(loc["line"]) != 1:
            raise ValueError("location %d has %d lines" % (loc["id"], len(loc["line"])))
        ln = loc["line"][0]
        name, sysname, filename = funcs[ln["function_id"]]
        locs[loc["id"]] = (name, sysname, filename, ln["line"], loc["address"])
    samples = Counter()
    for s in p["sample"]:
        samples[(tuple(s["value"]), tuple(locs[i] for i in s["location_id"]))] += 1
    types = [(st[v["type"]], st[v["unit"]]) for v in p["sample_type"]]
    pt = p["period_type"]
    ptype = (st[pt["type"]], st[pt["unit"]]) if pt else None
    return types, ptype, p["period"], samples


def status_of(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.readline().strip()
    return int(first.split("=", 1)[1])


DIRS = ("go1.", "truncated", "synthetic")
DAMAGED = "Encountered error, but able to proceed"


NO_GOROUTINES = "failed to generate pprof: failed to find matching goroutines"


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def damaged_by_timeline(trace):
    """True or False from cmd/trace's log in the timeline reference's
    status (see the module's doc), None without one."""
    try:
        with open(trace + ".timeline.proc.status", encoding="utf-8",
                  errors="replace") as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return None
    return any(l.startswith(DAMAGED) for l in lines[1:])


def run_gotrace(gotrace, typ, trace, out):
    return subprocess.run([gotrace, "pprof", "--type=" + typ, trace, "-o", out],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300)


def describe(samples, limit=5):
    lines = []
    for (vals, frames), n in sorted(samples.items())[:limit]:
        top = frames[0][0] if frames else "(no frames)"
        lines.append("      %dx values=%s depth=%d top=%s" % (n, list(vals), len(frames), top))
    return "\n".join(lines)


def compare_types(gotrace, root, typ, tmp):
    checked = failed = 0
    traces = sorted(os.path.join(d, f) for d, _, fs in os.walk(root)
                    for f in fs if f.endswith(".trace")
                    and os.path.basename(d).startswith(DIRS))
    for trace in traces:
        ref = trace + ".pprof." + typ + ".pb.gz"
        status = trace + ".pprof." + typ + ".status"
        if not os.path.exists(status):
            continue
        rel = os.path.relpath(trace, root)
        out = os.path.join(tmp, "out.pb.gz")
        if os.path.exists(out):
            os.unlink(out)
        r = run_gotrace(gotrace, typ, trace, out)
        checked += 1
        want_rc = status_of(status)
        # Go's profile fails when its goroutine summary is empty (no
        # goroutine in the trace, or in what it read before an error):
        # gotrace writes an empty profile then, as for a filter matching
        # no goroutine (docs/exports.md), and exits as on any trace.
        no_goroutines = want_rc == 1 and NO_GOROUTINES in read_text(status)
        if want_rc != 0 and not no_goroutines:
            if r.returncode != 1:
                print("FAIL %s %s: Go rejects the trace (exit %d), gotrace exits %d"
                      % (rel, typ, want_rc, r.returncode))
                failed += 1
            continue
        damaged = damaged_by_timeline(trace)
        if damaged is None and not rel.startswith("go1."):
            want_rcs = (0, 1)
        else:
            want_rcs = (1,) if damaged else (0,)
        if r.returncode not in want_rcs:
            why = ("cmd/trace profiled this damaged trace cut back to its last "
                   "Sync, " if damaged else "")
            print("FAIL %s %s: %sgotrace exits %d, want %s: %s"
                  % (rel, typ, why, r.returncode,
                     " or ".join(map(str, want_rcs)),
                     r.stderr.decode(errors="replace").strip()[-300:]))
            failed += 1
            continue
        try:
            got = decode(out)
            want = (got[0], got[1], got[2], Counter()) if no_goroutines else decode(ref)
        except (ValueError, KeyError, IndexError, OSError) as e:
            print("FAIL %s %s: cannot decode: %s" % (rel, typ, e))
            failed += 1
            continue
        problems = []
        for what, w, g in (("sample types", want[0], got[0]),
                           ("period type", want[1], got[1]),
                           ("period", want[2], got[2])):
            if w != g:
                problems.append("%s: Go %r, gotrace %r" % (what, w, g))
        if want[3] != got[3]:
            missing = want[3] - got[3]
            extra = got[3] - want[3]
            problems.append("samples differ (Go %d, gotrace %d): %d only in Go's,"
                            " %d only in ours\n    only Go:\n%s\n    only gotrace:\n%s"
                            % (sum(want[3].values()), sum(got[3].values()),
                               sum(missing.values()), sum(extra.values()),
                               describe(missing), describe(extra)))
        if problems:
            failed += 1
            print("FAIL %s %s: %s" % (rel, typ, "; ".join(problems)))
    print("%s: %d traces compared, %d failed" % (typ, checked, failed))
    return 1 if failed or checked == 0 else 0


def shared_schema(root):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(root)))
    d = os.path.join(os.path.dirname(repo), "shared", "schemas")
    return d if os.path.exists(os.path.join(d, "profile.proto")) else None


def check_cpu(gotrace, root, tmp):
    checked = failed = 0
    schema = shared_schema(root)
    protoc = None
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if os.access(os.path.join(d, "protoc"), os.X_OK):
            protoc = os.path.join(d, "protoc")
            break
    for d in sorted(os.listdir(root)):
        trace = os.path.join(root, d, "cpuprofile.trace")
        parsed = trace + ".parsed.xz"
        if not d.startswith("go1.") or not os.path.exists(parsed):
            continue
        with lzma.open(parsed, "rt", encoding="utf-8", errors="replace") as f:
            want = sum(1 for line in f if " StackSample " in line)
        out = os.path.join(tmp, "cpu.pb.gz")
        r = run_gotrace(gotrace, "cpu", trace, out)
        checked += 1
        rel = os.path.relpath(trace, root)
        if r.returncode != 0:
            print("FAIL %s: gotrace exits %d: %s" % (rel, r.returncode,
                                                   r.stderr.decode(errors="replace").strip()))
            failed += 1
            continue
        types, ptype, period, samples = decode(out)
        count = sum(vals[0] * n for (vals, _), n in samples.items())
        bad = [vals for (vals, _) in samples if vals[1] != vals[0] * 10000000]
        problems = []
        if types != [("samples", "count"), ("cpu", "nanoseconds")]:
            problems.append("sample types %r" % types)
        if ptype != ("cpu", "nanoseconds") or period != 10000000:
            problems.append("period %r %r" % (ptype, period))
        if count != want:
            problems.append("%d samples, Go's -d=parsed has %d StackSample events"
                            % (count, want))
        if bad:
            problems.append("cpu values not 10ms per sample: %r" % bad[:3])
        if want == 0:
            problems.append("no StackSample events in the reference")
        if protoc and schema:
            with open(out, "rb") as f:
                raw = gzip.decompress(f.read())
            d = subprocess.run([protoc, "--decode=perftools.profiles.Profile",
                                "-I", schema, "profile.proto"], input=raw,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if d.returncode != 0:
                problems.append("protoc --decode fails: %s"
                                % d.stderr.decode(errors="replace").strip())
        if problems:
            failed += 1
            print("FAIL %s: %s" % (rel, "; ".join(problems)))
        else:
            print("ok %s: %d samples" % (rel, count))
    print("cpu: %d traces checked, %d failed%s" % (
        checked, failed, "" if protoc and schema else
        " (protoc or ../shared/schemas missing: protoc --decode not run)"))
    return 1 if failed or checked == 0 else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--same":
        return 0 if decode(sys.argv[2]) == decode(sys.argv[3]) else 1
    if len(sys.argv) != 4 or sys.argv[3] not in TYPES + ("cpu",):
        print(__doc__, file=sys.stderr)
        return 2
    gotrace, root, typ = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        if typ == "cpu":
            return check_cpu(gotrace, root, tmp)
        return compare_types(gotrace, root, typ, tmp)


if __name__ == "__main__":
    sys.exit(main())
