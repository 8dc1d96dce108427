#!/usr/bin/env python3
"""Compares `gotrace dump` with Go 1.27's reference output on every trace.

usage: compare_refs.py GOTRACE TRACES_DIR MODE

MODE is "wire" (gotrace dump --wire vs go tool trace -d=wire), "parsed"
(gotrace dump --threads 1 vs go tool trace -d=parsed), "parsed-threads"
(the same with the ordering on a second thread: --threads 2),
"parsed-parallel" (three threads ordering generations at once:
--threads 4, docs/parallel.md) or
"parsed-parking" (gotrace dump --ordering parking vs go tool trace
-d=parsed). gotrace maps FILE; "wire-read" and "parsed-read" are "wire"
and "parsed" with FILE read by read(2) instead (--no-mmap), and
"parsed-stdin" and "parsed-fifo" give gotrace the bytes through a pipe on
its standard input (`gotrace dump -`) and through a named pipe (which it
must read rather than map). Traces named *_ties pin Go's order among
threads with equal times, which parking does not promise
(docs/guarantees.md): "parsed-parking" skips them. For each FILE.trace under
TRACES_DIR with a FILE.MODE.xz reference, the standard output must be
byte-identical, the exit status must agree (zero or not), and what
gotrace writes to stderr must equal the reference's stderr (only the first
line for "failed to advance" errors, whose tail Go prints in random order). The
references are made by testdata/regen.sh; nothing here is written by hand.
"""
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import threading


def first_difference(want, got):
    wl = want.split(b"\n")
    gl = got.split(b"\n")
    for i in range(max(len(wl), len(gl))):
        a = wl[i] if i < len(wl) else b"<end of output>"
        b = gl[i] if i < len(gl) else b"<end of output>"
        if a != b:
            return i + 1, a, b
    return None


def read_status(path):
    with open(path, "rb") as f:
        text = f.read()
    first, _, rest = text.partition(b"\n")
    if not first.startswith(b"exit="):
        raise ValueError("%s: malformed status file" % path)
    return int(first[5:]), rest


def run_through_fifo(cmd, trace, workdir):
    """Runs cmd + [fifo] while a thread writes the trace into the fifo."""
    fifo = os.path.join(workdir, "fifo")
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo)
    with open(trace, "rb") as f:
        data = f.read()

    def feed():
        try:
            with open(fifo, "wb") as w:
                w.write(data)
        except BrokenPipeError:
            pass  # gotrace stopped reading early (a rejected trace)

    writer = threading.Thread(target=feed)
    writer.start()
    run = subprocess.run(cmd + [fifo], capture_output=True)
    if writer.is_alive():
        # gotrace never opened the fifo: open it ourselves to let the
        # writer finish.
        with open(fifo, "rb") as r:
            r.read()
    writer.join()
    return run


def run_gotrace(cmd, trace, how, workdir):
    if how == "stdin":
        with open(trace, "rb") as f:
            return subprocess.run(cmd + ["-"], input=f.read(),
                                  capture_output=True)
    if how == "fifo":
        return run_through_fifo(cmd, trace, workdir)
    return subprocess.run(cmd + [trace], capture_output=True)


def main():
    # mode: gotrace's arguments, and how the trace reaches it.
    modes = {"wire": (["dump", "--go-errors", "--wire"], "path"),
             "parsed": (["dump", "--go-errors", "--threads", "1"], "path"),
             "parsed-threads": (["dump", "--go-errors", "--threads", "2"], "path"),
             "parsed-parallel": (["dump", "--go-errors", "--threads", "4"], "path"),
             "parsed-parking": (["dump", "--go-errors", "--ordering", "parking"], "path"),
             "wire-read": (["dump", "--go-errors", "--wire", "--no-mmap"], "path"),
             "parsed-read": (["dump", "--go-errors", "--threads", "1", "--no-mmap"], "path"),
             "parsed-stdin": (["dump", "--go-errors"], "stdin"),
             "parsed-fifo": (["dump", "--go-errors"], "fifo")}
    if len(sys.argv) != 4 or sys.argv[3] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    gotrace, root, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    args, how = modes[mode]
    # Parking promises Go's order except among threads whose next events
    # have equal times (docs/guarantees.md): traces made to pin Go's
    # order among such ties (named *_ties) are not compared in that mode.
    skip_ties = mode == "parsed-parking"
    mode = "wire" if mode.startswith("wire") else "parsed"
    workdir = tempfile.mkdtemp(prefix="gotrace-refs-")
    traces = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".trace"):
                traces.append(os.path.join(dirpath, name))
    traces.sort()
    passed = failed = skipped = 0
    for trace in traces:
        ref = trace + "." + mode + ".xz"
        status = trace + "." + mode + ".status"
        if not os.path.exists(ref) or not os.path.exists(status):
            skipped += 1
            continue
        if skip_ties and os.path.basename(trace).endswith("_ties.trace"):
            skipped += 1
            continue
        rel = os.path.relpath(trace, root)
        with open(ref, "rb") as f:
            want = lzma.decompress(f.read())
        want_exit, want_err = read_status(status)
        run = run_gotrace([gotrace] + args, trace, how, workdir)
        problems = []
        diff = first_difference(want, run.stdout)
        if diff is not None:
            line, a, b = diff
            problems.append("stdout differs at line %d:\n    want: %r\n    got:  %r"
                            % (line, a[:300], b[:300]))
        if (want_exit == 0) != (run.returncode == 0):
            problems.append("exit status: want %d, got %d" % (want_exit, run.returncode))
        got_err = run.stderr
        if want_err.startswith(b"broken trace: failed to advance"):
            # Go's message goes on with a dump of its state maps, in
            # random map order; only the first line is deterministic.
            got_err = got_err.split(b"\n", 1)[0]
            want_err = want_err.split(b"\n", 1)[0]
        if want_err.startswith(b"panic: "):
            # Go's printer panics on a table ID it cannot find (exit 2,
            # with a goroutine dump); gotrace fails cleanly with the panic's
            # message.
            want_err = want_err[len(b"panic: "):].split(b"\n", 1)[0]
            got_err = got_err.split(b"\n", 1)[0]
        if want_exit != 0 and got_err != want_err:
            problems.append("stderr: want %r, got %r" % (want_err[:300], got_err[:300]))
        if run.returncode < 0:
            problems.append("killed by signal %d" % -run.returncode)
        if problems:
            failed += 1
            print("FAIL %s\n  %s" % (rel, "\n  ".join(problems)))
        else:
            passed += 1
    shutil.rmtree(workdir, ignore_errors=True)
    print("%s: %d traces compared" % (mode, passed + failed))
    if skipped:
        print("%d traces skipped (no %s reference%s)"
              % (skipped, mode, ", or Go's order among ties" if skip_ties else ""))
    print("%d passed, %d failed" % (passed, failed))
    if passed + failed == 0:
        print("no references found under %s" % root)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
