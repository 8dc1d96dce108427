#!/usr/bin/env python3
"""An independent cutter of v2 Go execution traces, for the references of
`gotrace cut` and `gotrace dump --gen` (testdata/regen.sh, compare_cut.py).

usage: cut_trace.py --list FILE          the trace's generations, one a line:
                                         "GEN START END BATCHES FIRST_NS"
       cut_trace.py FILE A B OUT         writes the header and the bytes of
                                         generations A to B (numbers as on the
                                         wire, inclusive) to OUT (- = stdout);
                                         B "end": A and everything after it,
                                         to the end of the file (a damaged
                                         tail included)

It shares no code with gotrace: it walks the batch headers itself, as Go
1.27's internal/trace reads them (batch.go, readBatch): a batch is the
byte EventBatch (1) or ExperimentalBatch (49, then one experiment byte),
then the uvarints generation, M, timestamp and size, then size bytes of
payload; from the go 1.26 format on, a lone byte EndOfGeneration (52)
closes each generation and belongs to its bytes (BATCHES does not count
it). A generation is the run of
batches with its number. Listed are only the generations whose bytes end
cleanly: closed by EndOfGeneration (go 1.26 format), or followed by a
whole batch header of another generation or by the end of the file
(older formats). The walk stops at the first batch it cannot read.

FIRST_NS is the generation's first time as Go computes its Sync event's
(before the reader keeps times increasing): the smallest timestamp of
its batches, in ns with the frequency of its frequency (or, from go 1.25,
sync) batch, multiplied in float64 and truncated.
"""
import re
import sys

EV_EVENT_BATCH = 1
EV_FREQUENCY = 8
EV_EXPERIMENTAL_BATCH = 49
EV_SYNC = 50
EV_END_OF_GENERATION = 52
MAX_BATCH_SIZE = 64 << 10


def uvarint(b, i):
    v = shift = 0
    while True:
        if i >= len(b) or shift > 63:
            return None, i
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        if c < 0x80:
            return v, i
        shift += 7


def header(b):
    m = re.match(rb"go 1\.(\d+) trace\x00\x00\x00", b[:16])
    if m is None:
        raise ValueError("not a Go execution trace")
    minor = int(m.group(1))
    if minor < 22:
        raise ValueError("go 1.%d trace: not the v2 format" % minor)
    return minor, 16


def frequency(payload, minor):
    """Ticks per second from a sync batch's payload, or None if the batch
    is not one (a lone Frequency event before go 1.25, a Sync batch with
    Frequency and ClockSnapshot events from go 1.25)."""
    if not payload:
        return None
    if minor < 25:
        if payload[0] != EV_FREQUENCY:
            return None
        return uvarint(payload, 1)[0]
    if payload[0] != EV_SYNC:
        return None
    i = 1
    while i < len(payload):
        ev = payload[i]
        i += 1
        if ev == EV_FREQUENCY:
            return uvarint(payload, i)[0]
        for _ in range(4):  # ClockSnapshot: time, mono, sec, nsec
            v, i = uvarint(payload, i)
            if v is None:
                return None
    return None


class Generation:
    def __init__(self, gen, start):
        self.gen = gen
        self.start = start
        self.end = start
        self.batches = 0
        self.min_ts = 0
        self.freq = None

    def first_ns(self):
        if not self.freq:
            return None
        return int(float(self.min_ts) * (1.0 / (self.freq / 1e9)))


def generations(b):
    """The generations (Generation) that end cleanly, in file order."""
    minor, i = header(b)
    marker = minor >= 26
    out = []
    cur = None  # the generation being read
    while i < len(b):
        start = i
        typ = b[i]
        if marker and typ == EV_END_OF_GENERATION:
            if cur is None:
                break
            cur.end = i + 1
            out.append(cur)
            cur = None
            i += 1
            continue
        if typ not in (EV_EVENT_BATCH, EV_EXPERIMENTAL_BATCH):
            break
        i += 1
        exp = typ == EV_EXPERIMENTAL_BATCH
        if exp:
            if i >= len(b):
                break
            i += 1
        gen, i = uvarint(b, i)
        if gen is None:
            break
        fields = []
        for _ in range(3):  # M, timestamp, size
            v, i = uvarint(b, i)
            if v is None:
                break
            fields.append(v)
        if len(fields) < 3 or fields[2] > MAX_BATCH_SIZE:
            break
        if cur is not None and gen != cur.gen:
            if marker:
                break  # interleaved or unterminated: not clean
            out.append(cur)
            cur = None
        end = i + fields[2]
        if end > len(b):
            break
        if cur is None:
            cur = Generation(gen, start)
        cur.end = end
        cur.batches += 1
        # As Go's minTs: every batch counts, and a zero is replaced.
        if cur.min_ts == 0 or fields[1] < cur.min_ts:
            cur.min_ts = fields[1]
        if not exp and cur.freq is None:
            cur.freq = frequency(b[i:end], minor)
        i = end
    else:
        if cur is not None and not marker:
            out.append(cur)
    return out


def cut(b, first, last):
    """The header and the bytes of generations first..last (numbers; last
    None: to the end of the file)."""
    gens = generations(b)
    nums = [g.gen for g in gens]
    if first not in nums or (last is not None and last not in nums):
        raise ValueError("generation %s or %s not in the trace (%s)"
                         % (first, last, nums))
    a = nums.index(first)
    z = nums.index(last) if last is not None else None
    if z is not None and a > z:
        raise ValueError("generation %d comes after %d" % (first, last))
    _, hsize = header(b)
    end = gens[z].end if z is not None else len(b)
    return b[:hsize] + b[gens[a].start:end]


def main(argv):
    if len(argv) == 3 and argv[1] == "--list":
        with open(argv[2], "rb") as f:
            b = f.read()
        for g in generations(b):
            print("%d %d %d %d %s" % (g.gen, g.start, g.end, g.batches,
                                      g.first_ns()))
        return 0
    if len(argv) == 5:
        with open(argv[1], "rb") as f:
            b = f.read()
        data = cut(b, int(argv[2]),
                   None if argv[3] == "end" else int(argv[3]))
        if argv[4] == "-":
            sys.stdout.buffer.write(data)
        else:
            with open(argv[4], "wb") as f:
                f.write(data)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
