"""gotrace.goroutines(), tasks(), regions(), gc(), mmu(), pprof() and
timeline() against the CLI's --csv output and files on the same traces (the
CLI is itself checked against Go 1.27's Summarizer, MMU and go tool trace by
tests/compare_analysis.py and the export tests), and the tables directly
against Go's references (testdata/traces/*/FILE.analysis.MODE.xz, written
by testdata/regen.sh from Go's internal/trace).

The environment names the CLI (GOTRACE_CLI) and testdata/ (GOTRACE_TESTDATA),
as python/meson.build sets them; without them, testdata/ next to python/ and
`gotrace` on PATH.
"""
import io
import json
import lzma
import math
import os
import re
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

import gotrace

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.environ.get("GOTRACE_TESTDATA") or \
    os.path.join(HERE, os.pardir, os.pardir, "testdata")
TRACES = os.path.join(TESTDATA, "traces")
CLI = os.environ.get("GOTRACE_CLI") or shutil.which("gotrace")

pytestmark = pytest.mark.skipif(
    CLI is None or not os.path.isdir(TRACES),
    reason="needs the gotrace CLI (GOTRACE_CLI) and testdata/traces")

# v1 (Go 1.19, 1.21) and v2 traces of several Go versions, synthetic ones
# for reused goroutine IDs and names with NULs, and damaged ones (the CLI
# prints the analysis of the good part, then fails).
TRACE_NAMES = [
    "go1.19/annotations.trace",
    "go1.21/gc.trace",
    "go1.22/syncprims.trace",
    "go1.23/iterpull.trace",
    "go1.24/gc.trace",
    "go1.26/cgocallback.trace",
    "go1.27/annotations.trace",
    "go1.27/generations.trace",
    "go1.27/gc.trace",
    "synthetic/analysis_goid_reused_126.trace",
    "synthetic/analysis_names_126.trace",
    "truncated/go1.27_generations_17089.trace",
    "truncated/go1.21_churn_2489.trace",
]
DAMAGED = "truncated/go1.27_generations_17089.trace"
DAMAGED_V1 = "truncated/go1.21_churn_2489.trace"
MUD = "0,0.01,0.1,0.5"
MMU_FLAG_SETS = ["stw,background,assist,sweep", "stw", "assist,sweep",
                 "stw,background,assist,sweep,perproc"]

# (function, keywords, the CLI's command and options, Go's reference mode)
TABLES = [
    ("goroutines", {}, ["goroutines"], "goroutines"),
    ("goroutines", {"groups": True}, ["goroutines", "--groups"], None),
    ("tasks", {}, ["tasks"], "tasks"),
    ("tasks", {"types": True}, ["tasks", "--types"], "task-types"),
    ("regions", {}, ["regions"], "region-types"),
    ("gc", {}, ["gc"], "gc"),
    ("gc", {"summary": True}, ["gc", "--summary"], None),
    ("mmu", {"mud": MUD}, ["mmu", "--mud", MUD], None),
    ("mmu", {"flags": "stw", "window": ["10ms", 1000, 2500000],
             "mud": ["0.90", 0.5]},
     ["mmu", "--flags=stw", "-w", "10ms", "-w", "1000", "-w", "2500000",
      "--mud", "0.90,0.5"], None),
]
# The nested objects of each reference mode's records.
NESTED = {"goroutines": ("block_ns", "range_ns"),
          "task-types": ("histogram",), "region-types": ("histogram",),
          "mmu": ("mud",)}


def trace(name):
    return os.path.join(TRACES, name)


def cli(*args, stdin=None):
    return subprocess.run([CLI] + list(args), capture_output=True,
                          stdin=stdin, timeout=60)


def call(fn, name, **kw):
    """fn on a trace: for a damaged one, the results of the good part."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return getattr(gotrace, fn)(trace(name), errors="warn", **kw)


# ---- the CLI's CSV ----------------------------------------------------------

def assert_same_as_csv(df, csv, nul="?"):
    """df holds what pandas.read_csv reads from the CLI's CSV: the same
    columns in the same order, the same rows and values. Empty cells are
    missing values (pd.NA, None); tasks' goroutine lists are the CSV's
    space-separated IDs; and trace strings keep their NULs where the CSV
    writes '?' (nul)."""
    strings = [c for c in df.columns if df[c].dtype == object]
    ref = pd.read_csv(io.BytesIO(csv), dtype={c: str for c in strings},
                      keep_default_na=False, na_values=[""],
                      float_precision="round_trip")

    def printable(s):
        return s.replace("\0", nul)

    assert [printable(c) for c in df.columns] == list(ref.columns)
    assert len(df) == len(ref)
    for c, rc in zip(df.columns, ref.columns):
        got, want = df[c], ref[rc]
        if got.dtype == object:
            for g, w in zip(got, want):
                if g is None:
                    assert pd.isna(w), (c, w)
                    continue
                if isinstance(g, list):
                    g = " ".join(str(x) for x in g)
                assert printable(g) == ("" if pd.isna(w) else w), (c, g, w)
        elif isinstance(got.dtype, pd.Int64Dtype):
            assert got.isna().tolist() == want.isna().tolist(), c
            known = ~got.isna()
            assert got[known].astype(np.int64).tolist() == \
                want[known].astype(np.int64).tolist(), c
        elif len(df):
            assert not want.isna().any(), c
            np.testing.assert_array_equal(
                got.to_numpy(), want.to_numpy().astype(got.dtype), err_msg=c)


@pytest.mark.parametrize("name", TRACE_NAMES)
def test_tables_equal_cli_csv(name):
    for fn, kw, args, _ in TABLES:
        run = cli(*args, "--csv", trace(name))
        assert run.returncode in (0, 1), run.stderr
        df = call(fn, name, **kw)
        assert_same_as_csv(df, run.stdout)


def test_dtypes():
    df = gotrace.goroutines(trace("go1.27/annotations.trace"))
    assert df["id"].dtype == np.int64
    assert df["pc"].dtype == np.uint64
    assert df["exec_ns"].dtype == np.int64
    assert df["name"].dtype == object
    assert isinstance(df["block_ns.sync"].dtype, pd.Int64Dtype)
    gc = gotrace.gc(trace("go1.27/gc.trace"))
    cycles = gc[gc["kind"] == "gc"]
    assert len(cycles) > 0
    assert cycles["reason"].isna().all() and \
        cycles["goroutine"].isna().all()
    assert gc.loc[gc["kind"] == "stw", "goroutine"].notna().all()


def test_empty_tables_have_the_columns():
    name = "go1.27/gc.trace"  # no tasks, no regions
    for fn, kw, args in [("tasks", {}, ["tasks"]),
                         ("regions", {}, ["regions"])]:
        df = call(fn, name, **kw)
        assert len(df) == 0
        run = cli(*args, "--csv", trace(name))
        header = run.stdout.decode().split("\n")[0].split(",")
        assert list(df.columns) == header


# ---- Go's references --------------------------------------------------------

def records(df, mode):
    """The rows as the CLI's JSON records: nested columns as objects, a
    missing value as a missing key."""
    nested = NESTED.get(mode, ())
    out = []
    for row in df.to_dict("records"):
        rec = {p: {} for p in nested}
        for k, v in row.items():
            if v is None or v is pd.NA:
                continue
            if isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (np.floating, float)):
                v = float(v)
            prefix, dot, key = k.partition(".")
            if dot and prefix in nested:
                rec[prefix][key] = v
            else:
                rec[k] = v
        out.append(rec)
    return out


def same(want, got):
    if isinstance(want, float) or isinstance(got, float):
        return abs(want - got) <= 1e-9
    if isinstance(want, dict):
        return isinstance(got, dict) and want.keys() == got.keys() and \
            all(same(want[k], got[k]) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and \
            all(same(a, b) for a, b in zip(want, got))
    return type(want) is type(got) and want == got


def go_reference(name, mode):
    with lzma.open(trace(name) + ".analysis.%s.xz" % mode) as f:
        return [json.loads(line) for line in f.read().decode().split("\n")
                if line.strip()]


@pytest.mark.parametrize("name", TRACE_NAMES)
def test_tables_equal_go(name):
    for fn, kw, _, mode in TABLES:
        if mode is None:
            continue
        want = go_reference(name, mode)
        got = records(call(fn, name, **kw), mode)
        assert len(got) == len(want), mode
        for w, g in zip(want, got):
            assert same(w, g), (mode, w, g)
    want = go_reference(name, "mmu")
    for flags in MMU_FLAG_SETS:
        got = records(call("mmu", name, flags=flags, mud=MUD), "mmu")
        assert same([r for r in want if r["flags"] == flags], got), flags


def test_readme_example(tmp_path, monkeypatch, capsys):
    # python/README.md's example in its Analyses section, run as written
    # on a trace of ours.
    with open(os.path.join(HERE, os.pardir, "README.md")) as f:
        text = f.read()
    section = text[text.index("## Analyses"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    name = trace("go1.27/syncprims.trace")
    monkeypatch.chdir(tmp_path)
    space = {}
    exec(code.replace('"trace.out"', repr(name)), space)
    top, g = space["top"], space["g"]
    assert list(top.columns) == list(g.columns) and len(top) == 10
    assert top["sched_wait_ns"].is_monotonic_decreasing
    assert top["sched_wait_ns"].iloc[0] == g["sched_wait_ns"].max() > 0
    assert str(top["id"].iloc[0]) in capsys.readouterr().out
    assert (tmp_path / "sched.pb.gz").read_bytes() == \
        gotrace.pprof(name, "sched")


# ---- options ------------------------------------------------------------------

def test_generation_range_and_threads():
    name = trace("go1.27/generations.trace")
    for opts, kw in [(["--gen", "2:3"], {"gen": "2:3"}),
                     (["--gen", "2"], {"gen": (2, 2)}),
                     (["--from", "1ms"], {"from_": "1ms"})]:
        run = cli("goroutines", "--csv", *opts, name)
        assert run.returncode == 0, run.stderr
        assert_same_as_csv(gotrace.goroutines(name, **kw), run.stdout)
    one = gotrace.goroutines(name, threads=1)
    for threads in (2, 4):
        pd.testing.assert_frame_equal(
            gotrace.goroutines(name, threads=threads), one)


def test_mmu_options():
    import datetime
    name = trace("go1.27/gc.trace")
    run = cli("mmu", "--csv", "--per-proc", "--flags", "assist,sweep",
              "-w", "1.5ms", "-w", "250us", "--mud", "0.25", name)
    assert run.returncode == 0, run.stderr
    for kw in [{"per_proc": True, "flags": ["assist", "sweep"],
                "window": [datetime.timedelta(microseconds=1500),
                           np.timedelta64(250, "us")], "mud": [0.25]},
               {"flags": "assist,sweep,perproc", "window": ["1.5ms", 250000],
                "mud": "0.25"}]:
        assert_same_as_csv(gotrace.mmu(name, **kw), run.stdout)
    df = gotrace.mmu(name, flags="none", window=10 ** 6)
    assert df["flags"].tolist() == ["none"] and df["mmu"].tolist() == [1.0]


def test_sources():
    name = trace("go1.27/annotations.trace")
    want = gotrace.tasks(name)
    with open(name, "rb") as f:
        data = f.read()
        f.seek(0)
        pd.testing.assert_frame_equal(gotrace.tasks(f), want)
    pd.testing.assert_frame_equal(gotrace.tasks(data), want)
    pd.testing.assert_frame_equal(gotrace.tasks(io.BytesIO(data)), want)
    import pathlib
    pd.testing.assert_frame_equal(gotrace.tasks(pathlib.Path(name)), want)


# ---- errors -------------------------------------------------------------------

def cli_error(run):
    """(offset, message) of the CLI's "gotrace: FILE: offset N: message"."""
    m = re.search(rb"offset (\d+): ([^\n]*)", run.stderr)
    assert m, run.stderr
    return int(m.group(1)), m.group(2).decode()


def go_error(name):
    with open(trace(name) + ".parsed.status", "rb") as f:
        lines = f.read().decode().split("\n")
    assert lines[0] == "exit=1"
    return lines[1]


@pytest.mark.parametrize("name", [DAMAGED, DAMAGED_V1])
def test_damaged_trace_raises(name):
    run = cli("goroutines", "--csv", trace(name))
    assert run.returncode == 1
    offset, _ = cli_error(run)
    for fn in ("goroutines", "tasks", "regions", "gc", "mmu"):
        with pytest.raises(gotrace.TraceError) as e:
            getattr(gotrace, fn)(trace(name))
        assert e.value.offset == offset
        assert e.value.go_message.split("\n")[0] == go_error(name)
    with pytest.warns(RuntimeWarning, match="offset %d" % offset):
        df = gotrace.goroutines(trace(name), errors="warn")
    assert_same_as_csv(df, run.stdout)


def test_bad_arguments():
    name = trace("go1.27/annotations.trace")
    with pytest.raises(ValueError):
        gotrace.goroutines(name, errors="ignore")
    with pytest.raises(ValueError):
        gotrace.goroutines(name, threads=0)
    with pytest.raises(TypeError):
        gotrace.goroutines(name, threads="2")
    with pytest.raises(TypeError):
        gotrace.goroutines(12345)
    with pytest.raises(ValueError):
        gotrace.goroutines(name, gen="3:2")
    with pytest.raises(ValueError):
        gotrace.mmu(name, flags="stw,bogus")
    with pytest.raises(ValueError):
        gotrace.mmu(name, window=0)
    with pytest.raises(ValueError):
        gotrace.mmu(name, window="10 parsecs")
    with pytest.raises(TypeError):
        gotrace.mmu(name, window=1.5)
    with pytest.raises(ValueError):
        gotrace.mmu(name, mud="0.5,2")
    with pytest.raises(ValueError):
        gotrace.mmu(name, mud=["-0"])
    with pytest.raises(ValueError):
        gotrace.pprof(name, "bogus")
    with pytest.raises(TypeError):
        gotrace.pprof(name, 1)
    with pytest.raises(ValueError):
        gotrace.pprof(name, "cpu", goroutine="main.main")
    with pytest.raises(ValueError):
        gotrace.pprof(name, "sync", region="")
    with pytest.raises(TypeError):
        gotrace.pprof(name, "sync", out=3.5)
    with pytest.raises(ValueError):
        gotrace.timeline(name, None, view="bogus")
    with pytest.raises(ValueError):
        gotrace.timeline(name, None, format="svg")
    with pytest.raises(ValueError):
        gotrace.timeline(name, None, clock="sundial")
    with pytest.raises(ValueError):
        gotrace.timeline(name, name)  # would overwrite its source


# ---- pprof ----------------------------------------------------------------------

PPROF_CASES = [
    ("go1.27/annotations.trace", ["sched", "sync", "syscall", "net"]),
    ("go1.22/syncprims.trace", ["sched", "sync"]),
    ("go1.19/channels.trace", ["sched", "sync", "cpu"]),
    ("go1.27/cpuprofile.trace", ["cpu"]),
]


@pytest.mark.parametrize("name,types", PPROF_CASES)
def test_pprof_equals_cli(name, types):
    for t in types:
        run = cli("pprof", "--type", t, trace(name))
        assert run.returncode == 0, run.stderr
        assert gotrace.pprof(trace(name), t) == run.stdout, t


def test_pprof_filters_and_outputs(tmp_path):
    name = trace("go1.27/annotations.trace")
    for kw, opts in [({"goroutine": "main.handle"}, ["--goroutine",
                                                     "main.handle"]),
                     ({"region": "process"}, ["--region", "process"])]:
        run = cli("pprof", "--type", "sched", *opts, name)
        assert run.returncode == 0, run.stderr
        assert len(run.stdout) > 0
        assert gotrace.pprof(name, "sched", **kw) == run.stdout
        with open(name, "rb") as f:
            assert gotrace.pprof(io.BytesIO(f.read()), "sched", **kw) == \
                run.stdout
    run = cli("pprof", "--type", "sync", name)
    out = tmp_path / "sync.pb.gz"
    assert gotrace.pprof(name, "sync", out) is None
    assert out.read_bytes() == run.stdout
    buf = io.BytesIO()
    assert gotrace.pprof(name, "sync", buf) is None
    assert buf.getvalue() == run.stdout
    with pytest.raises(OSError):
        gotrace.pprof(name, "sync", tmp_path / "no" / "such" / "dir")


def test_pprof_damaged(tmp_path):
    name = trace(DAMAGED)
    run = cli("pprof", "--type", "sched", name)
    assert run.returncode == 1 and run.stdout
    offset, _ = cli_error(run)
    out = tmp_path / "p.pb.gz"
    with pytest.raises(gotrace.TraceError) as e:
        gotrace.pprof(name, "sched", out)
    assert e.value.offset == offset
    assert out.read_bytes() == run.stdout
    with pytest.warns(RuntimeWarning):
        assert gotrace.pprof(name, "sched", errors="warn") == run.stdout


# ---- timeline -------------------------------------------------------------------

def test_timeline_equals_cli(tmp_path):
    for name, opts, kw in [
            ("go1.27/annotations.trace", [], {}),
            ("go1.27/annotations.trace", ["--view", "goroutine",
                                          "--clock", "wall"],
             {"view": "goroutine", "clock": "wall"}),
            ("go1.27/annotations.trace", ["--format", "perfetto",
                                          "--view", "thread"],
             {"format": "perfetto", "view": "thread"}),
            ("go1.19/annotations.trace", [], {}),
            ("go1.22/syncprims.trace", ["--view", "thread"],
             {"view": "thread"})]:
        ref = tmp_path / "ref"
        run = cli("timeline", *opts, "-o", str(ref), trace(name))
        assert run.returncode == 0, run.stderr
        out = tmp_path / "out"
        assert gotrace.timeline(trace(name), out, **kw) is None
        assert out.read_bytes() == ref.read_bytes(), (name, opts)
        assert gotrace.timeline(trace(name), None, **kw) == ref.read_bytes()


def test_timeline_format_from_name(tmp_path):
    name = trace("go1.27/annotations.trace")
    ref = tmp_path / "ref.pftrace"
    assert cli("timeline", "-o", str(ref), name).returncode == 0
    out = tmp_path / "out.pftrace"
    gotrace.timeline(name, str(out))
    assert out.read_bytes() == ref.read_bytes()
    assert not out.read_bytes().startswith(b"{")


def test_timeline_wall_clock_unsupported(tmp_path):
    name = trace("go1.22/syncprims.trace")
    assert cli("timeline", "--clock", "wall", "-o", str(tmp_path / "x"),
               name).returncode == 1
    out = tmp_path / "out.json"
    with pytest.raises(gotrace.UnsupportedError):
        gotrace.timeline(name, out, clock="wall")
    assert not out.exists()


def test_timeline_damaged(tmp_path):
    # Drawn up to the last generation boundary before the error when the
    # trace can be read twice (a file, bytes), up to the error for a pipe:
    # this trace's two differ.
    name = trace("truncated/go1.23_generations_9841.trace")
    ref = tmp_path / "ref"
    run = cli("timeline", "-o", str(ref), name)
    assert run.returncode == 1
    with open(name, "rb") as f:
        piped = cli("timeline", "-", stdin=f)
    assert piped.returncode == 1 and piped.stdout != ref.read_bytes()
    out = tmp_path / "out"
    with pytest.raises(gotrace.TraceError):
        gotrace.timeline(name, out)
    assert out.read_bytes() == ref.read_bytes()
    with open(name, "rb") as f:
        data = f.read()
    with pytest.warns(RuntimeWarning):
        assert gotrace.timeline(data, None, errors="warn") == ref.read_bytes()
    cat = subprocess.Popen(["cat", name], stdout=subprocess.PIPE)
    try:
        with pytest.warns(RuntimeWarning):
            got = gotrace.timeline(cat.stdout, None, errors="warn")
    finally:
        cat.stdout.close()
        cat.wait()
    assert got == piped.stdout
