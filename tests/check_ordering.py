#!/usr/bin/env python3
"""Checks that parking orders events exactly as Go's retry loop does.

usage: check_ordering.py GOTRACE GEN_SYNTHETIC TRACES_DIR WORK_DIR

The reference suites compare the default ordering with Go's output, and the
committed chain traces (synthetic/order_*_chain_40) show parking and Go
agree where the retry loop does most work. This adds inputs too large or
too many to commit, comparing our two orderings (GOTRACE_ORDERING_EXACT is
Go's loop, checked against Go by the reference suites):

* clock skew: every v2 trace recorded from a real program, with each
  thread's batch timestamps shifted by its own amount, so events arrive
  out of order across threads and the ordering must retry constantly;
* chains of 300 threads (exact and parking must agree) and of 20000
  threads (the default must agree with parking; Go's loop would retry
  200 million times, parking does not).

It also checks when the default switches to parking (`parked
generations` in `gotrace stats`): never on a recorded trace, skewed or
not, and always on the accepted 20000-thread chains.

Shifts are multiples of 1024 ticks plus a thread-specific odd number, so
two threads' events never share a timestamp (on ties the two orderings
may legitimately differ).
"""
import os
import subprocess
import sys

EVENT_BATCH, EXPERIMENTAL_BATCH, END_OF_GENERATION = 1, 49, 52
TABLE_KINDS = set(range(2, 9)) | {50, 51}


def uvarint(data, pos):
    value = shift = 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def put_uvarint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def skew(data, scale):
    """Returns data with each thread's event batches shifted in time."""
    out = bytearray(data[:16])
    pos = 16
    while pos < len(data):
        kind = data[pos]
        if kind == END_OF_GENERATION:
            out.append(kind)
            pos += 1
            continue
        start = pos
        pos += 2 if kind == EXPERIMENTAL_BATCH else 1
        gen, pos = uvarint(data, pos)
        m, pos = uvarint(data, pos)
        time_at = pos
        ts, pos = uvarint(data, pos)
        size, pos = uvarint(data, pos)
        payload = data[pos:pos + size]
        if kind == EVENT_BATCH and payload and payload[0] not in TABLE_KINDS:
            shift = ((m * 2654435761) % 17) * scale * 1024 + (m % 509) * 2 + 1
            out += data[start:time_at] + put_uvarint(ts + shift)
            out += put_uvarint(size) + payload
        else:
            out += data[start:pos + size]
        pos += size
    return bytes(out)


def dump(gotrace, ordering, path):
    run = subprocess.run([gotrace, "dump", "--ordering", ordering, path],
                         capture_output=True, timeout=600)
    return run.returncode, run.stdout, run.stderr.split(b"\n", 1)[0]


def parked(gotrace, path):
    """The default ordering's parked generations, or None if it failed."""
    run = subprocess.run([gotrace, "stats", path], capture_output=True,
                         timeout=600)
    for line in run.stdout.split(b"\n"):
        if line.startswith(b"parked generations: "):
            return int(line.split(b": ")[1])
    return None


def compare(gotrace, a, b, path, problems):
    ra, rb = dump(gotrace, a, path), dump(gotrace, b, path)
    if ra != rb:
        problems.append("%s: --ordering %s and %s differ (exit %d vs %d, "
                        "stderr %r vs %r)" % (path, a, b, ra[0], rb[0],
                                              ra[2], rb[2]))
    return ra


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    gotrace, gen, traces, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    problems = []
    checked = accepted = 0

    for dirpath, _, files in sorted(os.walk(traces)):
        if "synthetic" in dirpath or "truncated" in dirpath:
            continue
        for name in sorted(files):
            if not name.endswith(".trace"):
                continue
            path = os.path.join(dirpath, name)
            if parked(gotrace, path) not in (0, None):
                problems.append("%s: the default ordering parked" % path)
            with open(path, "rb") as f:
                data = f.read()
            if not data.startswith(b"go 1.2") or data[5:7] < b"22":
                continue                     # v1: no per-thread batches
            for scale in (1, 64):
                out = os.path.join(work, "skew%d_%s_%s" % (
                    scale, os.path.basename(dirpath), name))
                with open(out, "wb") as f:
                    f.write(skew(data, scale))
                rc = compare(gotrace, "exact", "parking", out, problems)
                if parked(gotrace, out) not in (0, None):
                    problems.append("%s: the default ordering parked" % out)
                checked += 1
                accepted += rc[0] == 0

    for n in (300, 20000):
        d = os.path.join(work, "chains%d" % n)
        os.makedirs(d, exist_ok=True)
        subprocess.run([gen, "--chains", str(n), d], check=True)
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            rc = compare(gotrace, "exact" if n == 300 else "auto", "parking",
                         path, problems)
            if (n == 20000 and "chain" in name and rc[0] == 0 and
                    parked(gotrace, path) != 1):
                problems.append("%s: the default ordering did not park" % path)
            checked += 1

    for p in problems:
        print(p)
    print("%d traces checked (%d skewed traces accepted), %d problems" %
          (checked, accepted, len(problems)))
    # A skew that makes every trace invalid would test little.
    if accepted == 0:
        print("no skewed trace was accepted")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
