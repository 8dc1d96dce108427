#!/usr/bin/env python3
"""Checks the gotrace command line's conventions (docs/api.md, "The
command-line tool"): help and version, usage errors and their exit status,
input errors, a damaged trace's partial output and error line, a file and
standard input giving the same output, option spellings, write errors,
and the shape of the analysis commands' --json and --csv output.

usage: test_cli.py GOTRACE TESTDATA_DIR

The numbers the analyses compute are checked elsewhere against Go's; here
only the conventions are.
"""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

GOTRACE = None
TESTDATA = None
FAILURES = []
CHECKS = 0

# A complete trace with several generations and one of each kind of
# analysis input (regions, tasks, GC).
GOOD = "traces/go1.27/annotations.trace"
MULTI_GEN = "traces/go1.27/generations.trace"

ANALYSES = ["goroutines", "tasks", "regions", "gc", "mmu"]
TOP = ["top"]


def run(args, stdin=None, cwd=None, stdout=None):
    kw = {"stdin": stdin if stdin is not None else subprocess.DEVNULL,
          "cwd": cwd, "timeout": 120}
    if stdout is not None:
        kw["stdout"] = stdout
        kw["stderr"] = subprocess.PIPE
    else:
        kw["capture_output"] = True
    if isinstance(stdin, bytes):
        kw.pop("stdin")
        kw["input"] = stdin
    r = subprocess.run([GOTRACE] + args, **kw)
    return r.returncode, r.stdout or b"", r.stderr


def check(cond, what):
    global CHECKS
    CHECKS += 1
    if not cond:
        FAILURES.append(what)
    return cond


def data(rel):
    return os.path.join(TESTDATA, rel)


def commands():
    rc, out, _ = run(["help"])
    names = []
    for line in out.decode().splitlines():
        m = re.match(r"^  (\S+)\s{2,}\S", line)
        if m:
            names.append(m.group(1))
    return names


def test_help_and_version():
    for args in (["--help"], ["-h"], ["help"]):
        rc, out, err = run(args)
        check(rc == 0 and out.startswith(b"usage: gotrace") and err == b"",
              "%s: want usage on stdout, exit 0; got %d %r %r"
              % (args, rc, out[:80], err[:200]))
    names = commands()
    check(set(["dump", "stats", "version", "help"] + ANALYSES + TOP)
          <= set(names), "help lists the commands: %r" % names)
    for name in names:
        rc, a, err = run(["help", name])
        check(rc == 0 and a.startswith(b"usage: gotrace " + name.encode())
              and err == b"", "help %s: exit %d %r" % (name, rc, a[:80]))
        rc, b, err = run([name, "--help"])
        check(rc == 0 and b == a and err == b"",
              "%s --help: exit %d, differs from help %s" % (name, rc, name))
    for args in (["--version"], ["version"]):
        rc, out, err = run(args)
        check(rc == 0 and re.match(rb"^gotrace \d+\.\d+\.\d+\S*\n$", out)
              and err == b"", "%s: got %d %r" % (args, rc, out))


def expect_usage(args, why):
    rc, out, err = run(args)
    lines = err.decode(errors="replace").splitlines()
    ok = (rc == 2 and out == b"" and len(lines) == 2 and
          lines[0].startswith("gotrace") and lines[1].startswith("Try 'gotrace"))
    check(ok, "%s (%s): want exit 2, a reason and a hint on stderr; "
          "got %d, stdout %r, stderr %r" % (args, why, rc, out[:80], err[:300]))


def test_usage_errors():
    good = data(GOOD)
    expect_usage([], "no command")
    expect_usage(["frobnicate", good], "unknown command")
    expect_usage(["--frobnicate"], "unknown global option")
    expect_usage(["help", "frobnicate"], "help on an unknown command")
    for cmd in ["dump", "stats"] + ANALYSES + TOP:
        expect_usage([cmd], "missing FILE")
        expect_usage([cmd, good, good], "extra FILE")
        expect_usage([cmd, "--frobnicate", good], "unknown long option")
        expect_usage([cmd, "-X", good], "unknown short option")
    expect_usage(["version", "extra"], "extra operand")
    bad_numbers = ["-1", "99999999999999999999999", "12x", "", " 1", "+1",
                   "0x10", "1.5"]
    for opt in ("-j", "--threads", "-m", "--max-memory"):
        for v in bad_numbers:
            expect_usage(["stats", opt, v, good], "%s %r" % (opt, v))
            expect_usage(["stats", "%s=%s" % (opt, v) if opt.startswith("--")
                          else opt + v, good], "%s%r joined" % (opt, v))
    expect_usage(["dump", "-j", "0", good], "zero threads")
    expect_usage(["dump", "-j", "65", good], "too many threads")
    expect_usage(["dump", "--ordering", "sideways", good], "bad ordering")
    expect_usage(["dump", good, "--ordering"], "missing argument")
    if not ANALYSES:
        return
    expect_usage(["goroutines", "-n", "-1", good], "negative -n")
    expect_usage(["goroutines", "--top=12x", good], "junk -n")
    for v in bad_numbers[:4] + ["10xs", "ms", "1.5", "-1ms",
                                "999999999999h"]:
        expect_usage(["mmu", "--window", v, good], "window %r" % v)
    expect_usage(["mmu", "--flags", "stw,nonsense", good], "bad flag")
    expect_usage(["mmu", "--mud", "1.5", good], "quantile out of range")
    expect_usage(["mmu", "--mud", "x", good], "quantile not a number")
    expect_usage(["goroutines", "--json", "--csv", good], "two formats")


def test_input_errors():
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        missing = os.path.join(tmp, "missing.trace")
        for cmd in ["dump", "stats"] + ANALYSES:
            rc, out, err = run([cmd, missing])
            check(rc == 1 and err == ("gotrace: %s: No such file or directory\n"
                                      % missing).encode(),
                  "%s on a missing file: got %d %r" % (cmd, rc, err))
            rc, out, err = run([cmd, tmp])
            check(rc == 1 and err == ("gotrace: %s: Is a directory\n"
                                      % tmp).encode(),
                  "%s on a directory: got %d %r" % (cmd, rc, err))
        if os.geteuid() != 0:
            locked = os.path.join(tmp, "locked.trace")
            shutil.copy(data(GOOD), locked)
            os.chmod(locked, 0)
            rc, out, err = run(["stats", locked])
            check(rc == 1 and err == ("gotrace: %s: Permission denied\n"
                                      % locked).encode(),
                  "unreadable file: got %d %r" % (rc, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


ERROR_LINE = re.compile(rb"^gotrace: (.*): offset (\d+): (.+)$")
LOST_LINE = re.compile(rb"^gotrace: lost \d+\.\d\d% of the trace data due to "
                       rb"the error \((\d+) of (\d+) bytes\)$")


def check_trace_error(what, path, rc, err, size=None):
    lines = err.split(b"\n")
    m = ERROR_LINE.match(lines[0])
    ok = check(rc == 1 and m is not None and
               m.group(1) == path.encode(),
               "%s: want exit 1 and 'gotrace: %s: offset N: ...'; got %d %r"
               % (what, path, rc, err[:300]))
    if ok:
        lost = LOST_LINE.match(lines[1]) if len(lines) > 1 else None
        check(lost is not None and
              (size is None or int(lost.group(2)) == size),
              "%s: want the lost-bytes line of a %s-byte input; got %r"
              % (what, size, err[:300]))


def truncated_traces():
    d = data("traces/truncated")
    names = sorted(n for n in os.listdir(d) if n.endswith(".trace"))
    picked = []
    for n in names:
        with open(os.path.join(d, n + ".parsed.status"), "rb") as f:
            if f.readline().strip() == b"exit=1":
                picked.append(os.path.join(d, n))
    # One of each Go version's is enough for conventions.
    seen, out = set(), []
    for p in picked:
        v = os.path.basename(p).split("_")[0]
        if v not in seen:
            seen.add(v)
            out.append(p)
    return out


def cut(src, dst, share, insert=None):
    with open(src, "rb") as f:
        b = f.read()
    n = int(len(b) * share)
    with open(dst, "wb") as f:
        f.write(b[:n] + insert + b[n:] if insert else b[:n])
    return os.path.getsize(dst)


def test_damaged_traces():
    traces = truncated_traces()
    check(len(traces) >= 3, "truncated traces found: %d" % len(traces))
    for path in traces:
        size = os.path.getsize(path)
        rc, out, err = run(["stats", path])
        check_trace_error("stats " + path, path, rc, err, size)
        check(out.startswith(b"events: "),
              "stats %s: want the counts before the error; got %r"
              % (path, out[:80]))
        rc, out, err = run(["dump", path])
        check_trace_error("dump " + path, path, rc, err, size)
        # v1 traces are read whole before the first event: Go prints
        # none of a damaged one, and neither does dump.
        v1 = os.path.basename(path) < "go1.22"
        check((v1 and out == b"") or
              (out.startswith(b"M=") and out.endswith(b"\n")),
              "dump %s: want the events before the error; got %r"
              % (path, out[:80]))
        rc, out, err = run(["dump", "--go-errors", path])
        check(rc == 1 and not err.startswith(b"gotrace:") and
              err.endswith(b"\n") and b"lost" not in err,
              "dump --go-errors %s: want Go's one line; got %r" % (path, err))
        for cmd in ANALYSES:
            rc, out, err = run([cmd, path])
            check_trace_error(cmd + " " + path, path, rc, err, size)
    # These truncated traces end in their first generation: nothing was
    # read whole. A trace cut after a few generations has a good part,
    # which every command must print before the error.
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        path = os.path.join(tmp, "cut.trace")
        size = cut(data(MULTI_GEN), path, 0.8)
        for args in [["stats"], ["dump"], ["goroutines", "--json"],
                     ["goroutines", "--groups"], ["gc", "--json"], ["gc"],
                     ["mmu"], ["top"]]:
            rc, out, err = run(args + [path])
            check_trace_error("%s %s" % (args, path), path, rc, err, size)
            check(len(out) > 0,
                  "%s on a damaged trace: want what was computed before "
                  "the error; got %r" % (args, out[:200]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_file_and_stdin_agree():
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        inputs = [truncated_traces()[-1]]
        # Cut after a few generations, and damaged in the middle with the
        # rest still to come: the pipe must count what the file holds.
        for i, (share, insert) in enumerate(((0.8, None), (0.5, b"\xff" * 64))):
            p = os.path.join(tmp, "damaged%d.trace" % i)
            cut(data(MULTI_GEN), p, share, insert)
            inputs.append(p)
        for path in inputs:
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                blob = f.read()
            for args in [["stats"], ["dump"], ["stats", "-j", "1"],
                         ["stats", "-j", "2"]] + [[a] for a in ANALYSES]:
                rc1, out1, err1 = run(args + [path])
                rc2, out2, err2 = run(args + ["-"], stdin=blob)
                check(rc1 == rc2 == 1 and out1 == out2,
                      "%s: file and stdin differ on %s (exit %d/%d)"
                      % (args, path, rc1, rc2))
                check_trace_error("%s %s" % (args, path), path, rc1, err1, size)
                check_trace_error("%s - < %s" % (args, path), "<stdin>", rc2,
                                  err2, size)
                check(err1.split(b"\n")[1:] == err2.split(b"\n")[1:] and
                      ERROR_LINE.sub(rb"\2 \3", err1.split(b"\n")[0]) ==
                      ERROR_LINE.sub(rb"\2 \3", err2.split(b"\n")[0]),
                      "%s: file and stdin errors differ: %r vs %r"
                      % (args, err1, err2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_option_spellings():
    good = data(GOOD)
    rc, want, err = run(["dump", "-j", "1", good])
    check(rc == 0 and err == b"" and want, "dump -j 1: exit %d %r" % (rc, err))
    for args in (["dump", "--threads=1", good], ["dump", "--threads", "1", good],
                 ["dump", "-j1", good], ["dump", good, "-j", "1"],
                 ["dump", "--ordering=exact", "-j", "1", good],
                 ["dump", "--no-mmap", "--no-progress", "-j1", good],
                 ["dump", "-v", "-m", "1000000000", "-j", "1", "--", good]):
        rc, out, err = run(args)
        check(rc == 0 and out == want and err == b"",
              "%s: want dump's output; got exit %d %r" % (args, rc, err[:200]))
    with open(good, "rb") as f:
        rc, out, err = run(["dump", "-j", "1", "-"], stdin=f.read())
    check(rc == 0 and out == want, "dump -: exit %d %r" % (rc, err[:200]))
    # "--" ends the options: a file named like one.
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        shutil.copy(good, os.path.join(tmp, "-j"))
        rc, out, err = run(["dump", "-j", "1", "--", "-j"], cwd=tmp)
        check(rc == 0 and out == want,
              "dump -- -j: want the file -j read; got %d %r" % (rc, err[:200]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if "mmu" not in ANALYSES:
        return
    rc, out, err = run(["mmu", "--json", "--window=1ms", "-w", "1500us",
                        "--window", "1\u00b5s", "--window", "2000", good])
    windows = [json.loads(l)["window_ns"] for l in out.splitlines()] \
        if rc == 0 else []
    check(windows == [1000000, 1500000, 1000, 2000],
          "mmu windows in Go's units: got %d %r %r" % (rc, windows, err[:200]))


def test_write_errors():
    if not os.path.exists("/dev/full"):
        return
    good = data(GOOD)
    more = [[a, good] for a in ANALYSES] + [[a, "--json", good]
                                            for a in ANALYSES]
    for args in [["dump", good], ["dump", "--wire", good], ["stats", good],
                 ["version"], ["help"]] + more:
        with open("/dev/full", "wb") as full:
            rc, _, err = run(args, stdout=full)
        check(rc == 1 and err.startswith(b"gotrace: writing output: "),
              "%s > /dev/full: want exit 1 and a write error; got %d %r"
              % (args, rc, err[:200]))


# The --json keys of each analysis record, in order (docs/api.md).
SCHEMAS = {
    ("goroutines",): ["id", "name", "pc", "creation_ns", "start_ns", "end_ns",
                      "exec_ns", "sched_wait_ns", "syscall_ns",
                      "syscall_block_ns", "total_ns", "block_ns", "range_ns",
                      "regions"],
    ("goroutines", "--groups"): ["name", "count", "exec_ns", "sched_wait_ns",
                                 "block_ns", "syscall_ns", "syscall_block_ns",
                                 "total_ns"],
    ("tasks",): ["id", "name", "parent", "start_ns", "end_ns", "goroutines",
                 "logs", "regions"],
    ("tasks", "--types"): ["type", "count", "complete", "total_ns", "min_ns",
                           "p50_ns", "p90_ns", "p99_ns", "max_ns",
                           "histogram"],
    ("regions",): ["type", "func", "file", "line", "pc", "count", "total_ns",
                   "min_ns", "p50_ns", "p90_ns", "p99_ns", "max_ns",
                   "histogram"],
    ("gc", "--summary"): ["cycles", "gc_ns", "stw_count", "stw_ns",
                          "mark_assist_count", "mark_assist_ns", "sweep_count",
                          "sweep_ns", "swept_bytes", "reclaimed_bytes",
                          "first_ns", "last_ns", "stw_min_ns",
                          "stw_p50_ns", "stw_p90_ns", "stw_p99_ns",
                          "stw_max_ns"],
    ("mmu",): ["flags", "window_ns", "mmu"],
    ("mmu", "--mud", "0.5,0.99"): ["flags", "window_ns", "mmu", "mud"],
}
GC_KEYS = {"gc": ["kind", "start_ns", "end_ns", "duration_ns"],
           "stw": ["kind", "reason", "start_ns", "end_ns", "duration_ns",
                   "goroutine"]}


def json_records(args, path):
    rc, out, err = run(list(args) + ["--json", path])
    if not check(rc == 0 and err == b"", "%s --json %s: exit %d %r"
                 % (args, path, rc, err[:200])):
        return []
    recs = []
    for line in out.decode("utf-8").splitlines():
        try:
            recs.append(json.loads(line, object_pairs_hook=list))
        except ValueError:
            check(False, "%s --json: not JSON: %r" % (args, line[:200]))
    return recs


def flat_keys(pairs):
    keys = []
    for k, v in pairs:
        if isinstance(v, list) and v and isinstance(v[0], tuple):
            keys += ["%s.%s" % (k, kk) for kk, _ in v]
        elif isinstance(v, list) and v == [] and k in ("block_ns", "range_ns",
                                                       "histogram", "mud"):
            pass
        else:
            keys.append(k)
    return keys


def test_analysis_output():
    if not ANALYSES:
        return
    path = data(GOOD)
    for args, schema in sorted(SCHEMAS.items()):
        recs = json_records(args, path)
        check(len(recs) > 0, "%s --json: no records" % (args,))
        for r in recs:
            keys = [k for k, _ in r]
            if not check(keys == schema, "%s --json keys: want %r, got %r"
                         % (args, schema, keys)):
                break
        # CSV: the header is the union of the records' keys, nested ones
        # flattened and sorted after the fixed ones.
        rc, out, err = run(list(args) + ["--csv", path])
        rows = list(csv.reader(io.StringIO(out.decode("utf-8"))))
        fixed, nested = [], set()
        for r in recs:
            for k in flat_keys(r):
                if "." in k and k.split(".")[0] in ("block_ns", "range_ns",
                                                    "histogram", "mud"):
                    nested.add(k)
                elif k not in fixed:
                    fixed.append(k)
        want = fixed + sorted(nested)
        check(rc == 0 and rows and rows[0] == want,
              "%s --csv header: want %r, got %r" % (args, want,
                                                    rows[0] if rows else None))
        check(len(rows) == len(recs) + 1 and
              all(len(row) == len(want) for row in rows),
              "%s --csv: want %d rows of %d cells" % (args, len(recs),
                                                     len(want)))
        rc, out, err = run(list(args) + [path])
        check(rc == 0 and len(out.splitlines()) >= 2 and err == b"",
              "%s table: exit %d, %r" % (args, rc, err[:200]))
    recs = json_records(("gc",), path)
    for r in recs:
        keys = [k for k, _ in r]
        kind = dict(r).get("kind")
        check(kind in GC_KEYS and keys == GC_KEYS[kind],
              "gc --json keys: got %r" % keys)
    recs = json_records(("tasks",), path)
    for r in recs:
        g = dict(r)["goroutines"]
        check(g == sorted(g), "tasks --json goroutines sorted: %r" % g)
    # Every goroutine, in ascending id; -n limits only the table.
    recs = json_records(("goroutines", "-n", "1"), path)
    ids = [dict(r)["id"] for r in recs]
    check(len(ids) > 1 and ids == sorted(ids), "goroutines --json ids: %r" % ids)
    rc, out, _ = run(["mmu", "--json", path])
    check(rc == 0 and len(out.splitlines()) == 7, "mmu: want 7 default windows")
    rc, out, _ = run(["mmu", "--json", "--flags", "sweep,stw", "--per-proc",
                      "-w", "1ms", path])
    rec = json.loads(out.splitlines()[0]) if rc == 0 and out else {}
    check(rec.get("flags") == "stw,sweep,perproc",
          "mmu --flags normalized: %r" % rec)


def test_string_escaping():
    """A task type with an invalid UTF-8 byte, a quote, a backslash, a
    control character, '<' and U+2028 (same length as the name it
    replaces, so the trace stays valid)."""
    weird = b'a\xff"\\\x01<\xe2\x80\xa8z'
    want = 'a\ufffd"\\\x01<\u2028z'
    with open(data(GOOD), "rb") as f:
        blob = f.read()
    if not check(blob.count(b"subrequest") == 1 and len(weird) == 10,
                 "the task type to replace is in %s" % GOOD):
        return
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        path = os.path.join(tmp, "strings.trace")
        with open(path, "wb") as f:
            f.write(blob.replace(b"subrequest", weird))
        rc, out, err = run(["tasks", "--types", "--json", path])
        types = [json.loads(l)["type"] for l in out.decode("utf-8").splitlines()]
        check(rc == 0 and want in types,
              "tasks --types --json: want the type %r among %r" % (want, types))
        check(b"\\u003c" not in out and b"\\ufffd" in out and
              b"\\u0001" in out and b"\\u2028" in out,
              "JSON escapes: want \\ufffd, \\u0001, \\u2028 and a bare <")
        rc, out, err = run(["tasks", "--types", "--csv", path])
        rows = list(csv.reader(io.StringIO(out.decode("utf-8"))))
        check(rc == 0 and want in [r[0] for r in rows[1:]],
              "tasks --types --csv: want the type %r (quoted, valid UTF-8)"
              % want)
        rc, out, err = run(["tasks", "--types", path])
        check(rc == 0 and b"\x01" not in out and b"\xff" not in out,
              "tasks --types table: control and invalid bytes replaced")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_top():
    if not TOP:
        return
    path = data(MULTI_GEN)
    rc, out, err = run(["top", "-n", "3", path])
    blocks = re.findall(rb"^generation \d+ ", out, re.M)
    check(rc == 0 and len(blocks) >= 2 and err == b"",
          "top on a non-terminal: want a block per generation; got %d, %d "
          "blocks, %r" % (rc, len(blocks), err[:200]))
    check(b"\x1b[" not in out, "top on a non-terminal clears the screen")


def test_empty_outputs_and_spellings():
    # A trace with no tasks or regions: CSV still has its header (pandas
    # reads an empty frame, not an error), a table its header row.
    path = data("traces/go1.27/gc.trace")
    for args, first in [(["tasks", "--csv"], b"id,name,parent,start_ns,end_ns,goroutines,logs,regions"),
                        (["tasks", "--types", "--csv"], b"type,count,complete,"),
                        (["regions", "--csv"], b"type,func,file,line,pc,count,"),
                        (["tasks"], b"TASK"),
                        (["regions"], b"COUNT")]:
        rc, out, err = run(args + [path])
        check(rc == 0 and out.startswith(first) and len(out.splitlines()) == 1,
              "%s on a trace without them: want only the header %r, got %r"
              % (" ".join(args), first, out[:200]))
    rc, out, err = run(["gc", "--csv", path])
    header = out.splitlines()[0] if out else b""
    check(header == b"kind,reason,start_ns,end_ns,duration_ns,goroutine",
          "gc --csv header: %r" % header)
    # Memory limits take binary suffixes.
    rc, out, err = run(["stats", "-m", "64M", path])
    check(rc == 0, "stats -m 64M: exit %d %r" % (rc, err))
    rc, out, err = run(["stats", "-m", "1K", path])
    check(rc == 1 and b"offset" in err, "stats -m 1K: want the limit hit, got exit %d %r" % (rc, err))
    expect_usage(["stats", "-m", "1X", path], "a bad memory suffix")
    # help on an unknown command points at the command list.
    rc, out, err = run(["help", "bogus"])
    check(rc == 2 and b"unknown command 'bogus'" in err and b"gotrace --help" in err,
          "help bogus: exit %d %r" % (rc, err))


def timeline_json(out, what):
    """The parsed output of gotrace timeline --format=json, or None."""
    try:
        d = json.loads(out.decode("utf-8"))
    except ValueError as e:
        check(False, "%s: not JSON: %s %r" % (what, e, out[:200]))
        return None
    check(isinstance(d, dict) and d.get("displayTimeUnit") == "ns" and
          isinstance(d.get("traceEvents"), list) and
          isinstance(d.get("stackFrames"), dict),
          "%s: not trace viewer data: %r" % (what, out[:200]))
    return d


def test_timeline():
    good = data(GOOD)
    for args, why in [(["timeline"], "missing FILE"),
                      (["timeline", good, good], "extra FILE"),
                      (["timeline", "--frobnicate", good], "unknown option"),
                      (["timeline", "-X", good], "unknown short option"),
                      (["timeline", "--format=xml", good], "unknown format"),
                      (["timeline", "--format", "", good], "empty format"),
                      (["timeline", "--view=goroutines", good], "unknown view"),
                      (["timeline", "--clock=utc", good], "unknown clock"),
                      (["timeline", "-o", "", good], "empty -o"),
                      (["timeline", good, "-o"], "-o without OUT"),
                      (["timeline", good, "-o", good], "OUT is FILE")]:
        expect_usage(args, why)
    # A binary Perfetto trace is not written to a terminal.
    try:
        import pty
        master, slave = pty.openpty()
        try:
            r = subprocess.run([GOTRACE, "timeline", "--format=perfetto", good],
                               stdin=subprocess.DEVNULL, stdout=slave,
                               stderr=subprocess.PIPE, timeout=120)
        finally:
            os.close(slave)
            os.close(master)
        check(r.returncode == 2 and r.stderr.startswith(b"gotrace timeline: "),
              "timeline --format=perfetto to a terminal: want a usage error; "
              "got %d %r" % (r.returncode, r.stderr[:200]))
    except (ImportError, OSError):
        pass

    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        # Standard output, -o and standard input give the same bytes.
        rc, want, err = run(["timeline", good])
        check(rc == 0 and err == b"", "timeline: exit %d %r" % (rc, err[:200]))
        d = timeline_json(want, "timeline")
        check(d is not None and any(e.get("ph") == "X" for e in d["traceEvents"]),
              "timeline: no slices")
        out = os.path.join(tmp, "t.json")
        rc, stdout, err = run(["timeline", good, "-o", out])
        check(rc == 0 and stdout == b"" and err == b"" and
              open(out, "rb").read() == want,
              "timeline -o: exit %d %r, want the same bytes as on stdout"
              % (rc, err[:200]))
        with open(good, "rb") as f:
            rc, got, err = run(["timeline", "-"], stdin=f.read())
        check(rc == 0 and got == want, "timeline -: exit %d %r" % (rc, err[:200]))
        for args in (["--view=proc"], ["--format=json"], ["--clock=trace"],
                     ["--output=" + out], ["-j", "1"], ["--no-mmap"]):
            rc, got, err = run(["timeline"] + args + [good])
            if args[0].startswith("--output"):
                got = open(out, "rb").read()
            check(rc == 0 and got == want,
                  "timeline %s: want the default output; got %d %r"
                  % (args, rc, err[:200]))
        for view in ("thread", "goroutine"):
            rc, got, err = run(["timeline", "--view=" + view, good])
            check(rc == 0 and got != want and
                  timeline_json(got, view) is not None,
                  "timeline --view=%s: exit %d %r" % (view, rc, err[:200]))
        # The format follows OUT's name unless --format says.
        for name, fmt, perfetto in [("a.pftrace", None, True),
                                    ("a.perfetto-trace", None, True),
                                    ("a.json", None, False),
                                    ("a.trace", None, False),
                                    ("a.pftrace", "json", False),
                                    ("a.json", "perfetto", True)]:
            path = os.path.join(tmp, name)
            args = ["timeline", good, "-o", path]
            if fmt:
                args.insert(1, "--format=" + fmt)
            rc, stdout, err = run(args)
            blob = open(path, "rb").read() if os.path.exists(path) else b""
            # A Perfetto trace is TracePackets: field 1, length-delimited.
            check(rc == 0 and err == b"" and
                  (blob[:1] == b"\x0a" if perfetto else blob[:1] == b"{"),
                  "%s: want %s; got exit %d %r %r" %
                  (args, "perfetto" if perfetto else "json", rc, err[:200],
                   blob[:20]))
        # The wall clock needs clock snapshots (Go 1.25+): an old trace
        # fails with a message, and leaves no output file.
        old = data("traces/go1.24/annotations.trace")
        path = os.path.join(tmp, "wall.json")
        rc, stdout, err = run(["timeline", "--clock=wall", old, "-o", path])
        check(rc == 1 and stdout == b"" and not os.path.exists(path) and
              err.startswith(("gotrace: %s: --clock=wall" % old).encode()) and
              err.count(b"\n") == 1,
              "timeline --clock=wall on a Go 1.24 trace: exit %d %r"
              % (rc, err[:300]))
        rc, got, err = run(["timeline", "--clock=wall", good])
        d = timeline_json(got, "--clock=wall") if rc == 0 else None
        ts = [e["ts"] for e in d["traceEvents"] if e.get("ph") != "M"] if d else []
        check(rc == 0 and ts and min(ts) > 1.5e15,
              "timeline --clock=wall: want Unix times in microseconds; got "
              "%d %r %r" % (rc, ts[:3], err[:200]))
        # A missing input: the conventional error, and no output file.
        path = os.path.join(tmp, "none.json")
        missing = os.path.join(tmp, "missing.trace")
        rc, stdout, err = run(["timeline", missing, "-o", path])
        check(rc == 1 and not os.path.exists(path) and
              err == ("gotrace: %s: No such file or directory\n" % missing).encode(),
              "timeline on a missing file: %d %r" % (rc, err))
        # Damaged: the timeline, then the error (exit 1). A file is drawn
        # up to its last Sync before the error, as go tool trace draws it;
        # a stream has everything read before the error.
        damaged = [data("traces/truncated/go1.22_syncprims_7747.trace")]
        p = os.path.join(tmp, "cut.trace")
        cut(data(MULTI_GEN), p, 0.8)
        damaged.append(p)
        for path in damaged:
            size = os.path.getsize(path)
            rc, fout, err = run(["timeline", path])
            check_trace_error("timeline " + path, path, rc, err, size)
            check(b"last generation boundary" in err.split(b"\n")[-2],
                  "timeline %s: want a last line on what is drawn; got %r"
                  % (path, err[-200:]))
            fd = timeline_json(fout, "timeline " + path)
            with open(path, "rb") as f:
                rc2, sout, err2 = run(["timeline", "-"], stdin=f.read())
            check_trace_error("timeline - < " + path, "<stdin>", rc2, err2, size)
            check(b"generation boundary" not in err2,
                  "timeline - < %s: a stream is not cut back: %r" % (path, err2))
            sd = timeline_json(sout, "timeline - < " + path)
            if fd is not None and sd is not None:
                n1, n2 = len(fd["traceEvents"]), len(sd["traceEvents"])
                check(n1 <= n2 and (n1 < n2 or path != damaged[0]),
                      "timeline %s: the file's cut (%d events) should not "
                      "hold more than the stream's (%d)" % (path, n1, n2))
        out = os.path.join(tmp, "d.json")
        rc, stdout, err = run(["timeline", damaged[1], "-o", out])
        check(rc == 1 and stdout == b"" and os.path.exists(out) and
              timeline_json(open(out, "rb").read(), "-o damaged") is not None,
              "timeline -o on a damaged trace: want the file and exit 1; "
              "got %d %r" % (rc, err[:200]))
        # A failing output.
        if os.path.exists("/dev/full"):
            with open("/dev/full", "wb") as full:
                rc, _, err = run(["timeline", good], stdout=full)
            check(rc == 1 and err.startswith(b"gotrace: writing standard output: "),
                  "timeline > /dev/full: exit %d %r" % (rc, err[:200]))
            rc, _, err = run(["timeline", good, "-o", "/dev/full"])
            check(rc == 1 and err.startswith(b"gotrace: writing /dev/full: "),
                  "timeline -o /dev/full: exit %d %r" % (rc, err[:200]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_pprof_damaged():
    """gotrace pprof on a damaged trace: a file is profiled up to its last
    Sync before the error, as go tool trace -pprof profiles it (also with
    a filter, whose two passes feed the same cut); standard input is read
    once and profiled up to the error. Either way the profile is written,
    then the error lines, exit status 1."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import compare_pprof

    def contentions(path, what):
        try:
            return sum(vals[0] * n for (vals, _), n in
                       compare_pprof.decode(path)[3].items())
        except (ValueError, KeyError, IndexError, OSError) as e:
            check(False, "%s: cannot decode the profile: %s" % (what, e))
            return None

    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        out = os.path.join(tmp, "p.pb.gz")
        # One generation, stuck before its end: go tool trace keeps only
        # its first event (the Sync) and profiles nothing; the stream has
        # main.main's 39 ns wait.
        stuck = data("traces/synthetic/order_unblock_chain_stuck_40.trace")
        mgen = os.path.join(tmp, "cut.trace")
        cut(data(MULTI_GEN), mgen, 0.8)
        for path, args, file_n, stream_min in (
                (stuck, [], 0, 1),
                (stuck, ["--goroutine=main.main"], 0, 1),
                (mgen, [], None, 0),
                (mgen, ["--region=nothing"], 0, 0)):
            what = "pprof --type=sched %s %s" % (" ".join(args), path)
            size = os.path.getsize(path)
            if os.path.exists(out):
                os.unlink(out)
            rc, _, err = run(["pprof", "--type=sched"] + args + [path, "-o", out])
            check_trace_error(what, path, rc, err, size)
            check(b"last generation boundary" in err.split(b"\n")[-2],
                  "%s: want a last line on what is profiled; got %r"
                  % (what, err[-200:]))
            n_file = contentions(out, what)
            if file_n is not None:
                check(n_file == file_n, "%s: %r contentions, want %d (the cut)"
                      % (what, n_file, file_n))
            if args:
                continue
            with open(path, "rb") as f:
                rc2, sout, err2 = run(["pprof", "--type=sched", "-"],
                                      stdin=f.read(), stdout=subprocess.PIPE)
            check_trace_error(what + " < stdin", "<stdin>", rc2, err2, size)
            check(b"generation boundary" not in err2,
                  "%s: a stream is not cut back: %r" % (what, err2))
            with open(out, "wb") as f:
                f.write(sout)
            n_stream = contentions(out, what + " < stdin")
            check(n_stream is not None and n_file is not None and
                  n_stream >= max(stream_min, n_file) and
                  (n_stream > n_file or stream_min == 0),
                  "%s: the file's cut has %r contentions, the stream's %r"
                  % (what, n_file, n_stream))
        # An undamaged file: no cut, no error, exit 0.
        rc, _, err = run(["pprof", "--type=sched", data(GOOD), "-o", out])
        check(rc == 0 and err == b"", "pprof on a good trace: %d %r" % (rc, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

# A trace damaged after five intact generations (truncated in its sixth).
DAMAGED_MULTI = "traces/truncated/go1.27_generations_17089.trace"
V1 = "traces/go1.21/churn.trace"
PRE_SNAPSHOT = "traces/go1.22/generations.trace"
# Every command that reads a trace takes the range options.
READING = ["dump", "stats"] + ANALYSES + TOP


def one_message(rc, out, err, what, want, code=1):
    """A trace-side refusal: exit 1, nothing on stdout, one line naming
    the input and saying want."""
    lines = err.split(b"\n")
    check(rc == code and out == b"" and len(lines) == 2 and lines[1] == b""
          and lines[0].startswith(b"gotrace: ") and want in lines[0],
          "%s: want exit %d and one line with %r; got %d, stdout %r, %r"
          % (what, code, want, rc, out[:80], err[:300]))


def test_range_options():
    good = data(MULTI_GEN)
    for cmd in READING:
        for v in ["0", "5:3", ":", "x", "1:2:3", "", "-1", "1:x"]:
            expect_usage([cmd, "--gen", v, good], "--gen %r" % v)
        for opt in ("--from", "--to"):
            for v in ["1x", "@-1", "@x", "@", "-1s", "2026-13-01T00:00:00Z",
                      "2026-02-30T00:00:00Z", "2026-01-01T00:00:00",
                      "2026-01-01T25:00:00Z", "2026-01-01T00:00:00+1",
                      "2026-01-01", "soon"]:
                expect_usage([cmd, opt, v, good], "%s %r" % (opt, v))
        expect_usage([cmd, "--gen", "2", "--from", "1ms", good],
                     "--gen with --from")
        expect_usage([cmd, "--to=1ms", "--gen=2", good], "--to with --gen")
        # Found out only from the trace, still the arguments' fault.
        expect_usage([cmd, "--from", "100ms", "--to", "10ms", good],
                     "--from after --to")
    # The same generations, however they are named: generation 3 runs
    # from about 43.8ms to 64.8ms of go1.27/generations (gotrace index).
    rc, want, err = run(["dump", "-j", "1", "--gen", "3:4", good])
    check(rc == 0 and want.startswith(b"M=-1 P=-1 G=-1 Sync ") and err == b"",
          "dump --gen 3:4: exit %d %r" % (rc, err[:200]))
    rc, whole, _ = run(["dump", "-j", "1", good])
    check(0 < len(want) < len(whole), "dump --gen 3:4 prints part of the "
          "trace: %d of %d bytes" % (len(want), len(whole)))
    for args in (["--gen=3:4"], ["--from", "50ms", "--to", "70ms"],
                 ["--from=43.9ms", "--to=85ms"],
                 ["--from", "2026-11-23T01:13:35.02Z",
                  "--to", "2026-11-23T02:13:35.04+01:00"]):
        rc, out, err = run(["dump", "-j", "1"] + args + [good])
        check(rc == 0 and out == want and err == b"",
              "dump %s: want generations 3 and 4; got exit %d, %s, %r"
              % (args, rc, "the same" if out == want else "other output",
                 err[:200]))
    # stats counts the generations read.
    rc, out, err = run(["stats", "--gen", "2:4", good])
    check(rc == 0 and b"\ngenerations: 3\n" in out,
          "stats --gen 2:4: want 3 generations; got %d %r" % (rc, out[-300:]))
    rc, out, err = run(["stats", "--wire", "--gen", "2:4", good])
    rc2, out2, _ = run(["stats", "--wire", good])
    check(rc == 0 and rc2 == 0 and out.startswith(b"wire events: ") and
          int(out.split()[2]) < int(out2.split()[2]),
          "stats --wire --gen 2:4: %d %r (whole: %r)" % (rc, out, out2))
    for cmd in READING[1:]:
        rc, out, err = run([cmd, "--gen", "2:3", good])
        check(rc == 0 and out and err == b"",
              "%s --gen 2:3: exit %d %r" % (cmd, rc, err[:200]))
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        for cmd in (["timeline", "--format=json"], ["pprof", "--type=sched"]):
            out = os.path.join(tmp, "out")
            rc, _, err = run(cmd + ["--gen", "2:3", good, "-o", out])
            check(rc == 0 and err == b"" and os.path.getsize(out) > 0,
                  "%s --gen 2:3: exit %d %r" % (cmd, rc, err[:200]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Refusals that come from the trace or the input: exit 1, one line.
    for cmd in ["dump", "stats", "gc"]:
        rc, out, err = run([cmd, "--gen", "99", good])
        one_message(rc, out, err, "%s --gen 99" % cmd,
                    b"no generation 99 in the trace (its generations: 1 to 7)")
        rc, out, err = run([cmd, "--gen", "2", data(V1)])
        one_message(rc, out, err, "%s --gen 2 on a v1 trace" % cmd,
                    b"has no generations")
        rc, out, err = run([cmd, "--from", "2026-11-23T01:13:35Z",
                            data(PRE_SNAPSHOT)])
        one_message(rc, out, err, "%s --from WALL on a Go 1.22 trace" % cmd,
                    b"no clock snapshots")
        with open(good, "rb") as f:
            rc, out, err = run([cmd, "--gen", "2", "-"], stdin=f.read())
        one_message(rc, out, err, "%s --gen 2 - from a pipe" % cmd,
                    b"not a pipe")
        # Standard input redirected from the file can be seeked.
        with open(good, "rb") as f:
            rc, out, err = run([cmd, "--gen", "3:4", "-"], stdin=f)
        rc2, out2, _ = run([cmd, "--gen", "3:4", good])
        check(rc == 0 and out == out2 and err == b"",
              "%s --gen 3:4 - < file: exit %d, %s" % (cmd, rc,
                                                      "same" if out == out2
                                                      else "differs"))
    rc, out, err = run(["dump", "--wire", "--gen", "2", data(V1)])
    one_message(rc, out, err, "dump --wire --gen 2 on a v1 trace",
                b"has no generations")
    # A damaged trace: generations before the damage read cleanly; a
    # range that runs into it fails as the whole trace does; one after
    # it is not there.
    damaged = data(DAMAGED_MULTI)
    size = os.path.getsize(damaged)
    for cmd in ["dump", "stats"] + ANALYSES:
        rc, out, err = run([cmd, "--gen", "2:5", damaged])
        check(rc == 0 and out and err == b"",
              "%s --gen 2:5 on a trace damaged in generation 6: exit %d %r"
              % (cmd, rc, err[:200]))
        rc, out, err = run([cmd, "--gen", "4:", damaged])
        check_trace_error("%s --gen 4: on a damaged trace" % cmd, damaged,
                          rc, err, size)
        check(len(out) > 0, "%s --gen 4: on a damaged trace: want the "
              "output before the error" % cmd)
    rc, out, err = run(["dump", "--gen", "6", damaged])
    check(rc == 1 and out == b"" and
          b"no generation 6 in the trace (its intact generations: 1 to 5)"
          in err and ERROR_LINE.match(err.split(b"\n")[1]) is not None,
          "dump --gen 6 on a trace damaged in 6: want the intact "
          "generations and the damage; got %d %r" % (rc, err[:300]))


def test_index():
    good = data(MULTI_GEN)
    rc, out, err = run(["index", good])
    lines = out.splitlines()
    check(rc == 0 and err == b"" and len(lines) == 8 and
          lines[0].split()[:5] == [b"GEN", b"OFFSET", b"END", b"BYTES",
                                   b"BATCHES"] and
          b"WALL CLOCK (UTC)" in lines[0] and
          [l.split()[0] for l in lines[1:]] == [b"%d" % i for i in range(1, 8)],
          "index: want a header and generations 1 to 7; got %d %r %r"
          % (rc, out[:300], err[:200]))
    rc, out, err = run(["index", "--json", good])
    recs = [json.loads(l) for l in out.splitlines()] if rc == 0 else []
    keys = ["generation", "serial", "start_offset", "end_offset", "bytes",
            "batches", "event_batches", "start_ns", "first_ns",
            "last_batch_ns", "duration_ns", "frequency", "clock"]
    check(len(recs) == 7 and all(list(r) == keys for r in recs) and
          recs[0]["start_offset"] == 16 and recs[0]["start_ns"] == 0 and
          all(recs[i]["end_offset"] == recs[i + 1]["start_offset"]
              for i in range(6)) and
          recs[-1]["end_offset"] == os.path.getsize(good) and
          list(recs[0]["clock"]) == ["trace_ns", "mono_ns", "wall",
                                     "wall_sec", "wall_nsec"],
          "index --json: %d records %r" % (len(recs), out[:400]))
    rc, out, err = run(["index", "--json", data(PRE_SNAPSHOT)])
    check(rc == 0 and b'"clock"' not in out and out.count(b"\n") == 7,
          "index --json on a Go 1.22 trace: no clock; got %d %r"
          % (rc, out[:300]))
    rc, out, err = run(["index", data(PRE_SNAPSHOT)])
    check(rc == 0 and b"WALL" not in out, "index on a Go 1.22 trace: no "
          "wall clock column: %r" % out[:200])
    rc, out, err = run(["index", "--csv", good])
    check(rc == 0 and out.startswith(b"generation,serial,start_offset,") and
          out.count(b"\n") == 8, "index --csv: %d %r" % (rc, out[:200]))
    # The range options pick rows.
    for args in (["--gen", "3:4"], ["--from", "50ms", "--to", "70ms"]):
        rc, out, err = run(["index", "--json"] + args + [good])
        gens = [json.loads(l)["generation"] for l in out.splitlines()]
        check(rc == 0 and gens == [3, 4], "index %s: %d %r" % (args, rc, gens))
    # stdin, as a pipe too: the index is a scan.
    rc, want, _ = run(["index", good])
    with open(good, "rb") as f:
        rc, out, err = run(["index", "-"], stdin=f.read())
    check(rc == 0 and out == want, "index - from a pipe: %d %r" % (rc, err))
    expect_usage(["index"], "missing FILE")
    expect_usage(["index", good, good], "extra FILE")
    expect_usage(["index", "--json", "--csv", good], "two formats")
    expect_usage(["index", "-j", "1", good], "no reader options")
    rc, out, err = run(["index", data(V1)])
    one_message(rc, out, err, "index on a v1 trace", b"has no generations")
    # A damaged trace: the intact generations, then the error.
    damaged = data(DAMAGED_MULTI)
    rc, out, err = run(["index", damaged])
    check_trace_error("index on a damaged trace", damaged, rc, err,
                      os.path.getsize(damaged))
    check(len(out.splitlines()) == 6, "index on a damaged trace: want its "
          "five intact generations; got %r" % out)
    with open(damaged, "rb") as f:
        rc2, out2, err2 = run(["index", "-"], stdin=f.read())
    check(rc2 == 1 and out2 == out and
          err2.split(b"\n")[1:] == err.split(b"\n")[1:],
          "index: a damaged file and pipe differ: %r vs %r" % (err, err2))
    # Truncated in its first generation: nothing intact.
    first = [p for p in truncated_traces()
             if os.path.basename(p) >= "go1.22"][0]
    rc, out, err = run(["index", first])
    check_trace_error("index on " + first, first, rc, err)
    check(len(out.splitlines()) == 1, "index %s: header only; got %r"
          % (first, out))
    # The lost line is one figure, whichever command prints it: the input
    # less the intact generations (none here: a header alone is nothing,
    # all is lost; docs/api.md "Exit status and messages").
    for path, all_lost in ((first, True), (damaged, False)):
        _, _, err = run(["index", path])
        _, _, err2 = run(["dump", "-v", "--no-progress", path])
        lost = LOST_LINE.match(err.split(b"\n")[1])
        lost2 = [LOST_LINE.match(l) for l in err2.split(b"\n")
                 if LOST_LINE.match(l)]
        check(lost is not None and len(lost2) == 1 and
              lost.group(0) == lost2[0].group(0) and
              (lost.group(1) == lost.group(2)) == all_lost,
              "%s: index and dump -v lose different amounts: %r vs %r"
              % (path, err[:300], err2[-300:]))


def test_cut():
    good = data(MULTI_GEN)
    tmp = tempfile.mkdtemp(prefix="gotrace-cli-")
    try:
        out = os.path.join(tmp, "cut.trace")
        rc, _, err = run(["cut", "--gen", "3:5", good, out])
        check(rc == 0 and err == b"", "cut --gen 3:5: %d %r" % (rc, err))
        rc, idx, err = run(["index", "--json", out])
        recs = [json.loads(l) for l in idx.splitlines()] if rc == 0 else []
        check([r["generation"] for r in recs] == [3, 4, 5] and
              recs[0]["start_offset"] == 16,
              "the cut holds generations 3 to 5 from offset 16: %r" % idx)
        rc, a, _ = run(["dump", "-j", "1", out])
        rc2, b, _ = run(["dump", "-j", "1", "--gen", "3:5", good])
        check(rc == 0 and rc2 == 0 and a == b,
              "dump of the cut and dump --gen 3:5 differ")
        with open(good, "rb") as f:
            whole = f.read()
        with open(out, "rb") as f:
            cut = f.read()
        check(cut[:16] == whole[:16] and cut[16:] in whole,
              "the cut is the header and a run of the trace's bytes")
        # To standard output; from standard input redirected from a file.
        rc, sout, err = run(["cut", "--gen=3:5", good, "-"])
        check(rc == 0 and sout == cut, "cut ... -: %d %r" % (rc, err[:200]))
        with open(good, "rb") as f:
            rc, sout, err = run(["cut", "--gen", "3:5", "-", "-"], stdin=f)
        check(rc == 0 and sout == cut, "cut - - < file: %d %r" % (rc, err[:200]))
        with open(good, "rb") as f:
            rc, sout, err = run(["cut", "--gen", "3:5", "-", "-"],
                                stdin=f.read())
        one_message(rc, sout, err, "cut - from a pipe", b"not a pipe")
        for args in (["--from", "50ms", "--to", "100ms"], ["--gen", "3:5"],
                     ["--to", "@%d" % 0], ["--gen", ":1"]):
            rc, sout, err = run(["cut"] + args + [good, "-"])
            check(rc == 0 and sout.startswith(whole[:16]),
                  "cut %s: %d %r" % (args, rc, err[:200]))
        rc, sout, err = run(["cut", "--gen", "1:", good, "-"])
        check(rc == 0 and sout == whole, "cut --gen 1: is the whole trace")
        # Usage.
        expect_usage(["cut", good, out], "no range")
        expect_usage(["cut", "--gen", "2", good], "no OUT")
        expect_usage(["cut", "--gen", "2"], "no IN")
        expect_usage(["cut", "--gen", "2", good, out, out], "extra operand")
        expect_usage(["cut", "--gen", "2", good, good], "OUT is IN")
        expect_usage(["cut", "--gen", "2", good, ""], "empty OUT")
        expect_usage(["cut", "--gen", "2", "-j", "1", good, out],
                     "no reader options")
        expect_usage(["cut", "--from", "100ms", "--to", "10ms", good, out],
                     "--from after --to")
        rc, sout, err = run(["cut", "--gen", "9", good, out])
        one_message(rc, sout, err, "cut --gen 9", b"no generation 9")
        rc, sout, err = run(["cut", "--gen", "2", data(V1), out])
        one_message(rc, sout, err, "cut of a v1 trace", b"has no generations")
        if os.path.exists("/dev/full"):
            rc, _, err = run(["cut", "--gen", "2:6", good, "/dev/full"])
            check(rc == 1 and err.startswith(b"gotrace: writing /dev/full: "),
                  "cut to /dev/full: %d %r" % (rc, err))
            with open("/dev/full", "wb") as full:
                rc, _, err = run(["cut", "--gen", "2:6", good, "-"],
                                 stdout=full)
            check(rc == 1 and err.startswith(b"gotrace: writing standard "
                                             b"output: "),
                  "cut - > /dev/full: %d %r" % (rc, err))
        rc, sout, err = run(["cut", "--gen", "2", good,
                             os.path.join(tmp, "no", "such", "dir")])
        check(rc == 1 and b"No such file or directory" in err,
              "cut to a missing directory: %d %r" % (rc, err))
        # A damaged trace: its intact generations can be cut (exit 0);
        # an open end writes them, then reports the damage.
        damaged = data(DAMAGED_MULTI)
        rc, sout, err = run(["cut", "--gen", "2:5", damaged, "-"])
        check(rc == 0 and err == b"" and sout.startswith(whole[:16]),
              "cut --gen 2:5 of a trace damaged in 6: %d %r" % (rc, err))
        rc, tail, err = run(["cut", "--gen", "2:", damaged, "-"])
        check_trace_error("cut --gen 2: of a damaged trace", damaged, rc, err,
                          os.path.getsize(damaged))
        check(tail == sout, "cut --gen 2: of a trace damaged in 6: want "
              "generations 2 to 5")
        with open(out, "wb") as f:
            f.write(tail)
        rc, _, err = run(["dump", out])
        check(rc == 0 and err == b"", "the cut of a damaged trace reads "
              "cleanly: %d %r" % (rc, err[:200]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    global GOTRACE, TESTDATA
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    GOTRACE, TESTDATA = os.path.abspath(sys.argv[1]), sys.argv[2]
    tests = [test_help_and_version, test_usage_errors, test_input_errors,
             test_damaged_traces, test_file_and_stdin_agree,
             test_option_spellings, test_write_errors, test_analysis_output,
             test_string_escaping, test_top, test_empty_outputs_and_spellings,
             test_timeline, test_pprof_damaged, test_range_options,
             test_index, test_cut]
    for t in tests:
        before = len(FAILURES)
        t()
        print("%s %s" % ("FAIL" if len(FAILURES) > before else "ok  ",
                         t.__name__))
    for f in FAILURES:
        print("FAIL " + f)
    print("%d checks, %d failed" % (CHECKS, len(FAILURES)))
    return 1 if FAILURES or CHECKS == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
