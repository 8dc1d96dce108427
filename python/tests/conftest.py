"""What the tests share: where testdata/ and the CLI are, and the traces.

python/meson.build sets GOTRACE_CLI (the gotrace CLI built beside the
package) and GOTRACE_TESTDATA; without them, testdata/ next to python/ and
`gotrace` on PATH. Tests that need them are skipped when they are not
there (an installed package tested alone).
"""
import glob
import lzma
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.environ.get("GOTRACE_TESTDATA") or \
    os.path.join(HERE, os.pardir, os.pardir, "testdata")
TRACES = os.path.join(TESTDATA, "traces")
CLI = os.environ.get("GOTRACE_CLI") or shutil.which("gotrace")

needs_testdata = pytest.mark.skipif(not os.path.isdir(TRACES),
                                    reason="needs testdata/traces")
needs_cli = pytest.mark.skipif(CLI is None or not os.path.isdir(TRACES),
                               reason="needs the gotrace CLI and testdata")


def trace(name):
    return os.path.join(TRACES, name)


def reference_traces():
    """Every trace with Go's -d=parsed reference, relative to TRACES."""
    if not os.path.isdir(TRACES):
        return []
    return sorted(os.path.relpath(p[:-len(".parsed.xz")], TRACES)
                  for p in glob.glob(os.path.join(TRACES, "*", "*.trace.parsed.xz")))


def reference(name, mode="parsed"):
    """(stdout bytes, exit status, stderr bytes) of Go's reference."""
    base = trace(name)
    with lzma.open(base + "." + mode + ".xz") as f:
        out = f.read()
    with open(base + "." + mode + ".status", "rb") as f:
        first, _, err = f.read().partition(b"\n")
    assert first.startswith(b"exit=")
    return out, int(first[5:]), err


def cli(*args, check=True):
    """Runs the CLI: (exit status, stdout bytes, stderr bytes)."""
    p = subprocess.run([CLI] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if check and p.returncode != 0:
        raise AssertionError("gotrace %s: exit %d: %s" % (
            " ".join(map(str, args)), p.returncode, p.stderr.decode()))
    return p.returncode, p.stdout, p.stderr
