"""What gotrace.open reads (paths, bytes, file objects, pipes), what it
refuses, and generation ranges, seeking and the index against the CLI's
`dump --gen/--from/--to` and `index --json` on the same traces."""
import datetime
import io
import json
import os
import pathlib
import threading

import pytest

import gotrace
from conftest import cli, needs_cli, needs_testdata, reference, trace


def go_line(ev):
    """The event as `go tool trace -d=parsed` prints it: bytes(ev), the
    package's Event.String(), and a newline."""
    return bytes(ev) + b"\n"


GENS = "go1.27/generations.trace"      # 7 generations, clock snapshots
GENS_124 = "go1.24/generations.trace"  # no clock snapshots
DAMAGED = "truncated/go1.27_generations_17089.trace"


def dump(source, **kw):
    """The events as Go prints them, and the error (or None)."""
    out = []
    try:
        with gotrace.open(source, **kw) as r:
            for ev in r:
                out.append(go_line(ev))
    except gotrace.TraceError as e:
        return b"".join(out), e
    return b"".join(out), None


@needs_testdata
def test_every_kind_of_source():
    path = trace(GENS)
    want, _, _ = reference(GENS)
    with open(path, "rb") as f:
        data = f.read()
    assert dump(path)[0] == want
    assert dump(pathlib.Path(path))[0] == want
    assert dump(data)[0] == want
    assert dump(bytearray(data))[0] == want
    assert dump(memoryview(data))[0] == want
    assert dump(io.BytesIO(data))[0] == want
    with open(path, "rb") as f:
        assert dump(f)[0] == want
        # The file object's own position is left alone.
        assert f.tell() == 0
    with open(path, "rb", buffering=0) as f:
        assert dump(f)[0] == want
    # A file read from where it stands: the trace after 100 other bytes.
    prefixed = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                            "gotrace-test-%d.bin" % os.getpid())
    try:
        with open(prefixed, "wb") as f:
            f.write(b"x" * 100 + data)
        with open(prefixed, "rb") as f:
            f.seek(100)
            assert dump(f)[0] == want
            with gotrace.open(f, gen=(3, 4)) as r:
                assert {ev.generation for ev in r} == {3, 4}
    finally:
        os.unlink(prefixed)


@needs_testdata
def test_pipe_is_read_as_a_stream():
    path = trace(GENS)
    want, _, _ = reference(GENS)
    with open(path, "rb") as f:
        data = f.read()
    rfd, wfd = os.pipe()

    def write():
        with os.fdopen(wfd, "wb") as w:
            w.write(data)

    t = threading.Thread(target=write)
    t.start()
    try:
        with os.fdopen(rfd, "rb") as rf:
            with gotrace.open(rf) as r:
                got = b"".join(go_line(ev) for ev in r)
                with pytest.raises(gotrace.UnsupportedError):
                    r.index()
    finally:
        t.join()
    assert got == want


@needs_testdata
def test_damaged_bytes_fail_as_the_file():
    with open(trace(DAMAGED), "rb") as f:
        data = f.read()
    a, ea = dump(trace(DAMAGED))
    b, eb = dump(data)
    assert a == b and ea is not None and eb is not None
    assert (ea.offset, ea.go_message) == (eb.offset, eb.go_message)


def test_refusals(tmp_path):
    with pytest.raises(FileNotFoundError):
        gotrace.open(str(tmp_path / "missing.trace"))
    with pytest.raises(IsADirectoryError):
        gotrace.open(tmp_path)
    with pytest.raises(gotrace.TraceError) as e:
        gotrace.open(b"this is not a Go execution trace at all")
    assert e.value.go_message and e.value.offset == 0
    not_trace = tmp_path / "x.trace"
    not_trace.write_bytes(b"\x00" * 64)
    with pytest.raises(gotrace.TraceError):
        gotrace.open(not_trace)
    with pytest.raises(gotrace.TraceError):
        gotrace.open(b"")
    with pytest.raises(TypeError):
        gotrace.open(12)
    with pytest.raises(TypeError):
        gotrace.open(io.StringIO("go 1.22 trace"))
    with pytest.raises(ValueError):
        gotrace.open(b"", threads=0)
    with pytest.raises(TypeError):
        gotrace.open(b"", unknown=1)
    assert issubclass(gotrace.TraceError, Exception)
    assert issubclass(gotrace.UnsupportedError, ValueError)


@needs_cli
@pytest.mark.parametrize("args,kw", [
    (["--gen", "2:4"], {"gen": (2, 4)}),
    (["--gen", "2:4"], {"gen": "2:4"}),
    (["--gen", "3"], {"gen": 3}),
    (["--gen", "5:"], {"gen": "5:"}),
    (["--gen", ":2"], {"gen": (None, 2)}),
    (["--from", "50ms"], {"from_": "50ms"}),
    (["--from", "50ms"], {"from_": datetime.timedelta(milliseconds=50)}),
    (["--from", "50ms"], {"from_": 50000000}),
    (["--from", "20ms", "--to", "90ms"], {"from_": "20ms", "to": "90ms"}),
    (["--to", "@3622970673024"], {"to": "@3622970673024"}),
    (["--from", "2026-11-23T01:13:35.02Z"],
     {"from_": "2026-11-23T01:13:35.02Z"}),
    (["--from", "2026-11-23T02:13:35.02+01:00"],
     {"from_": datetime.datetime(2026, 11, 23, 1, 13, 35, 20000,
                                 tzinfo=datetime.timezone.utc)}),
])
def test_ranges_equal_the_clis(args, kw):
    _, want, _ = cli("dump", "--no-progress", *args, trace(GENS))
    got, err = dump(trace(GENS), **kw)
    assert err is None
    assert got == want
    # The columns read the same range.
    n = sum(len(b["time"]) for b in gotrace.read_columns(trace(GENS), **kw))
    assert n == want.count(b"\nM=") + want.startswith(b"M=")


@needs_cli
def test_range_on_a_damaged_trace():
    status, want, _ = cli("dump", "--no-progress", "--gen", "2:3",
                          trace(DAMAGED))
    assert status == 0
    assert dump(trace(DAMAGED), gen="2:3") == (want, None)
    # To the end: the damage is reached, as without a range.
    status, want, _ = cli("dump", "--no-progress", "--gen", "4:",
                          trace(DAMAGED), check=False)
    got, err = dump(trace(DAMAGED), gen="4:")
    assert status == 1 and got == want and err is not None


@needs_testdata
def test_bad_ranges():
    path = trace(GENS)
    for bad in ["5:3", "0", "a", "1:2:3", ":", "", (0, 2), (3, 1), (None, None)]:
        with pytest.raises(ValueError):
            gotrace.open(path, gen=bad)
    for bad in ["-1s", "1 parsec", "@x", "2026-13-01T00:00:00Z", -5,
                "2026-11-23T01:13:35"]:
        with pytest.raises(ValueError):
            gotrace.open(path, from_=bad)
    with pytest.raises(TypeError):
        gotrace.open(path, gen=1.5)
    with pytest.raises(TypeError):
        gotrace.open(path, to=1.5)
    with pytest.raises(ValueError):
        gotrace.open(path, gen=1, from_="1s")
    with pytest.raises(ValueError) as e:
        gotrace.open(path, gen=99)
    assert "no generation 99" in str(e.value)
    with pytest.raises(ValueError):
        gotrace.open(path, from_="90ms", to="10ms")
    with pytest.raises(ValueError):
        gotrace.open(path, from_=datetime.datetime(2026, 1, 1))  # naive
    with pytest.raises(gotrace.UnsupportedError):
        gotrace.open(trace("go1.21/gc.trace"), gen=1)
    with pytest.raises(gotrace.UnsupportedError):
        gotrace.open(trace(GENS_124), from_="2026-11-23T01:13:35Z")


@needs_cli
def test_index_equals_the_clis():
    _, out, _ = cli("index", "--json", trace(GENS))
    want = [json.loads(line) for line in out.decode().splitlines()]
    with gotrace.open(trace(GENS)) as r:
        got = r.index()
        assert r.index_error() is None
    assert len(got) == len(want) == 7
    for g, w in zip(got, want):
        assert isinstance(g, gotrace.GenerationInfo)
        assert g.number == w["generation"] and g.serial == w["serial"]
        assert (g.start_offset, g.end_offset) == (w["start_offset"],
                                                  w["end_offset"])
        assert (g.batches, g.event_batches) == (w["batches"],
                                                w["event_batches"])
        assert (g.first_time, g.last_batch_time) == (w["first_ns"],
                                                     w["last_batch_ns"])
        assert g.frequency == w["frequency"]
        c = w["clock"]
        assert (g.clock.trace_ns, g.clock.mono_ns, g.clock.wall_sec,
                g.clock.wall_nsec) == (c["trace_ns"], c["mono_ns"],
                                       c["wall_sec"], c["wall_nsec"])
    with gotrace.open(trace(GENS_124)) as r:
        assert all(g.clock is None for g in r.index())
    # A damaged trace: the intact generations, and why the rest is not.
    with gotrace.open(trace(DAMAGED)) as r:
        idx = r.index()
        err = r.index_error()
    _, out, _ = cli("index", "--json", trace(DAMAGED), check=False)
    assert [g.number for g in idx] == [
        json.loads(line)["generation"] for line in out.decode().splitlines()]
    assert isinstance(err, gotrace.TraceError) and err.go_message


@needs_cli
def test_seek_equals_the_clis_ranges():
    _, want_3, _ = cli("dump", "--no-progress", "--gen", "3:", trace(GENS))
    _, want_2_4, _ = cli("dump", "--no-progress", "--gen", "2:4", trace(GENS))
    _, want_from, _ = cli("dump", "--no-progress", "--from", "@3622970673024",
                          trace(GENS))
    with gotrace.open(trace(GENS)) as r:
        first = [next(r) for _ in range(10)]
        r.seek_generation(3)
        assert b"".join(go_line(ev) for ev in r) == want_3
        r.seek_generation(2)
        r.set_stop(4)
        assert b"".join(go_line(ev) for ev in r) == want_2_4
        # The stop is kept across seeks (gotrace_reader_set_stop).
        r.seek_time(3622970673024, clock="trace")
        r.set_stop(None)
        assert b"".join(go_line(ev) for ev in r) == want_from
        r.seek_time("@3622970673024")
        assert b"".join(go_line(ev) for ev in r) == want_from
        with pytest.raises(ValueError):
            r.seek_generation(99)
        with pytest.raises(ValueError):
            r.seek_time(5, clock="moon")
        # Back to the start: the same events as at first.
        r.seek_generation(1)
        again = [next(r) for _ in range(10)]
    assert [go_line(e) for e in first] == [go_line(e) for e in again]
    with gotrace.open(trace(GENS_124)) as r:
        with pytest.raises(gotrace.UnsupportedError):
            r.seek_time("2026-11-23T01:13:35Z")


PIPE_WRITER = r'''
import fcntl, os, sys, threading
import gotrace
path, threads, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(path, "rb").read()
rfd, wfd = os.pipe()
try:
    fcntl.fcntl(wfd, 1031, 4096)  # F_SETPIPE_SZ: one page
except OSError:
    pass
def write():
    with os.fdopen(wfd, "wb", buffering=0) as w:
        for i in range(0, len(data), 512):
            w.write(data[i:i + 512])
t = threading.Thread(target=write)
t.start()
with os.fdopen(rfd, "rb") as rf:
    if how == "events":
        with gotrace.open(rf, threads=threads) as r:
            n = sum(1 for _ in r)
    else:
        n = sum(len(b["time"]) for b in
                gotrace.read_columns(rf, ["time"], threads=threads))
t.join()
print(n)
'''


@needs_testdata
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("how", ["events", "columns"])
def test_pipe_written_by_a_thread_of_ours(threads, how):
    """A pipe whose writer is a Python thread of the same process: the
    reader must not hold the GIL while it waits for the bytes (it would
    wait for ever). In a child process, so that a hang is a failure."""
    import subprocess
    import sys
    name = "go1.27/allocfree.trace"   # 28 KB through a 4 KB pipe
    with gotrace.open(trace(name)) as r:
        want = sum(1 for _ in r)
    p = subprocess.run([sys.executable, "-c", PIPE_WRITER, trace(name),
                        str(threads), how], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60,
                       env=dict(os.environ))
    assert p.returncode == 0, p.stderr.decode()
    assert int(p.stdout) == want
