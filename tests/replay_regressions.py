#!/usr/bin/env python3
"""Replays the inputs the fuzzer found bugs with (fuzz/regressions/).

usage: replay_regressions.py GOTRACE DIR

Each input goes through `gotrace dump`, `gotrace dump --wire` and the proc
view's timeline (`gotrace timeline`, in both formats); each must finish (exit status 0 or 1: accepted or rejected) without a crash, a
sanitizer report or a hang. Run under the ASan+UBSan build in CI.
"""
import os
import subprocess
import sys


def main():
    gotrace, root = sys.argv[1], sys.argv[2]
    files = sorted(os.path.join(root, f) for f in os.listdir(root)
                   if not f.startswith("."))
    passed = failed = 0
    for path in files:
        ok = True
        for args in (["dump"], ["dump", "--wire"],
                     ["timeline", "--view=proc", "-o", os.devnull],
                     ["timeline", "--view=proc", "--format=perfetto", "-o",
                      os.devnull]):
            try:
                run = subprocess.run([gotrace] + args + [path],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, timeout=60)
            except subprocess.TimeoutExpired:
                print("FAIL %s %s: timed out" % (os.path.basename(path), args))
                ok = False
                continue
            if run.returncode not in (0, 1) or b"Sanitizer" in run.stderr:
                print("FAIL %s %s: exit %d\n%s" % (os.path.basename(path), args,
                      run.returncode, run.stderr.decode(errors="replace")[:2000]))
                ok = False
        if ok:
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
