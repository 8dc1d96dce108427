#!/usr/bin/env python3
"""Checks gotrace's generation ranges against Go 1.27 on cut traces.

usage: compare_cut.py GOTRACE TRACES_DIR

For every reference TRACE.cut.A-B.parsed.xz under TRACES_DIR (made by
testdata/regen.sh --cut-only: Go 1.27's `go tool trace -d=parsed` of
TRACE cut to generations A..B by tests/cut_trace.py, an independent
cutter; .wire.xz likewise with -d=wire), it checks that

  * `gotrace cut --gen A:B TRACE OUT` writes exactly cut_trace.py's bytes
    (to a file and to standard output), and so does the cut by time;
  * `gotrace dump --gen A:B TRACE` prints exactly the reference, with
    -j 1 and -j 2, from a file, a file read with read(2) and standard
    input redirected from the file; `gotrace dump` of the cut file too;
  * `gotrace dump --wire --gen A:B TRACE` prints the -d=wire reference;
  * --from/--to select the same generations: trace-clock times (@NS) at
    the generations' first times, durations since the trace's start in
    their middle, and, for traces with clock snapshots (Go 1.25+), RFC
    3339 wall-clock times in their middle (UTC and with a zone offset);
    open ends (--gen A:, :B, A; --from or --to alone) where they select
    the same generations;
  * for TRACE.cut.A-end (generation A to the end of a damaged file):
    dump --gen A: and --from alone print Go's events and error, and cut
    writes the intact generations from A, then reports the damage;
  * `gotrace index --json TRACE` lists the generations cut_trace.py finds,
    with the same numbers, byte ranges, batch counts and first times.

The times come from the references and the trace bytes, not from
gotrace: a generation's first time is its Sync's Time in Go's dump of a
cut that starts with it (cut_trace.py computes it the same way from the
batch headers, and that is checked against Go's for every A), and its
wall clock is Go's Trace= and Wall= of its Sync. Exit status, stdout and
stderr must agree as in compare_refs.py.
"""
import lzma
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cut_trace  # noqa: E402

REF = re.compile(r"^(.*\.trace)\.cut\.(\d+)-(\d+|end)\.parsed\.xz$")
SYNC = re.compile(rb"^M=-1 P=-1 G=-1 Sync Time=(\d+) N=\d+"
                  rb"(?: Trace=(\d+) Mono=\d+ Wall=(\S+))?")


def read_status(path):
    with open(path, "rb") as f:
        text = f.read()
    first, _, rest = text.partition(b"\n")
    return int(first[5:]), rest


def first_difference(want, got):
    wl, gl = want.split(b"\n"), got.split(b"\n")
    for i in range(max(len(wl), len(gl))):
        a = wl[i] if i < len(wl) else b"<end of output>"
        b = gl[i] if i < len(gl) else b"<end of output>"
        if a != b:
            return "line %d:\n      want: %r\n      got:  %r" % (i + 1, a[:200], b[:200])
    return None


def parse_wall(s):
    """Go's RFC 3339 (UTC, up to 9 fraction digits) as Unix ns."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$", s)
    if m is None:
        raise ValueError("unexpected wall time %r" % s)
    y, mo, d, h, mi, sec = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")[:9]
    days = days_from_civil(y, mo, d)
    return ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000000000 + int(frac))


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def format_wall(ns, offset_min=0):
    """Unix ns as RFC 3339 with nanoseconds, in a zone offset_min east."""
    sec, nsec = divmod(ns, 1000000000)
    local = sec + offset_min * 60
    tm = time.gmtime(local)
    zone = "Z"
    if offset_min:
        sign = "+" if offset_min > 0 else "-"
        zone = "%s%02d:%02d" % (sign, abs(offset_min) // 60, abs(offset_min) % 60)
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + ".%09d" % nsec + zone


def duration(ns):
    """ns in one of Go's spellings, varied so that units get exercised."""
    if ns % 1000000 == 0:
        return "%dms" % (ns // 1000000)
    if ns > 1000000:
        return "%d.%06dms" % divmod(ns, 1000000)
    return "%dns" % ns


class Checker:
    def __init__(self, gotrace, workdir):
        self.gotrace = gotrace
        self.workdir = workdir
        self.problems = []
        self.runs = 0

    def run(self, args, stdin=None):
        self.runs += 1
        kw = {"capture_output": True, "timeout": 120}
        if stdin is not None:
            with open(stdin, "rb") as f:
                return subprocess.run([self.gotrace] + args, stdin=f, **kw)
        return subprocess.run([self.gotrace] + args,
                              stdin=subprocess.DEVNULL, **kw)

    def expect(self, what, args, want, want_exit, want_err, stdin=None):
        r = self.run(args, stdin)
        diff = first_difference(want, r.stdout)
        bad = []
        if diff is not None:
            bad.append("stdout differs at " + diff)
        if (want_exit == 0) != (r.returncode == 0):
            bad.append("exit status: want %d, got %d" % (want_exit, r.returncode))
        if want_exit == 0 and r.stderr != b"":
            bad.append("stderr: %r" % r.stderr[:300])
        if want_exit != 0 and r.stderr.split(b"\n", 1)[0] != want_err.split(b"\n", 1)[0]:
            bad.append("stderr: want %r, got %r" % (want_err[:200], r.stderr[:200]))
        if bad:
            self.problems.append("%s (gotrace %s):\n    %s"
                                 % (what, " ".join(args), "\n    ".join(bad)))
        return r


def check_index(c, trace, gens):
    r = c.run(["index", "--json", trace])
    try:
        got = [__import__("json").loads(l) for l in r.stdout.splitlines()]
    except ValueError as e:
        c.problems.append("index --json %s: not JSON Lines: %s" % (trace, e))
        return
    want = [(g.gen, g.start, g.end, g.batches, g.first_ns()) for g in gens]
    have = [(o.get("generation"), o.get("start_offset"), o.get("end_offset"),
             o.get("batches"), o.get("first_ns")) for o in got]
    if have != want:
        c.problems.append("index --json %s: want (generation, start_offset, "
                          "end_offset, batches, first_ns) %r, got %r"
                          % (trace, want, have))
    serials = [o.get("serial") for o in got]
    if serials != list(range(1, len(got) + 1)):
        c.problems.append("index --json %s: serials %r" % (trace, serials))


def check_cut(c, trace, a, b, gens, whole_ok):
    rel = "%s %d-%d" % (os.path.basename(trace), a, b)
    base = "%s.cut.%d-%d" % (trace, a, b)
    with open(base + ".parsed.xz", "rb") as f:
        want = lzma.decompress(f.read())
    want_exit, want_err = read_status(base + ".parsed.status")
    nums = [g.gen for g in gens]
    if a not in nums or b not in nums:
        c.problems.append("%s: generations %d and %d not both in %r (by "
                          "cut_trace.py)" % (rel, a, b, nums))
        return
    ia, ib = nums.index(a), nums.index(b)
    gen = "%d:%d" % (a, b)

    # The cut's bytes.
    with open(trace, "rb") as f:
        blob = f.read()
    cut_bytes = cut_trace.cut(blob, a, b)
    r = c.run(["cut", "--gen", gen, trace, "-"])
    if r.returncode != 0 or r.stdout != cut_bytes or r.stderr != b"":
        c.problems.append("%s: gotrace cut --gen %s to stdout: exit %d, %d "
                          "bytes (want %d, %s), stderr %r"
                          % (rel, gen, r.returncode, len(r.stdout),
                             len(cut_bytes), "same" if r.stdout == cut_bytes
                             else "different", r.stderr[:200]))
    out = os.path.join(c.workdir, "cut.trace")
    if os.path.exists(out):
        os.unlink(out)
    r = c.run(["cut", "--no-mmap", "--gen=" + gen, trace, out])
    got = open(out, "rb").read() if os.path.exists(out) else None
    if r.returncode != 0 or got != cut_bytes:
        c.problems.append("%s: gotrace cut --gen=%s to a file: exit %d, %s"
                          % (rel, gen, r.returncode,
                             "no file" if got is None else
                             "same bytes" if got == cut_bytes else
                             "different bytes"))

    # The dump of the range, and of the cut file.
    for args in (["-j", "1"], ["-j", "2"], ["-j", "4"], ["-j", "1", "--no-mmap"]):
        c.expect(rel, ["dump", "--go-errors"] + args + ["--gen", gen, trace],
                 want, want_exit, want_err)
    c.expect(rel + " (stdin from the file)",
             ["dump", "--go-errors", "--gen", gen, "-"], want, want_exit,
             want_err, stdin=trace)
    if got is not None:
        c.expect(rel + " (the cut file)", ["dump", "--go-errors", out], want,
                 want_exit, want_err)
    if os.path.exists(base + ".wire.xz"):
        with open(base + ".wire.xz", "rb") as f:
            wire = lzma.decompress(f.read())
        wexit, werr = read_status(base + ".wire.status")
        c.expect(rel + " (wire)", ["dump", "--go-errors", "--wire", "--gen",
                                   gen, trace], wire, wexit, werr)

    # Times. Go's Sync lines of the cut: a generation's first time is
    # that of the first, and each carries its generation's clock
    # snapshot.
    syncs = [SYNC.match(l) for l in want.split(b"\n")
             if l.startswith(b"M=-1 P=-1 G=-1 Sync ")]
    syncs = [m for m in syncs if m is not None]
    if len(syncs) < b - a + 1 and want_exit == 0:
        c.problems.append("%s: the reference has %d Syncs" % (rel, len(syncs)))
        return
    t_a = gens[ia].first_ns()
    if syncs and int(syncs[0].group(1)) != t_a:
        c.problems.append("%s: cut_trace.py's first time of generation %d, "
                          "%r, is not Go's Sync Time %s"
                          % (rel, a, t_a, syncs[0].group(1).decode()))
        return
    t_b = gens[ib].first_ns()
    start = gens[0].first_ns()

    def middle(i):
        t = gens[i].first_ns()
        if i + 1 < len(gens):
            return (t + gens[i + 1].first_ns()) // 2
        return t + 1000

    variants = [
        (["--from", "@%d" % t_a, "--to", "@%d" % t_b], "trace clock, first times"),
        (["--from=@%d" % (middle(ia)), "--to=@%d" % (middle(ib))], "trace clock, middles"),
        (["--from", duration(middle(ia) - start), "--to",
          str(middle(ib) - start)], "since the start"),
    ]
    if syncs[0].group(3) is not None and len(syncs) >= b - a + 1:
        def wall(k, t):
            m = syncs[k]
            return parse_wall(m.group(3).decode()) + (t - int(m.group(2)))
        wa, wb = wall(0, middle(ia)), wall(b - a, middle(ib))
        variants.append((["--from", format_wall(wa), "--to", format_wall(wb)],
                         "wall clock"))
        variants.append((["--from", format_wall(wa, 120), "--to",
                          format_wall(wb, -330)], "wall clock, zone offsets"))
    if ia == 0:
        variants.append((["--gen", ":%d" % b], "open start"))
        variants.append((["--to", "@%d" % t_b], "--to alone"))
    if ib == len(gens) - 1 and whole_ok:
        variants.append((["--gen", "%d:" % a], "open end"))
        variants.append((["--from", "@%d" % t_a], "--from alone"))
    if a == b:
        variants.append((["--gen", str(a)], "one generation"))
    for args, what in variants:
        c.expect("%s (%s)" % (rel, what), ["dump", "--go-errors"] + args +
                 [trace], want, want_exit, want_err)
    args = variants[2][0]
    r = c.run(["cut"] + args + [trace, "-"])
    if r.returncode != 0 or r.stdout != cut_bytes:
        c.problems.append("%s: gotrace cut %s: exit %d, %s bytes"
                          % (rel, " ".join(args), r.returncode,
                             "the same" if r.stdout == cut_bytes else "other"))


ERROR_LINE = re.compile(rb"^gotrace: (.*): offset (\d+): (.*)$")


def check_cut_to_end(c, trace, a, gens):
    """A-end: generation A and everything after it, a damaged tail
    included: --gen A: and --from alone read on into the damage and fail
    as Go fails on the cut; cut writes the intact generations from A,
    then reports the damage."""
    rel = "%s %d-end" % (os.path.basename(trace), a)
    base = "%s.cut.%d-end" % (trace, a)
    with open(base + ".parsed.xz", "rb") as f:
        want = lzma.decompress(f.read())
    want_exit, want_err = read_status(base + ".parsed.status")
    nums = [g.gen for g in gens]
    if a not in nums:
        c.problems.append("%s: generation %d not in %r (by cut_trace.py)"
                          % (rel, a, nums))
        return
    gen = "%d:" % a
    for args in (["-j", "1"], ["-j", "2"], ["-j", "4"]):
        c.expect(rel, ["dump", "--go-errors"] + args + ["--gen", gen, trace],
                 want, want_exit, want_err)
    c.expect(rel + " (--from alone)", ["dump", "--go-errors", "--from",
                                        "@%d" % gens[nums.index(a)].first_ns(),
                                        trace], want, want_exit, want_err)
    c.expect(rel + " (stdin from the file)",
             ["dump", "--go-errors", "--gen", gen, "-"], want, want_exit,
             want_err, stdin=trace)
    if os.path.exists(base + ".wire.xz"):
        with open(base + ".wire.xz", "rb") as f:
            wire = lzma.decompress(f.read())
        wexit, werr = read_status(base + ".wire.status")
        c.expect(rel + " (wire)", ["dump", "--go-errors", "--wire", "--gen",
                                   gen, trace], wire, wexit, werr)
    # Without --go-errors: the error line names the file, with Go's
    # message.
    r = c.run(["dump", "--gen", gen, trace])
    m = ERROR_LINE.match(r.stderr.split(b"\n", 1)[0])
    if want_exit != 0 and (m is None or m.group(1) != trace.encode() or
                           m.group(3) != want_err.split(b"\n", 1)[0]):
        c.problems.append("%s: dump --gen %s: want 'gotrace: %s: offset N: "
                          "%r', got %r" % (rel, gen, trace,
                                           want_err.split(b"\n", 1)[0],
                                           r.stderr[:300]))
    with open(trace, "rb") as f:
        intact = cut_trace.cut(f.read(), a, gens[-1].gen)
    r = c.run(["cut", "--gen", gen, trace, "-"])
    m = ERROR_LINE.match(r.stderr.split(b"\n", 1)[0])
    if r.stdout != intact or r.returncode != 1 or m is None:
        c.problems.append("%s: cut --gen %s: want the intact generations %d "
                          "to %d (%d bytes), exit 1 and the error line; got "
                          "%d bytes (%s), exit %d, %r"
                          % (rel, gen, a, gens[-1].gen, len(intact),
                             len(r.stdout), "same" if r.stdout == intact
                             else "different", r.returncode, r.stderr[:300]))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    gotrace, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    refs = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            m = REF.match(name)
            if m:
                refs.append((os.path.join(dirpath, m.group(1)),
                             int(m.group(2)), None if m.group(3) == "end"
                             else int(m.group(3))))
    refs.sort(key=lambda r: (r[0], r[1], -1 if r[2] is None else r[2]))
    with tempfile.TemporaryDirectory(prefix="gotrace-cut-") as workdir:
        c = Checker(gotrace, workdir)
        indexed = {}
        failed = 0
        for trace, a, b in refs:
            before = len(c.problems)
            if trace not in indexed:
                with open(trace, "rb") as f:
                    indexed[trace] = cut_trace.generations(f.read())
                check_index(c, trace, indexed[trace])
            whole_exit, _ = read_status(trace + ".parsed.status")
            if b is None:
                check_cut_to_end(c, trace, a, indexed[trace])
            else:
                check_cut(c, trace, a, b, indexed[trace], whole_exit == 0)
            if len(c.problems) > before:
                failed += 1
                print("FAIL %s %d-%s" % (os.path.relpath(trace, root), a,
                                         "end" if b is None else b))
                for p in c.problems[before:]:
                    print("  " + p)
    print("%d cuts of %d traces compared (%d runs of gotrace)"
          % (len(refs), len(indexed), c.runs))
    print("%d passed, %d failed" % (len(refs) - failed, failed))
    if not refs:
        print("no cut references found under %s" % root)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
