#!/usr/bin/env python3
"""Checks the shared library's exported symbols against the public headers.

usage: check_symbols.py LIBGOTRACE_SO INCLUDE_DIR [NM]

The library is built with hidden visibility; only what the headers mark
GOTRACE_API is meant to be seen by programs and bindings. Three rules:

  - every dynamic symbol the library defines (nm -D --defined-only) starts
    with gotrace_: nothing internal (gt_*), nothing of the protobuf-c code
    generated for the exports (perfetto__*, perftools__*), no helper;
  - every function declared GOTRACE_API in INCLUDE_DIR/gotrace/*.h is
    exported, as a function (a declaration without an implementation, or
    one the build hides, fails here rather than at a user's link);
  - every exported symbol is declared GOTRACE_API in a header (a gotrace_
    function left without static or a declaration is not public API).

Prints each offending symbol and a final count line; exits 1 if any.
"""
import glob
import os
import re
import subprocess
import sys

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# The name declared: the identifier right before the parameter list's "(".
DECLARED = re.compile(r"\b(gotrace_\w+)\s*\(")


def declared_functions(include_dir):
    """Name -> header of every function declared GOTRACE_API."""
    out = {}
    for path in sorted(glob.glob(os.path.join(include_dir, "gotrace", "*.h"))):
        with open(path, encoding="utf-8") as f:
            text = COMMENT.sub(" ", f.read())
        # Preprocessor lines (the GOTRACE_API definition itself) are no
        # declarations.
        text = "\n".join(line for line in text.split("\n")
                         if not line.lstrip().startswith("#"))
        for stmt in re.split(r"[;{}]", text):
            if not re.search(r"\bGOTRACE_API\b", stmt):
                continue
            m = DECLARED.search(stmt)
            if m is None:
                print(f"{os.path.basename(path)}: GOTRACE_API on a "
                      f"declaration with no gotrace_ function: "
                      f"{' '.join(stmt.split())}")
                out.setdefault(None, []).append(path)
                continue
            out[m.group(1)] = os.path.basename(path)
    return out


def exported_symbols(lib, nm):
    """Name -> nm type letter of every dynamic symbol lib defines."""
    res = subprocess.run([nm, "-D", "--defined-only", lib],
                         capture_output=True, text=True, check=True)
    out = {}
    for line in res.stdout.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        name = fields[2].split("@")[0]   # drop a symbol version
        out[name] = fields[1]
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    lib, include_dir = sys.argv[1], sys.argv[2]
    nm = sys.argv[3] if len(sys.argv) == 4 else "nm"
    declared = declared_functions(include_dir)
    exported = exported_symbols(lib, nm)
    bad = len(declared.pop(None, []))

    for name in sorted(exported):
        if not name.startswith("gotrace_"):
            print(f"exported, not gotrace_*: {name} ({exported[name]})")
            bad += 1
        elif name not in declared:
            print(f"exported, declared GOTRACE_API in no header: {name}")
            bad += 1
    for name in sorted(declared):
        kind = exported.get(name)
        if kind is None:
            print(f"declared GOTRACE_API in {declared[name]}, not exported: "
                  f"{name}")
            bad += 1
        elif kind not in ("T", "i"):
            print(f"declared GOTRACE_API in {declared[name]}, exported as "
                  f"'{kind}', not a function: {name}")
            bad += 1
    if not declared or not exported:
        print("no declarations or no exports found: wrong arguments?")
        bad += 1
    print(f"{len(exported)} exported symbols, {len(declared)} declared "
          f"functions, {bad} problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
