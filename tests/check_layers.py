#!/usr/bin/env python3
"""Checks the include graph of src/: data flows one way.

usage: check_layers.py SOURCE_ROOT

The core is one folder per stage, in this order: base (containers,
errors), io (inputs), wire (header, varints, batches), gen (generation
tables), order (the ordering engine), v1 (the old format, beside wire to
order: it may use them, none of them may use it), state (the G/P/M
machine), reader (the public reader). A core file may include headers of
its own folder and of the folders before it, as "folder/x.h", and public
or system headers (<...>); never a folder after it, nor the modules.

The modules built on the public API:

src/analysis/ (the analyses), src/export/ (the exports) and
src/containers/ (the containers both use) may include only the public
headers (<gotrace/...>), the C and POSIX system headers (<...>) and headers
of their own folder or of src/containers ("x.h" with no directory part,
existing there, or "x.pb-c.h" generated at build time from proto/x.proto). The build keeps
src/ off its include path already; this test also catches a relative path
("../reader_internal.h") or a header added to src/analysis that itself
reaches into src/. Prints each offending line and a final count line.
"""
import os
import re
import sys

MODULES = ["src/containers", "src/analysis", "src/export"]
# The folder of containers every module may use, besides its own.
SHARED = "src/containers"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


CORE = ["base", "io", "wire", "gen", "order", "v1", "state", "reader"]
# v1 sits beside wire..order: it may include them, they may not include it.
RANK = {"base": 0, "io": 1, "wire": 2, "gen": 3, "order": 4, "v1": 4.5,
        "state": 5, "reader": 6}


def check_core(root):
    problems = []
    checked = 0
    for layer in CORE:
        folder = os.path.join(root, "src", layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            checked += 1
            with open(path, encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    kind, target = m.groups()
                    if kind == "<":
                        ok = target.startswith("gotrace/") or not os.path.exists(
                            os.path.join(root, "src", target))
                    else:
                        parts = target.split("/")
                        ok = target.startswith("gotrace/") or (len(parts) == 2 and parts[0] in RANK and
                              RANK[parts[0]] <= RANK[layer] and
                              (parts[0] == layer or RANK[parts[0]] != RANK[layer]) and
                              os.path.exists(os.path.join(root, "src", target)))
                    if not ok:
                        problems.append("%s:%d: %s" % (
                            os.path.relpath(path, root), lineno, line.strip()))
    return checked, problems


def check(root):
    problems = []
    checked = 0
    for module in MODULES:
        folder = os.path.join(root, module)
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            checked += 1
            with open(path, encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    kind, target = m.groups()
                    ok = False
                    if kind == "<":
                        # Public headers, or system headers (which never
                        # name a project folder).
                        ok = target.startswith("gotrace/") or not os.path.exists(
                            os.path.join(root, "src", target))
                    else:
                        ok = "/" not in target and (
                            os.path.exists(os.path.join(folder, target)) or
                            os.path.exists(os.path.join(root, SHARED, target)) or
                            (target.endswith(".pb-c.h") and os.path.exists(
                                os.path.join(root, "proto",
                                             target[:-len(".pb-c.h")] + ".proto"))))
                    if not ok:
                        problems.append("%s:%d: %s" % (
                            os.path.relpath(path, root), lineno, line.strip()))
    return checked, problems


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    checked, problems = check(sys.argv[1])
    core_checked, core_problems = check_core(sys.argv[1])
    for p in problems:
        print("not on the public API: " + p)
    for p in core_problems:
        print("against the flow of data: " + p)
    checked += core_checked
    problems += core_problems
    if checked == 0:
        print("no sources found under %s" % ", ".join(MODULES))
        return 1
    print("%d passed, %d failed" % (checked - len(
        {p.split(":")[0] for p in problems}), len({p.split(":")[0] for p in problems})))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
