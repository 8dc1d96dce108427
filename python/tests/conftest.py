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


def status(name, mode="parsed"):
    """(exit status, stderr bytes) of Go's reference."""
    with open(trace(name) + "." + mode + ".status", "rb") as f:
        first, _, err = f.read().partition(b"\n")
    assert first.startswith(b"exit=")
    return int(first[5:]), err


def _decompress(path):
    # The references are compressed with a 64 MiB dictionary, which the
    # decoder allocates; under meson test's MALLOC_PERTURB_ glibc fills
    # it, 50 ms a file. xz, run without it, takes 1 ms.
    xz = shutil.which("xz")
    if os.environ.get("MALLOC_PERTURB_") and xz is not None:
        env = dict(os.environ)
        del env["MALLOC_PERTURB_"]
        return subprocess.run([xz, "-dc", path], stdout=subprocess.PIPE,
                              check=True, env=env).stdout
    with lzma.open(path) as f:
        return f.read()


def reference(name, mode="parsed"):
    """(stdout bytes, exit status, stderr bytes) of Go's reference."""
    code, err = status(name, mode)
    return _decompress(trace(name) + "." + mode + ".xz"), code, err


def cli(*args, check=True):
    """Runs the CLI: (exit status, stdout bytes, stderr bytes)."""
    p = subprocess.run([CLI] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if check and p.returncode != 0:
        raise AssertionError("gotrace %s: exit %d: %s" % (
            " ".join(map(str, args)), p.returncode, p.stderr.decode()))
    return p.returncode, p.stdout, p.stderr
