"""The CLI's analyses as pandas DataFrames, and its exports.

goroutines(), tasks(), regions(), gc() and mmu() return the table that
`gotrace goroutines|tasks|regions|gc|mmu --csv` prints for the same trace and
options: the same columns, in the same order, with the same names and values
(pandas.read_csv of the CLI's output gives the same frame, up to the
differences listed below). pprof() and timeline() write the files
`gotrace pprof` and `gotrace timeline` write, byte for byte.

Columns:
  - Times (*_ns: creation_ns, start_ns, ...) are nanoseconds on the trace
    clock, as the events carry them; durations (exec_ns, total_ns, p50_ns,
    ...) are nanoseconds; both int64. The CLI's sentinels are kept: 0 for
    a goroutine's start_ns/end_ns that never happened, -1 for a task's or
    a GC cycle's start_ns/end_ns outside the trace.
  - Counts are int64; pc columns uint64 (a task's id and parent too).
  - Strings are str (object columns). Trace strings are decoded as the
    package decodes them everywhere (UTF-8, surrogateescape), where the
    CSV writes U+FFFD for a byte that is not UTF-8 and '?' for a NUL.
  - The nested columns ("block_ns.sync", "range_ns.GC mark assist",
    "histogram.1000", "mud.0.5") come after the others, sorted by name as
    the CSV's header sorts them (so "histogram.100000" before
    "histogram.1584": names, not numbers).
  - Missing values, where the CSV leaves a cell empty: pd.NA in the
    integer columns that can have one (pandas' nullable Int64: the nested
    columns, gc()'s goroutine), None in gc()'s reason. A nested duration
    is missing where the goroutine never was in that state, which Go's
    summary and the CLI's JSON leave out (never 0).
  - tasks()'s goroutines column holds lists of goroutine IDs (the CSV
    writes them space-separated, the JSON as an array).

Every function takes the trace as gotrace.open() does (a path, bytes or a
binary file object) and these keywords, as the CLI's reading options:

  gen, from_, to  the generation range (--gen, --from, --to)
  threads         the reader's threads (-j; None: as the CLI,
                  $GOTRACE_THREADS, else 2 with a core to spare, else 1)
  errors          "raise" (the default): a damaged trace raises
                  gotrace.TraceError (offset, generation, go_message: Go's
                  message); "warn": the results of the events before the
                  error, as the CLI prints them before its message, and
                  the error as a RuntimeWarning.

Bad arguments raise TypeError or ValueError.
"""

import builtins
import datetime
import os
import stat
import warnings

import numpy as np
import pandas as pd

from . import _gotrace

__all__ = ["goroutines", "tasks", "regions", "gc", "mmu", "pprof",
           "timeline"]

_ERRORS = ("raise", "warn")


def _check_errors(errors):
    if errors not in _ERRORS:
        raise ValueError("errors must be 'raise' or 'warn', not %r"
                         % (errors,))


def _threads(threads):
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError("threads must be an int or None, not %s"
                        % type(threads).__name__)
    if not 1 <= threads <= 64:
        raise ValueError("threads must be 1 to 64, not %d" % threads)
    return threads


def _reading(source, gen, from_, to, threads, errors):
    _check_errors(errors)
    return (source, gen, from_, to, _threads(threads))


def _outcome(result, error, errors, stacklevel=3):
    """The result, or error raised (errors="raise") or warned about (at
    the caller of the public function: stacklevel)."""
    if error is not None:
        if errors == "raise" or not isinstance(error, _gotrace.TraceError):
            raise error
        warnings.warn("%s (the results of the events before the error)"
                      % error, RuntimeWarning, stacklevel=stacklevel)
    return result


def _column(col):
    if isinstance(col, tuple):
        dtype, buf, mask = col
        values = np.frombuffer(buf, dtype=dtype)
        if mask is None:
            return values
        return pd.arrays.IntegerArray(values,
                                      np.frombuffer(mask, dtype=np.bool_))
    return pd.Series(col, dtype=object)


def _frame(cols):
    """A DataFrame from the extension's columns (analyses.c)."""
    data = {name: _column(col) for name, col in cols.items()}
    if not data:
        return pd.DataFrame()
    # Series and arrays of the same length: no index alignment issues.
    frame = pd.DataFrame({name: (v.values if isinstance(v, pd.Series)
                                 else v) for name, v in data.items()},
                         columns=list(cols))
    return frame


def _table(fn, source, gen, from_, to, threads, errors, **kw):
    args = _reading(source, gen, from_, to, threads, errors)
    cols, error = fn(*args, **kw)
    return _outcome(_frame(cols), error, errors, stacklevel=4)


def goroutines(source, *, groups=False, gen=None, from_=None, to=None,
               threads=None, errors="raise"):
    """Goroutines as `gotrace goroutines --csv` lists them (Go's
    GoroutineSummary, what go tool trace's goroutine pages show), in
    ascending ID order.

    Columns: id, name (the start function, "" if no stack was seen), pc,
    creation_ns, start_ns (0: never ran), end_ns (0: never ended),
    exec_ns, sched_wait_ns, syscall_ns, syscall_block_ns, total_ns,
    regions, then "block_ns.REASON" (time blocked for that reason) and
    "range_ns.NAME" (time inside that range: "GC mark assist",
    "stop-the-world (...)") for every reason and range in the trace.

    groups=True: the goroutines grouped by start function, as
    `gotrace goroutines --groups --csv`: name, count, exec_ns,
    sched_wait_ns, block_ns, syscall_ns, syscall_block_ns, total_ns;
    largest execution time first.
    """
    return _table(_gotrace._goroutines, source, gen, from_, to, threads,
                  errors, groups=bool(groups))


def tasks(source, *, types=False, gen=None, from_=None, to=None,
          threads=None, errors="raise"):
    """User tasks as `gotrace tasks --csv` lists them, by ID.

    Columns: id, name ("" if neither its begin nor its end is in the
    trace), parent (0: none or unknown), start_ns and end_ns (-1: not in
    the trace), goroutines (list of IDs), logs, regions.

    types=True: task types as `gotrace tasks --types --csv`: type, count,
    complete (tasks both begun and ended in the trace), the distribution
    of complete tasks' durations (total_ns, min_ns, p50_ns, p90_ns,
    p99_ns, max_ns) and "histogram.BOUND": the tasks in go tool trace's
    histogram bucket starting at BOUND ns.
    """
    return _table(_gotrace._tasks, source, gen, from_, to, threads, errors,
                  types=bool(types))


def regions(source, *, gen=None, from_=None, to=None, threads=None,
            errors="raise"):
    """User regions grouped by type and the frame that began them, as
    `gotrace regions --csv` (go tool trace's region page).

    Columns: type, func, file, line, pc (of that frame; "", 0 for regions
    whose begin is not in the trace), count, total_ns, min_ns, p50_ns,
    p90_ns, p99_ns, max_ns, "histogram.BOUND" (as tasks(types=True)).
    """
    return _table(_gotrace._regions, source, gen, from_, to, threads, errors)


def gc(source, *, summary=False, gen=None, from_=None, to=None,
       threads=None, errors="raise"):
    """GC cycles and stop-the-world pauses, as `gotrace gc --csv`: every
    cycle and pause in the order they began.

    Columns: kind ("gc": a concurrent mark phase, "stw": a pause), reason
    (pauses only; None for cycles), start_ns and end_ns (-1: not in the
    trace), duration_ns, goroutine (the goroutine that stopped the world,
    -1 if none; pd.NA for cycles).

    summary=True: the totals, one row, as `gotrace gc --summary --csv`:
    cycles, gc_ns, stw_count, stw_ns, mark_assist_count, mark_assist_ns,
    sweep_count, sweep_ns, swept_bytes, reclaimed_bytes, first_ns,
    last_ns (the first and last event's times), and the pauses'
    stw_min_ns, stw_p50_ns, stw_p90_ns, stw_p99_ns, stw_max_ns.
    """
    return _table(_gotrace._gc, source, gen, from_, to, threads, errors,
                  summary=bool(summary))


# ---- mmu -------------------------------------------------------------------

# Go's UtilFlags by the names of the CLI's --flags (cmd/trace's MMU page).
_MMU_FLAGS = (("stw", 1), ("background", 2), ("assist", 4), ("sweep", 8),
              ("perproc", 16))
_MMU_DEFAULT = 1 | 2 | 4 | 8
# cmd/trace's MMU page plots these decades: 1us to 1s.
_MMU_WINDOWS = tuple(10 ** k for k in range(3, 10))
_INT64_MAX = (1 << 63) - 1


def _mmu_flags(flags, per_proc):
    if flags is None:
        bits = _MMU_DEFAULT
    else:
        if isinstance(flags, str):
            names = [] if flags == "none" else flags.split(",")
        else:
            try:
                names = list(flags)
            except TypeError:
                raise TypeError("flags must be a string or names, not %s"
                                % type(flags).__name__) from None
        bits = 0
        known = dict(_MMU_FLAGS)
        for name in names:
            if not isinstance(name, str):
                raise TypeError("flags: names are strings, not %s"
                                % type(name).__name__)
            if name not in known:
                raise ValueError("flags: unknown flag %r (stw, background, "
                                 "assist, sweep, perproc, or none)" % name)
            bits |= known[name]
    if per_proc:
        bits |= 16
    return bits


def _flags_text(bits):
    names = [name for name, bit in _MMU_FLAGS if bits & bit]
    return ",".join(names) if names else "none"


def _duration(value):
    """Nanoseconds of a window: an int (ns), a timedelta (or numpy's,
    pandas') or a Go duration string ("1ms", "1.5s") as the CLI's -w."""
    if isinstance(value, bool):
        raise TypeError("window must be a duration, not bool")
    if isinstance(value, (datetime.timedelta, np.timedelta64)):
        # (numpy's is also an np.integer)
        ns = pd.Timedelta(value).value
    elif isinstance(value, (int, np.integer)):
        ns = int(value)
    elif isinstance(value, str):
        from ._selectors import parse_duration
        ns = parse_duration(value, "window")
    else:
        raise TypeError("window must be ns, a timedelta or a duration "
                        "string, not %s" % type(value).__name__)
    if ns <= 0:
        raise ValueError("invalid window %r: must be positive" % (value,))
    if ns > _INT64_MAX:
        raise ValueError("invalid window %r: too large" % (value,))
    return ns


def _windows(window):
    if window is None:
        return list(_MMU_WINDOWS)
    if isinstance(window, (str, bytes)) or not hasattr(window, "__iter__"):
        return [_duration(window)]
    ws = [_duration(w) for w in window]
    if not ws:
        raise ValueError("window: no windows given")
    return ws


def _quantile(item):
    """(text, q): the column's key as the CLI takes it from --mud."""
    if isinstance(item, str):
        text = item
        ok = text != "" and text[0] not in " +-"
        try:
            q = float(text) if ok else None
        except ValueError:
            q = None
    elif isinstance(item, (int, float, np.integer, np.floating)) and \
            not isinstance(item, bool):
        q = float(item)
        text = str(item)
    else:
        raise TypeError("mud: quantiles are numbers or strings, not %s"
                        % type(item).__name__)
    if q is None or not 0 <= q <= 1:
        raise ValueError("invalid mud %r: each quantile must be a number "
                         "in [0, 1]" % (item,))
    return text, q


def _quantiles(mud):
    if mud is None:
        return []
    items = mud.split(",") if isinstance(mud, str) else list(mud)
    out = {}
    for item in items:
        text, q = _quantile(item)
        out[text] = q
    return sorted(out.items())


def mmu(source, *, window=None, flags=None, per_proc=False, mud=None,
        gen=None, from_=None, to=None, threads=None, errors="raise"):
    """Minimum mutator utilization (Go's MMUCurve, go tool trace's MMU
    page) as `gotrace mmu --csv`: one row per window.

    window: a window or a list of them (ns, timedelta, or "10ms" as the
    CLI's -w); default the decades 1us to 1s. flags: which time is not
    the mutator's, as --flags: "stw,background,assist,sweep" (the
    default), "none", or a list of those names and "perproc";
    per_proc=True adds "perproc". mud: quantiles (numbers, or a string
    "0,0.5" as --mud) for the mutator utilization distribution.

    Columns: flags (as the CLI prints them), window_ns, mmu (a float in
    [0, 1]), then "mud.Q" for each quantile Q as given (its text, sorted).
    """
    args = _reading(source, gen, from_, to, threads, errors)
    bits = _mmu_flags(flags, per_proc)
    windows = _windows(window)
    qs = _quantiles(mud)
    (mmu_b, mud_b), error = _gotrace._mmu(*args, bits, windows,
                                          [q for _, q in qs])
    nw = len(windows)
    mud_v = np.frombuffer(mud_b, dtype=np.float64).reshape(nw, len(qs))
    data = {
        "flags": pd.Series([_flags_text(bits)] * nw, dtype=object).values,
        "window_ns": np.array(windows, dtype=np.int64),
        "mmu": np.frombuffer(mmu_b, dtype=np.float64),
    }
    for k, (text, _) in enumerate(qs):
        data["mud." + text] = mud_v[:, k]
    return _outcome(pd.DataFrame(data, columns=list(data)), error, errors)


# ---- exports ---------------------------------------------------------------

def _is_path(obj):
    return isinstance(obj, str) or hasattr(obj, "__fspath__")


def _is_out_path(obj):
    return isinstance(obj, (str, bytes)) or hasattr(obj, "__fspath__")


def _rereadable(source):
    """(source, cut): whether the source can be read again, as the CLI's
    regular file (then a damaged trace is cut back to its last generation
    boundary before the error, as go tool trace cuts it), else it is a
    stream read once. A file object without a descriptor (io.BytesIO) is
    read here, once, as gotrace.open() would."""
    if _is_path(source):
        try:
            return source, stat.S_ISREG(os.stat(source).st_mode)
        except (OSError, ValueError):
            return source, False  # the open reports it
    if hasattr(source, "read"):
        try:
            fd = source.fileno()
        except (AttributeError, OSError, ValueError):
            data = source.read()
            if isinstance(data, str) or not isinstance(
                    data, (bytes, bytearray, memoryview)):
                raise TypeError("gotrace needs a binary file: read() "
                                "returned %s" % type(data).__name__)
            return data, True
        try:
            return source, stat.S_ISREG(os.fstat(fd).st_mode)
        except OSError:
            return source, False
    return source, True


def pprof(source, type, out=None, *, goroutine=None, region=None, gen=None,
          from_=None, to=None, threads=None, errors="raise"):
    """A pprof profile, as `gotrace pprof --type=TYPE` writes it (gzip'd
    protocol buffers; go tool trace -pprof=TYPE's samples).

    type: "sched", "sync", "syscall", "net" or "cpu". out: a path or a
    binary file object to write to, or None: the profile is returned as
    bytes. goroutine: only goroutines with this start function; region:
    only the time inside user regions of this type (both read the trace
    twice, so a pipe cannot be the source; neither applies to "cpu").

    A damaged trace given as a file, bytes or a seekable file object is
    profiled up to its last generation boundary before the error, as go
    tool trace does; a stream, up to the error. With errors="raise" the
    profile is written (to out) and then the error raised.
    """
    args = _reading(source, gen, from_, to, threads, errors)
    if not isinstance(type, str):
        raise TypeError("type must be a str, not %s"
                        % builtins.type(type).__name__)
    for name, v in (("goroutine", goroutine), ("region", region)):
        if v is not None and not isinstance(v, str):
            raise TypeError("%s must be a str or None, not %s"
                            % (name, builtins.type(v).__name__))
    if region == "":
        raise ValueError("region: empty region type")
    if type == "cpu" and (goroutine is not None or region is not None):
        raise ValueError("goroutine= and region= do not apply to the cpu "
                         "profile")
    src, cut = _rereadable(args[0])
    if (goroutine is not None or region is not None) and not cut and \
            not _is_path(src):
        raise ValueError("goroutine= and region= read the trace twice: the "
                         "source cannot be a stream")
    data, error = _gotrace._pprof(src, *args[1:], type, goroutine, region,
                                  out, cut)
    return _outcome(data, error, errors)



def timeline(source, out, *, format=None, view="proc", clock="trace",
             gen=None, from_=None, to=None, threads=None, errors="raise"):
    """A timeline for a trace viewer, as `gotrace timeline` writes it.

    out: a path or a binary file object, or None: the timeline is returned
    as bytes. format: "json" (Chrome's Trace Event Format) or "perfetto";
    default "perfetto" for a path ending in .perfetto-trace or .pftrace,
    else "json". view: "proc", "thread" or "goroutine". clock: "trace"
    (ns since the first event) or "wall" (Unix time; traces of Go 1.25
    and later, else gotrace.UnsupportedError).

    A path is created at the first byte written. A damaged trace is drawn
    as go tool trace draws it (up to its last generation boundary before
    the error) when it can be read twice, as for pprof(); the file is
    written, then the error raised (errors="raise").
    """
    args = _reading(source, gen, from_, to, threads, errors)
    for name, v in (("view", view), ("clock", clock)):
        if not isinstance(v, str):
            raise TypeError("%s must be a str, not %s"
                            % (name, builtins.type(v).__name__))
    if format is None:
        name = os.fsdecode(os.fspath(out)) if _is_out_path(out) else ""
        format = "perfetto" if name.endswith((".perfetto-trace", ".pftrace")) \
            else "json"
    elif not isinstance(format, str):
        raise TypeError("format must be a str, not %s"
                        % builtins.type(format).__name__)
    src, cut = _rereadable(args[0])
    if _is_out_path(out) and _is_path(src):
        try:
            a, b = os.stat(src), os.stat(out)
        except (OSError, ValueError):
            pass
        else:
            if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
                raise ValueError("out: %s is the source" % os.fsdecode(out))
    data, error = _gotrace._timeline(src, *args[1:], out, format, view, clock,
                                     cut)
    return _outcome(data, error, errors)
