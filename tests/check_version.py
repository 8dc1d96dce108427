#!/usr/bin/env python3
"""The version is written once, in meson.build, and flows everywhere.

usage: check_version.py VERSION SOURCE_ROOT GOTRACE PC_FILE SHARED_LIB
                        [--python PYTHON PYTHONPATH]

VERSION is meson.project_version(). Checked: `gotrace --version` and
`gotrace version` print "gotrace VERSION" (the library's
gotrace_library_version(), compiled in from meson), the pkg-config file
says Version: VERSION, the shared library is libgotrace.so.VERSION, and no
source file spells the version out but meson.build — except
debian/changelog, which must (its newest entry's upstream version is
checked against VERSION). With --python (the package was built),
PYTHON imports gotrace from PYTHONPATH (the build's python/) and its
__version__ must be VERSION. The man pages' version is checked by the man
test, the installed files' by tests/check_install.py.
"""
import os
import re
import subprocess
import sys

# Where a copy of the version would be a second place to keep in step.
SCAN = ['README.md', 'pyproject.toml', 'docs', 'include', 'src', 'tools',
        'python', 'man', 'examples', 'scripts', 'debian', 'bench', 'tests',
        'fuzz']
ALLOWED = {'debian/changelog'}


def main():
    args = sys.argv[1:]
    python = None
    if len(args) == 8 and args[5] == '--python':
        python, pythonpath = args[6:8]
        args = args[:5]
    if len(args) != 5:
        sys.exit(__doc__)
    version, root, gotrace, pc_file, shlib = args
    failures = []
    if not re.fullmatch(r'\d+\.\d+\.\d+', version):
        failures.append('meson version %r is not MAJOR.MINOR.PATCH' % version)

    for args in ([gotrace, '--version'], [gotrace, 'version']):
        r = subprocess.run(args, stdout=subprocess.PIPE,
                           universal_newlines=True)
        if r.returncode != 0 or r.stdout != 'gotrace %s\n' % version:
            failures.append('%s: exit %d, printed %r, not %r' % (
                ' '.join(args[1:]), r.returncode, r.stdout,
                'gotrace %s\n' % version))

    with open(pc_file, encoding='utf-8') as f:
        pc = f.read()
    m = re.search(r'^Version: *(\S+)$', pc, re.M)
    if m is None or m.group(1) != version:
        failures.append('%s: Version: %s, not %s' % (
            pc_file, m.group(1) if m else '(none)', version))

    if not os.path.basename(shlib).endswith('.so.' + version):
        failures.append('%s: not libgotrace.so.%s' % (shlib, version))

    if python is not None:
        r = subprocess.run(
            [python, '-c', 'import gotrace; print(gotrace.__version__)'],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, cwd='/',
            env=dict(os.environ, PYTHONPATH=pythonpath))
        if r.returncode != 0 or r.stdout != version + '\n':
            failures.append('gotrace.__version__ (Python, %s): %r %s' % (
                pythonpath, r.stdout, r.stderr.strip()[-500:]))

    for top in SCAN:
        path = os.path.join(root, top)
        files = [path] if os.path.isfile(path) else [
            os.path.join(d, n) for d, _, ns in os.walk(path) for n in ns]
        for p in files:
            rel = os.path.relpath(p, root)
            try:
                with open(p, encoding='utf-8') as f:
                    text = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            if rel in ALLOWED:
                continue
            if re.search(r'(?<![\w.])' + re.escape(version) + r'(?![\w.])',
                         text):
                failures.append('%s spells out the version %s: take it '
                                'from meson.build' % (rel, version))

    changelog = os.path.join(root, 'debian', 'changelog')
    if os.path.exists(changelog):
        with open(changelog, encoding='utf-8') as f:
            m = re.match(r'\S+ \(([^)]+)\)', f.readline())
        upstream = m and re.sub(r'-[^-]*$', '', m.group(1).split(':')[-1])
        if upstream != version:
            failures.append('debian/changelog: newest entry is %s, not %s' %
                            (m.group(1) if m else '(unreadable)', version))

    for msg in failures:
        print('FAIL: ' + msg)
    if failures:
        sys.exit(1)
    print('version %s: gotrace, libgotrace.pc, the shared library%s' % (
        version, ', the Python package' if python else ''))


if __name__ == '__main__':
    main()
