"""Go execution traces, read by libgotrace.

    import gotrace
    with gotrace.open("trace.out") as r:
        for ev in r:
            ...                                  # gotrace.Event objects
    df = gotrace.read_dataframe("trace.out")     # one row per event
    for cols in gotrace.read_columns("trace.out"):
        ...                                      # dicts of numpy arrays

See python/README.md for the whole API.
"""
from ._version import __version__
from ._gotrace import (  # noqa: F401
    KINDS,
    ClockSnapshot,
    Event,
    Frame,
    GenerationInfo,
    GoroutineInfo,
    ProcInfo,
    Reader,
    ThreadInfo,
    TraceError,
    UnsupportedError,
    library_version,
    open,
)
from ._columns import (  # noqa: F401
    COLUMNS,
    DEFAULT_COLUMNS,
    GOROUTINE_STATES,
    PROC_STATES,
    RESOURCES,
    read_columns,
    read_dataframe,
)

__all__ = [
    "KINDS", "ClockSnapshot", "Event", "Frame", "GenerationInfo",
    "GoroutineInfo", "ProcInfo", "Reader", "ThreadInfo", "TraceError",
    "UnsupportedError", "__version__", "library_version", "open",
    "COLUMNS", "DEFAULT_COLUMNS", "GOROUTINE_STATES", "PROC_STATES", "RESOURCES",
    "read_columns", "read_dataframe",
]

# The analyses and exports (gotrace/analyses.py), when built.
try:
    from . import analyses as _analyses
except ModuleNotFoundError as _e:
    if _e.name != __name__ + ".analyses":
        raise
else:
    from .analyses import *  # noqa: F401,F403
    __all__ += list(getattr(_analyses, "__all__", []))
