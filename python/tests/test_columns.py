"""gotrace.read_columns and read_dataframe: every column against the
Event objects of the same trace (which test_events checks against Go's
output), batching, ranges, damaged traces, and the DataFrame's types."""
import weakref

import numpy as np
import pandas as pd
import pytest

import gotrace
from conftest import needs_testdata, reference_traces, trace

NA = -1


def expected_rows(events):
    """The columns' values per event, from the Event objects."""
    states = gotrace._columns.STATES
    rows = []
    for ev in events:
        k = ev.kind
        row = {
            "time": ev.time, "kind": gotrace.KINDS.index(k),
            "goroutine": ev.goroutine, "proc": ev.proc, "thread": ev.thread,
            "generation": ev.generation, "stack_id": ev.stack_id,
            "resource": NA, "id": NA, "from_state": NA, "to_state": NA,
            "reason": None, "transition_stack_id": 0, "name": None,
            "value": 0, "task": NA, "parent": NA, "type": None,
            "category": None, "message": None, "label": None,
            "function": None, "file": None, "line": NA,
        }
        if ev.stack:
            top = ev.stack[0]
            row["function"], row["file"] = top.function, top.file
            row["line"] = top.line
        if k == "StateTransition":
            row["resource"] = gotrace.RESOURCES.index(ev.resource)
            row["id"] = ev.id
            row["from_state"] = states.index(ev.from_state)
            row["to_state"] = states.index(ev.to_state)
            row["reason"] = ev.reason
            # The stack's ID is not an Event attribute: a present stack
            # has a nonzero one.
            row["transition_stack_id"] = ev.transition_stack is not None
        elif k == "Label":
            row["resource"] = gotrace.RESOURCES.index(ev.resource)
            row["id"] = ev.id
            row["label"] = ev.label
        elif k.startswith("Range"):
            row["resource"] = gotrace.RESOURCES.index(ev.scope or "None")
            if ev.scope is not None:
                row["id"] = ev.scope_id
            row["name"] = ev.name
        elif k == "Metric":
            row["name"], row["value"] = ev.name, ev.value
        elif k.startswith("Task"):
            row["task"] = NA if ev.task is None else ev.task
            row["parent"] = NA if ev.parent is None else ev.parent
            row["type"] = ev.type
        elif k.startswith("Region"):
            row["task"] = NA if ev.task is None else ev.task
            row["type"] = ev.type
        elif k == "Log":
            row["task"] = NA if ev.task is None else ev.task
            row["category"], row["message"] = ev.category, ev.message
        elif k == "Experimental":
            row["name"] = ev.name
        rows.append(row)
    return rows


def events_of(path, **kw):
    out = []
    try:
        with gotrace.open(path, **kw) as r:
            for ev in r:
                out.append(ev)
    except gotrace.TraceError as e:
        return out, e
    return out, None


def check_columns(path, batch_size, **kw):
    events, err = events_of(path, **kw)
    want = expected_rows(events)
    batches = []
    got_err = None
    strings = []
    try:
        # (A v1 trace is read whole when it is opened: its error comes
        # from here.)
        cols = gotrace.read_columns(path, list(gotrace.COLUMNS),
                                    batch_size=batch_size, **kw)
        strings = cols.strings
        for b in cols:
            batches.append(b)
    except gotrace.TraceError as e:
        got_err = e
    assert (err is None) == (got_err is None)
    if err is not None:
        assert (got_err.offset, got_err.go_message) == (err.offset,
                                                        err.go_message)
    for b in batches[:-1]:
        assert all(len(a) == batch_size for a in b.values())
    assert len(set(strings)) == len(strings)
    n = sum(len(b["time"]) for b in batches)
    assert n == len(want)
    for name, (dtype, _) in gotrace.COLUMNS.items():
        if not batches:
            continue
        got = np.concatenate([b[name] for b in batches])
        assert got.dtype == np.dtype(dtype), name
        if name in gotrace._columns.STRING_COLUMNS:
            got = [None if c == -1 else strings[c] for c in got]
        elif name == "transition_stack_id":
            got = [bool(v) for v in got]
        else:
            got = got.tolist()
        assert got == [r[name] for r in want], name
    return len(want)


@needs_testdata
@pytest.mark.parametrize("name", [
    "go1.27/annotations.trace", "go1.27/generations.trace",
    "go1.26/cgocallback.trace", "go1.23/iterpull.trace",
    "go1.21/gc.trace", "go1.19/annotations.trace",
    "synthetic/analysis_names_126.trace",
    "synthetic/experimental_batch_126.trace",
    "truncated/go1.27_generations_17089.trace",
    "truncated/go1.21_churn_2489.trace",
])
def test_columns_equal_events(name):
    n = check_columns(trace(name), 1000)
    # A damaged v1 trace delivers nothing (as Go's reader): it is read
    # whole when opened.
    assert n > 0 or name.startswith("truncated/go1.21")


@needs_testdata
def test_every_trace_column_counts():
    """Row counts and times of every reference trace at a small batch."""
    for name in reference_traces():
        events, err = events_of(trace(name), threads=1)
        times, got_err = [], None
        try:
            cols = gotrace.read_columns(trace(name), ["time", "kind"],
                                        batch_size=333)
            for b in cols:
                assert set(b) == {"time", "kind"}
                times.extend(b["time"].tolist())
        except gotrace.TraceError as e:
            got_err = e
        assert times == [ev.time for ev in events], name
        assert (err is None) == (got_err is None), name


@needs_testdata
def test_batches_and_subsets():
    path = trace("go1.27/generations.trace")
    assert check_columns(path, 1) > 0
    assert check_columns(path, 7919) > 0
    assert check_columns(path, 1, gen="3:4") > 0
    with gotrace.read_columns(path, "goroutine", batch_size=100) as c:
        b = next(c)
        assert list(b) == ["goroutine"] and len(b["goroutine"]) == 100
    with pytest.raises(ValueError):
        gotrace.read_columns(path, ["time", "colour"])
    with pytest.raises(ValueError):
        gotrace.read_columns(path, batch_size=0)
    c = gotrace.read_columns(path)
    c.close()
    with pytest.raises(ValueError):
        next(c)


@needs_testdata
def test_dataframe():
    path = trace("go1.27/annotations.trace")
    events, _ = events_of(path)
    df = gotrace.read_dataframe(path)
    assert list(df.columns) == list(gotrace.DEFAULT_COLUMNS)
    assert set(gotrace.COLUMNS) - set(df.columns) == {"function", "file",
                                                      "line"}
    assert len(df) == len(events)
    assert list(df["kind"].astype(str)) == [ev.kind for ev in events]
    assert str(df["kind"].dtype) == "category"
    assert df["time"].dtype == np.int64
    tr = df[df["kind"] == "StateTransition"]
    evs = [ev for ev in events if ev.kind == "StateTransition"]
    assert list(tr["from_state"].astype(str)) == [e.from_state for e in evs]
    assert list(tr["to_state"].astype(str)) == [e.to_state for e in evs]
    assert list(tr["reason"].astype(str)) == [e.reason for e in evs]
    assert list(tr["resource"].astype(str)) == [e.resource for e in evs]
    logs = df[df["kind"] == "Log"]
    assert list(logs["message"].astype(str)) == [
        e.message for e in events if e.kind == "Log"]
    assert df.loc[df["kind"] != "Log", "message"].isna().all()
    # Codes instead of categories.
    raw = gotrace.read_dataframe(path, ["kind", "reason"], categories=False)
    assert raw["kind"].dtype == np.int8 and raw["reason"].dtype == np.int32
    # A range, and nothing at all.
    part = gotrace.read_dataframe(trace("go1.27/generations.trace"), gen=2)
    assert set(part["generation"]) == {2}
    # groupby on categoricals works as pandas users expect.
    counts = df.groupby("kind", observed=True).size()
    assert counts["StateTransition"] == len(evs)
    with pytest.raises(gotrace.TraceError):
        gotrace.read_dataframe(trace("truncated/go1.27_generations_17089.trace"))
    assert isinstance(df, pd.DataFrame)
    # The innermost frames, on request: against the Event objects' stacks.
    frames = gotrace.read_dataframe(path, ["kind", "function", "file",
                                           "line"])
    assert str(frames["function"].dtype) == "category"
    top = [ev.stack[0] if ev.stack else None for ev in events]
    assert list(frames["function"].astype(object).where(
        frames["function"].notna(), None)) == [
        f.function if f else None for f in top]
    assert list(frames["line"]) == [f.line if f else -1 for f in top]
    assert any(f is not None for f in top)


@needs_testdata
def test_kept_arrays_are_not_reused():
    """The reader writes a batch's arrays again only when the caller has
    let go of them: arrays kept alone, and views, keep their values."""
    path = trace("go1.27/generations.trace")
    want = np.concatenate([b["time"] for b in
                           list(gotrace.read_columns(path, batch_size=500))])
    kept, views, starts = [], [], []
    for i, b in enumerate(gotrace.read_columns(path, batch_size=500)):
        if i % 2 == 0:
            kept.append(b["time"])
        else:
            views.append(b["time"][:3])
            starts.append(b["time"][:3].copy())
    got = np.concatenate(kept)
    assert got.tolist() == np.concatenate(
        [want[i * 500:(i + 1) * 500] for i in range(0, len(want) // 500 + 1, 2)]
    ).tolist()
    assert all((v == s).all() for v, s in zip(views, starts))
    # Dropped batches are written again: the same array two batches on.
    cols = gotrace.read_columns(path, batch_size=100)
    refs = [weakref.ref(b["time"]) for b in cols]
    assert len(refs) > 4
    # (The last batch is a copy of its rows; the one before is in the
    # reader's pool.)
    assert refs[-2]() is not None and refs[-2]() is refs[-4]()
    cols.close()
    assert refs[-2]() is None
