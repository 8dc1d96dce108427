"""gotrace.read_columns and gotrace.read_dataframe: events as columns."""

from . import _gotrace
from ._gotrace import KINDS

#: Every column read_columns can give, in order, with its dtype and what it
#: holds. Not-applicable cells hold -1 (0 for the stack IDs and value).
COLUMNS = {
    "time": ("int64", "ns on the trace clock"),
    "kind": ("int8", "the kind's code: gotrace.KINDS[code] is its name"),
    "goroutine": ("int64", "the G, or -1"),
    "proc": ("int64", "the P, or -1"),
    "thread": ("int64", "the M, or -1"),
    "generation": ("int64", "the generation's number (0 in v1 traces)"),
    "stack_id": ("int64", "the stack's ID in its generation (0: none)"),
    "resource": ("int8", "StateTransition, Label: the resource; Range*: "
                 "the scope (codes into gotrace.RESOURCES)"),
    "id": ("int64", "StateTransition, Label: the resource's ID; Range*: "
           "the scope's ID"),
    "from_state": ("int8", "StateTransition: the old state (codes into "
                   "gotrace.STATES, goroutines' and Ps' together)"),
    "to_state": ("int8", "StateTransition: the new state"),
    "reason": ("int32", "StateTransition: the reason (string code)"),
    "transition_stack_id": ("int64", "StateTransition: the stack of the "
                            "goroutine that changed state (0: none)"),
    "name": ("int32", "Metric, Range*, Experimental: the name (string "
             "code)"),
    "value": ("uint64", "Metric: the value"),
    "task": ("int64", "Task*: the task's ID; Region*, Log: its task "
             "(-1 also for Go's NoTask)"),
    "parent": ("int64", "Task*: the parent task (-1: none)"),
    "type": ("int32", "Task*, Region*: the type (string code)"),
    "category": ("int32", "Log: the category (string code)"),
    "message": ("int32", "Log: the message (string code)"),
    "label": ("int32", "Label: the label (string code)"),
    "function": ("int32", "the function of the stack's innermost frame "
                 "(string code; -1: no stack, or an empty one)"),
    "file": ("int32", "the file of the stack's innermost frame (string "
             "code)"),
    "line": ("int64", "the line of the stack's innermost frame (-1: none)"),
}
assert tuple(COLUMNS) == _gotrace.COLUMN_NAMES

#: The columns read_columns and read_dataframe give when none are named:
#: all but the innermost frame's, which cost a lookup per event with a
#: stack; name them to have them.
FRAME_COLUMNS = ("function", "file", "line")
DEFAULT_COLUMNS = tuple(c for c in COLUMNS if c not in FRAME_COLUMNS)

#: The columns whose values are codes into the string table.
STRING_COLUMNS = ("reason", "name", "type", "category", "message", "label",
                  "function", "file")

#: Codes of the resource column (Go's ResourceKind).
RESOURCES = ("None", "Goroutine", "Proc", "Thread")

#: Codes of from_state and to_state: goroutine states 0-5 as Go numbers
#: them, a P's Undetermined, NotExist and Running under the same codes,
#: and its Idle as 6.
STATES = ("Undetermined", "NotExist", "Runnable", "Running", "Waiting",
          "Syscall", "Idle")

# Kept for the names' sake (documented in README).
GOROUTINE_STATES = STATES[:6]
PROC_STATES = ("Undetermined", "NotExist", "Running", "Idle")


class Columns:
    """The iterator read_columns returns: each step a dict of numpy arrays,
    one per column, of up to batch_size events.

    strings is the read's string table: the string columns hold codes into
    it (-1: none). It only grows, so the codes of every batch stay valid.
    A context manager; close() frees the reader.
    """

    def __init__(self, source, columns, batch_size, threads, gen, from_, to):
        if columns is None:
            columns = DEFAULT_COLUMNS
        elif isinstance(columns, str):
            columns = (columns,)
        else:
            columns = tuple(columns)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError("batch_size must be an int")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.columns = columns
        self.batch_size = batch_size
        self._r = _gotrace._column_reader(source, columns, threads, gen,
                                          from_, to)

    @property
    def strings(self):
        return self._r.strings

    def __iter__(self):
        return self

    def __next__(self):
        batch = self._r.next_batch(self.batch_size)
        if batch is None:
            raise StopIteration
        return batch

    def close(self):
        self._r.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_columns(source, columns=None, batch_size=65536, *, threads=None,
                 gen=None, from_=None, to=None):
    """Reads a trace's events as batches of numpy arrays.

    source, threads, gen, from_, to: as gotrace.open. columns: names from
    gotrace.COLUMNS (default: gotrace.DEFAULT_COLUMNS, all but the
    innermost frame's function, file and line). Returns a Columns iterator of dicts
    {name: array}; string columns hold codes into its .strings. A trace
    error (TraceError) is raised after the batch holding the events before
    it.
    """
    return Columns(source, columns, batch_size, threads, gen, from_, to)


def _categorical(pd, codes, categories):
    return pd.Categorical.from_codes(codes, categories=categories)


def read_dataframe(source, columns=None, *, batch_size=65536, threads=None,
                   gen=None, from_=None, to=None, categories=True):
    """Reads a trace's events into a pandas DataFrame, one row per event.

    Arguments as read_columns. With categories (the default), kind,
    resource, from_state, to_state and the string columns are pandas
    Categoricals (not applicable: NaN); without, they stay integer codes.
    A trace error is raised, as by the events, after reading the events
    before it: use read_columns to keep those.
    """
    import numpy as np
    import pandas as pd

    cols = Columns(source, columns, batch_size, threads, gen, from_, to)
    with cols:
        batches = list(cols)
        strings = list(cols.strings)
    data = {}
    for name in cols.columns:
        if not batches:
            arr = np.empty(0, dtype=COLUMNS[name][0])
        elif len(batches) == 1:
            arr = batches[0][name]
        else:
            arr = np.concatenate([b[name] for b in batches])
        if categories:
            if name == "kind":
                arr = _categorical(pd, arr, KINDS)
            elif name == "resource":
                arr = _categorical(pd, arr, RESOURCES)
            elif name in ("from_state", "to_state"):
                arr = _categorical(pd, arr, STATES)
            elif name in STRING_COLUMNS:
                arr = _categorical(pd, arr, strings)
        data[name] = arr
    return pd.DataFrame(data, columns=list(cols.columns))
