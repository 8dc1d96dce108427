"""Reference counting and memory: nothing the package makes or is given
outlives its use. A leak in the extension shows as a reference count that
does not come back, as Python memory that grows (tracemalloc), or as C
memory and mappings that grow (the resident set) over many opens."""
import gc
import io
import sys
import tracemalloc

import gotrace
from conftest import needs_testdata, trace

PATH = "go1.27/annotations.trace"
DAMAGED = "truncated/go1.27_generations_17089.trace"
GENS = "go1.27/generations.trace"


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def one_round(data, path, damaged):
    """Everything once: paths, bytes, file objects, errors, seeks, columns,
    DataFrames, state queries, index."""
    with gotrace.open(path) as r:
        for ev in r:
            ev.kind, ev.time, ev.stack, ev.reason, ev.name
        r.goroutines(), r.procs(), r.threads(), r.goroutine(1)
    with gotrace.open(data, threads=1) as r:
        events = list(r)
    for ev in events:
        ev.stack, ev.transition_stack, ev.attrs, ev.args, ev.clock
    try:
        for _ in gotrace.open(damaged):
            pass
    except gotrace.TraceError as e:
        e.offset, e.go_message
    with gotrace.open(io.BytesIO(data)) as r:
        next(r)
    with gotrace.open(trace(GENS)) as r:
        r.index()
        r.seek_generation(3)
        r.set_stop(4)
        list(r)
        r.seek_time("10ms")
        next(r)
    for b in gotrace.read_columns(path, batch_size=100):
        b["time"]
    try:
        for b in gotrace.read_columns(damaged, batch_size=500):
            pass
    except gotrace.TraceError:
        pass
    try:
        gotrace.open(b"not a trace")
    except gotrace.TraceError:
        pass
    try:
        gotrace.open(path, gen="1:x")
    except ValueError:
        pass
    gotrace.read_dataframe(path, ["time", "kind", "reason"])


@needs_testdata
def test_no_leak_over_many_opens():
    path, damaged = trace(PATH), trace(DAMAGED)
    with open(path, "rb") as f:
        data = f.read()
    # Warm up: the interpreter's and numpy's caches fill over the first
    # rounds (a few dozen small objects, then no more).
    for _ in range(30):
        one_round(data, path, damaged)
    gc.collect()
    # 200 rounds: Python objects (pymalloc's blocks) and the resident set
    # (C memory, mappings, threads) must come back.
    rss0 = rss_bytes()
    blocks0 = sys.getallocatedblocks()
    for _ in range(200):
        one_round(data, path, damaged)
    gc.collect()
    # An Event left behind per event would be 200 x 3000 blocks, a string
    # or tuple per round 200; caches still filling leave a few hundred.
    assert sys.getallocatedblocks() - blocks0 < 1000
    # A reader, mapping or table left behind per round would be hundreds
    # of KB each; 200 rounds of them, tens of MB.
    assert rss_bytes() - rss0 < 16 * 1024 * 1024
    # Fewer rounds under tracemalloc (which slows every allocation): all
    # Python memory, large blocks (arrays, buffers) included.
    tracemalloc.start()
    try:
        snap0 = tracemalloc.take_snapshot()
        for _ in range(25):
            one_round(data, path, damaged)
        gc.collect()
        snap1 = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(s.size_diff for s in snap1.compare_to(snap0, "filename"))
    # Bounded caches leave a few KB; a leaked Event, frame or string per
    # event would be hundreds of KB, an array per round tens.
    assert grown < 16 * 1024, snap1.compare_to(snap0, "lineno")[:10]


@needs_testdata
def test_reference_counts():
    path = trace(PATH)
    with open(path, "rb") as f:
        data = f.read()
    kind_name = gotrace.KINDS[13]
    n_data = sys.getrefcount(data)
    n_path = sys.getrefcount(path)
    n_kind = sys.getrefcount(kind_name)
    n_err = sys.getrefcount(gotrace.TraceError)
    n_none = sys.getrefcount(None)
    for _ in range(20):
        with gotrace.open(data) as r:
            events = list(r)
        with gotrace.open(path) as r:
            for ev in r:
                ev.kind, ev.resource, ev.from_state, ev.stack
        try:
            gotrace.open(b"junk")
        except gotrace.TraceError:
            pass
        cols = gotrace.read_columns(data)
        list(cols)
        cols.close()
    # The events hold no reference to their reader, each other or the
    # source: one reference each, ours.
    counts = [sys.getrefcount(events[i]) for i in range(100)]
    assert counts == [2] * 100
    stacks = [ev.stack for ev in events if ev.stack is not None]
    assert stacks
    del events, ev, r, cols, stacks
    gc.collect()
    assert sys.getrefcount(data) == n_data
    assert sys.getrefcount(path) == n_path
    assert sys.getrefcount(kind_name) == n_kind
    # (One more may be the last exception's, still referenced from a
    # frame; a leak per raise would be 20.)
    assert sys.getrefcount(gotrace.TraceError) - n_err <= 1
    # None is handed out for every absent field: the count must come back.
    assert abs(sys.getrefcount(None) - n_none) < 50


@needs_testdata
def test_events_outlive_reader_and_source():
    data = bytearray(open(trace(PATH), "rb").read())
    r = gotrace.open(data)
    events = list(r)
    del r
    data[:] = b"\0" * len(data)   # the reader copied what it needed
    del data
    gc.collect()
    frames = [f for ev in events if ev.stack for f in ev.stack]
    assert frames and all(f.function and f.line > 0 for f in frames)
    assert any(ev.type for ev in events if ev.kind == "TaskBegin")
