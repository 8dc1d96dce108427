"""gotrace.open and its Event objects against Go's own output.

Every trace in testdata/ with a `go tool trace -d=parsed` reference (Go
1.27's, written by testdata/regen.sh) is read through the package, each
Event printed in Go's format (bytes(ev): gotrace/_format.py, from its
attributes), and the whole compared byte for byte with Go's output: kinds,
times, G/P/M, stacks, transitions, ranges, tasks, regions, logs, metrics,
labels, sync clocks, experimental events. Damaged traces must deliver exactly the
events Go delivers, then raise TraceError with Go's message, at the
offset the CLI reports.
"""
import re

import pytest

import gotrace
from conftest import cli, needs_cli, needs_testdata, reference, \
    reference_traces, status, trace


def go_line(ev):
    """The event as `go tool trace -d=parsed` prints it: bytes(ev), the
    package's Event.String(), and a newline."""
    return bytes(ev) + b"\n"


REFERENCES = reference_traces()


def read_go_strings(path, **kw):
    """(the events as Go prints them, the TraceError or None, whether the
    read stopped where Go's Event.String() panics)."""
    out = []
    err = None
    panicked = False
    try:
        with gotrace.open(path, **kw) as r:
            events = []
            for ev in r:
                events.append(ev)
    except gotrace.TraceError as e:
        err = e
    else:
        events_done = True  # noqa: F841
    # Printed after the reader is closed: events own their data.
    for ev in locals().get("events", []):
        if ev.kind == "Sync" and ev.unnamed_experiment:
            panicked = True
            break
        out.append(go_line(ev))
    return b"".join(out), err, panicked


def first_difference(want, got):
    wl, gl = want.split(b"\n"), got.split(b"\n")
    for i in range(max(len(wl), len(gl))):
        a = wl[i] if i < len(wl) else b"<end>"
        b = gl[i] if i < len(gl) else b"<end>"
        if a != b:
            return "line %d:\n  go:  %r\n  got: %r" % (i + 1, a, b)
    return None


@needs_testdata
@pytest.mark.parametrize("name", REFERENCES)
def test_events_equal_go(name):
    want, status, stderr = reference(name)
    try:
        got, err, panicked = read_go_strings(trace(name), threads=1)
    except gotrace.TraceError as e:
        # Refused at open (a bad header): Go prints nothing.
        got, err, panicked = b"", e, False
    assert got == want, first_difference(want, got)
    if status == 0:
        assert err is None and not panicked
    elif panicked:
        # Go's Event.String() panics on a Sync with an unnamed experiment.
        assert status == 2 and err is None
    elif stderr.startswith(b"panic: "):
        # Go's printer panics on a value its tables lack; the reader fails
        # with the panic's message instead.
        assert status == 2 and err is not None
        want_msg = stderr[len(b"panic: "):].split(b"\n", 1)[0]
        assert err.go_message.split("\n")[0].encode() == want_msg
    else:
        assert status == 1 and err is not None, "Go failed: %r" % stderr
        go = stderr.decode("utf-8", "surrogateescape")
        # Go's tool prints its message and a newline.
        mine = err.go_message + "\n"
        if go.startswith("broken trace: failed to advance"):
            # Go prints the rest of its state dump in random order.
            go, mine = go.split("\n")[0], mine.split("\n")[0]
        assert mine == go


DAMAGED = [n for n in REFERENCES if status(n)[0] == 1]


@needs_cli
@pytest.mark.parametrize("name", DAMAGED)
def test_error_offset_is_the_clis(name):
    _, err, _ = read_go_strings(trace(name), threads=2)
    assert err is not None
    status, _, stderr = cli("dump", "--no-progress", trace(name), check=False)
    assert status == 1
    m = re.match(rb"gotrace: .*?: offset (\d+): ", stderr)
    assert m, stderr
    assert err.offset == int(m.group(1))
    assert str(err).startswith("offset %d: " % err.offset)
    assert isinstance(err.code, int) and err.code < 0
    assert err.message
    assert err.valid_bytes <= err.offset
    assert isinstance(err, Exception)


@needs_testdata
def test_error_after_the_events_and_again():
    name = "truncated/go1.27_generations_17089.trace"
    want, _, _ = reference(name)
    r = gotrace.open(trace(name))
    n = 0
    last = None
    with pytest.raises(gotrace.TraceError) as info:
        for ev in r:
            n += 1
            last = ev
    assert n == want.count(b"\nM=") + want.startswith(b"M=")
    assert info.value.generation == last.generation
    # The reader keeps failing with the same error.
    with pytest.raises(gotrace.TraceError) as again:
        next(r)
    assert again.value.offset == info.value.offset
    r.close()


@needs_testdata
@pytest.mark.parametrize("threads", [2, 4])
def test_threads_give_the_same_events(threads):
    for name in ("go1.27/generations.trace", "go1.22/syncprims.trace",
                 "go1.21/gc.trace", "truncated/go1.27_generations_17089.trace"):
        one = read_go_strings(trace(name), threads=1)
        more = read_go_strings(trace(name), threads=threads)
        assert one[0] == more[0]
        assert (one[1] is None) == (more[1] is None)


@needs_testdata
def test_event_attributes():
    with gotrace.open(trace("go1.27/annotations.trace")) as r:
        events = list(r)
    kinds = {ev.kind for ev in events}
    assert kinds <= set(gotrace.KINDS)
    for ev in events:
        assert gotrace.KINDS[ev.kind_code] == ev.kind
        assert isinstance(ev.time, int) and ev.time > 0
        assert ev.generation == 1
        if ev.stack is not None:
            assert ev.stack_id > 0
            for f in ev.stack:
                assert isinstance(f, gotrace.Frame)
                assert f == (f.function, f.file, f.line, f.pc)
        else:
            assert ev.stack_id == 0
        # Fields of other kinds are None.
        if ev.kind != "StateTransition":
            assert ev.from_state is None and ev.reason is None
        if ev.kind != "Log":
            assert ev.category is None and ev.message is None
        if ev.kind not in ("Metric",):
            assert ev.value is None
    tb = [ev for ev in events if ev.kind == "TaskBegin"]
    assert tb and all(ev.type for ev in tb)
    assert any(ev.parent is None for ev in tb)
    logs = [ev for ev in events if ev.kind == "Log"]
    assert logs and all(isinstance(ev.message, str) for ev in logs)
    with pytest.raises(AttributeError):
        events[0].time = 5
    assert "Sync" in repr(events[0])


@needs_testdata
def test_state_machine_follows_transitions():
    """After each transition, the reader's state machine has the resource
    in the new state since the event's time (exited goroutines are
    forgotten)."""
    checked = 0
    with gotrace.open(trace("go1.27/churn.trace")) as r:
        for ev in r:
            if ev.kind != "StateTransition":
                continue
            if ev.resource == "Goroutine":
                info = r.goroutine(ev.id)
                if ev.to_state == "NotExist":
                    assert info is None or info.state == "NotExist"
                    continue
                assert info.id == ev.id and info.state == ev.to_state
                assert info.since == ev.time
                if ev.to_state in ("Running", "Syscall"):
                    assert info.thread == ev.thread
                else:
                    assert info.thread == -1
            else:
                info = r.proc(ev.id)
                assert info.state == ev.to_state and info.since == ev.time
            checked += 1
            if checked % 97 == 0:
                gs = r.goroutines()
                assert all(isinstance(g, gotrace.GoroutineInfo) for g in gs)
                assert {g.id for g in gs} >= (
                    {ev.id} if ev.resource == "Goroutine" else set())
                for t in r.threads():
                    assert r.thread(t.id) == t
                for p in r.procs():
                    assert r.proc(p.id) == p
    assert checked > 1000
    with pytest.raises(ValueError):
        r.goroutine(1)  # closed


@needs_testdata
def test_v1_trace_state_and_no_generations():
    with gotrace.open(trace("go1.21/gc.trace")) as r:
        assert r.version == 21
        n = sum(1 for _ in r)
        assert n > 0 and r.generation == 0
        with pytest.raises(gotrace.UnsupportedError):
            r.index()
        with pytest.raises(gotrace.UnsupportedError):
            r.seek_generation(1)


@needs_testdata
def test_closed_reader():
    r = gotrace.open(trace("go1.27/gc.trace"))
    with r as same:
        assert same is r
        next(r)
    assert r.closed
    with pytest.raises(ValueError):
        next(r)
    with pytest.raises(ValueError):
        r.index()
    r.close()  # twice is fine
    assert "closed" in repr(r)


@needs_cli
def test_stats_counts():
    """Per-kind counts against the CLI's stats on the larger traces."""
    for name in ("go1.27/churn.trace", "go1.19/churn.trace",
                 "go1.26/cgocallback.trace"):
        _, out, _ = cli("stats", "--no-progress", trace(name))
        want = {}
        for line in out.decode().splitlines():
            m = re.match(r"  (\w+)\s+(\d+)$", line)
            if m and m.group(1) in gotrace.KINDS:
                want[m.group(1)] = int(m.group(2))
        total = int(re.search(r"^events: (\d+)", out.decode(), re.M).group(1))
        got = {}
        with gotrace.open(trace(name)) as r:
            for ev in r:
                got[ev.kind] = got.get(ev.kind, 0) + 1
        assert got == want
        assert sum(got.values()) == total


@needs_testdata
def test_str_and_bytes():
    """str(ev) is bytes(ev) as text; where Go's String() panics, both
    raise ValueError."""
    with gotrace.open(trace("go1.27/generations.trace")) as r:
        for i, ev in enumerate(r):
            b = bytes(ev)
            assert str(ev) == b.decode("utf-8", "surrogateescape")
            assert not b.endswith(b"\n") or ev.stack is not None or \
                ev.kind == "StateTransition"
            if i > 2000:
                break
    with gotrace.open(trace("synthetic/experiment_id_unnamed.trace")) as r:
        syncs = [ev for ev in r if ev.kind == "Sync" and
                 ev.unnamed_experiment]
    assert syncs
    with pytest.raises(ValueError):
        bytes(syncs[0])
    with pytest.raises(ValueError):
        str(syncs[0])
