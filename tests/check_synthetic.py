#!/usr/bin/env python3
"""Checks that testdata/traces/synthetic/ is what gen_synthetic writes.

usage: check_synthetic.py GEN_SYNTHETIC SYNTHETIC_DIR

The synthetic traces are committed together with Go's reference output
for them; if the generator changes, regenerate both (testdata/regen.sh).
"""
import filecmp
import os
import subprocess
import sys
import tempfile


def main():
    gen, committed = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([gen, tmp], check=True)
        made = sorted(f for f in os.listdir(tmp) if f.endswith(".trace"))
        have = sorted(f for f in os.listdir(committed) if f.endswith(".trace"))
        passed = failed = 0
        for name in sorted(set(made) | set(have)):
            if name not in have:
                print("FAIL %s: generated but not committed" % name)
                failed += 1
            elif name not in made:
                print("FAIL %s: committed but no longer generated" % name)
                failed += 1
            elif not filecmp.cmp(os.path.join(tmp, name),
                                 os.path.join(committed, name), shallow=False):
                print("FAIL %s: differs from the generator's output" % name)
                failed += 1
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
