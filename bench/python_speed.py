#!/usr/bin/env python3
"""The Python package's speed on one trace: read_columns (all columns, and
three), iterating Event objects (touching kind and time), and
read_dataframe. Run by bench/python.sh with the release build's package
on PYTHONPATH; prints one line per mode:

    MODE EVENTS MEDIAN_SECONDS SECONDS...

Times are wall clock inside the interpreter, from the call to the last
event (the interpreter's start and `import gotrace`, ~0.1 s with numpy,
are not in them), median of RUNS.

usage: python_speed.py RUNS TRACE [MODE...]
"""
import statistics
import sys
import time

import gotrace


def columns_all(path):
    n = 0
    for b in gotrace.read_columns(path):
        n += len(b["time"])
    return n


def columns_three(path):
    n = 0
    for b in gotrace.read_columns(path, ["time", "kind", "goroutine"]):
        n += len(b["time"])
    return n


def events(path):
    n = 0
    with gotrace.open(path) as r:
        for ev in r:
            ev.kind
            ev.time
            n += 1
    return n


def dataframe(path):
    return len(gotrace.read_dataframe(path))


MODES = {"columns": columns_all, "columns3": columns_three,
         "events": events, "dataframe": dataframe}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs, path = int(sys.argv[1]), sys.argv[2]
    for mode in sys.argv[3:] or ["columns", "columns3", "events"]:
        fn = MODES[mode]
        times = []
        n = 0
        for _ in range(runs):
            t = time.perf_counter()
            n = fn(path)
            times.append(time.perf_counter() - t)
        print(mode, n, "%.3f" % statistics.median(times),
              " ".join("%.3f" % t for t in times), flush=True)


if __name__ == "__main__":
    main()
