#!/usr/bin/env python3
"""What `meson install` puts where, and that it can be used from there.

usage: check_install.py BUILD_DIR [--require-man] [--require-python]

Installs BUILD_DIR into BUILD_DIR/destdir-check (meson install --destdir)
and checks, under the build's prefix:

* bindir/gotrace, which runs and prints the project version;
* libdir: libgotrace.so.VERSION with SONAME libgotrace.so.0 (readelf -d),
  the symlinks libgotrace.so.0 and libgotrace.so, libgotrace.a (with
  default_library=both), and pkgconfig/libgotrace.pc, which pkg-config
  reads (version, -I of includedir);
* includedir/gotrace/: every header of include/gotrace/, byte for byte;
* mandir/man1/gotrace.1 and man3/libgotrace.3 (when the pages were built;
  --require-man: they must have been), which `man --warnings -l` renders
  without a warning and `man -M MANDIR gotrace` finds;
* the Python package gotrace in the interpreter's site directory (when it
  was built; --require-python: it must have been), imported from there by
  the interpreter it was built for, with __version__ equal to the
  project version;
* that every file meson lists as installed (meson introspect --installed)
  is there;
* that a CMake project finds the installed library through pkg-config
  (examples/cmake: pkg_check_modules IMPORTED_TARGET), builds
  examples/state_counts.c against the shared library, and runs it.

Takes a few seconds; .ci/run runs it after the suite.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg, flush=True)


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def introspect(build, what):
    r = run(['meson', 'introspect', build, '--' + what])
    if r.returncode != 0:
        sys.exit('meson introspect --%s: %s' % (what, r.stderr))
    return json.loads(r.stdout)


def main():
    args = sys.argv[1:]
    require_man = '--require-man' in args
    require_python = '--require-python' in args
    args = [a for a in args if not a.startswith('--')]
    if len(args) != 1:
        sys.exit(__doc__)
    build = os.path.abspath(args[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dest = os.path.join(build, 'destdir-check')

    opts = {o['name']: o['value'] for o in introspect(build, 'buildoptions')}
    version = introspect(build, 'projectinfo')['version']
    installed = introspect(build, 'installed')
    prefix = opts['prefix']

    def under(opt):
        d = opts[opt]
        return d if os.path.isabs(d) else os.path.join(prefix, d)

    bindir, libdir = under('bindir'), under('libdir')
    includedir, mandir = under('includedir'), under('mandir')

    def staged(path):
        return dest + path

    shutil.rmtree(dest, ignore_errors=True)
    r = run(['meson', 'install', '-C', build, '--destdir', dest])
    if r.returncode != 0:
        sys.exit('meson install failed:\n' + r.stdout + r.stderr)

    # Everything meson says it installs is there.
    for src, dst in installed.items():
        if not os.path.lexists(staged(dst)):
            fail('%s (from %s) was not installed' % (dst, src))

    # The command.
    gotrace = staged(os.path.join(bindir, 'gotrace'))
    if not os.access(gotrace, os.X_OK):
        fail('%s: not an executable' % gotrace)
    else:
        r = run([gotrace, '--version'])
        if r.stdout != 'gotrace %s\n' % version:
            fail('installed gotrace --version: %r' % r.stdout)

    # The library: real file, SONAME, symlinks, static archive.
    real = staged(os.path.join(libdir, 'libgotrace.so.' + version))
    so0 = staged(os.path.join(libdir, 'libgotrace.so.0'))
    so = staged(os.path.join(libdir, 'libgotrace.so'))
    if not os.path.isfile(real) or os.path.islink(real):
        fail('%s: not a regular file' % real)
    else:
        r = run(['readelf', '-d', real])
        m = re.search(r'\(SONAME\)\s+Library soname: \[([^]]+)\]', r.stdout)
        if r.returncode != 0 or m is None:
            fail('readelf -d %s: no SONAME (%s)' % (real, r.stderr.strip()))
        elif m.group(1) != 'libgotrace.so.0':
            fail('%s: SONAME %s, not libgotrace.so.0' % (real, m.group(1)))
    for link in (so0, so):
        if not os.path.islink(link) or \
                os.path.realpath(link) != os.path.realpath(real):
            fail('%s: not a symlink to %s' % (link, os.path.basename(real)))
    if opts['default_library'] in ('both', 'static'):
        if not os.path.isfile(staged(os.path.join(libdir, 'libgotrace.a'))):
            fail('libgotrace.a was not installed (default_library=%s)' %
                 opts['default_library'])

    # The headers, all of them, as they are in the tree.
    src_headers = sorted(glob.glob(os.path.join(root, 'include', 'gotrace',
                                                '*.h')))
    inst_dir = staged(os.path.join(includedir, 'gotrace'))
    inst_headers = sorted(glob.glob(os.path.join(inst_dir, '*.h')))
    if [os.path.basename(h) for h in src_headers] != \
            [os.path.basename(h) for h in inst_headers]:
        fail('headers in %s: %s, not those of include/gotrace/' % (
            inst_dir, [os.path.basename(h) for h in inst_headers]))
    for h in src_headers:
        i = os.path.join(inst_dir, os.path.basename(h))
        if os.path.exists(i):
            with open(h, 'rb') as a, open(i, 'rb') as b:
                if a.read() != b.read():
                    fail('%s differs from include/gotrace/' % i)

    # pkg-config, on the staged tree: the installed .pc with its prefix
    # moved there, as for a relocated install (PKG_CONFIG_SYSROOT_DIR
    # would move the system's -I/usr/include of the Requires.private too,
    # which CMake then refuses as a missing directory).
    pcdir = staged(os.path.join(libdir, 'pkgconfig'))
    relocated = os.path.join(build, 'pkgconfig-check')
    shutil.rmtree(relocated, ignore_errors=True)
    os.makedirs(relocated)
    env = dict(os.environ, PKG_CONFIG_PATH=relocated)
    if not os.path.isfile(os.path.join(pcdir, 'libgotrace.pc')):
        fail('%s/libgotrace.pc was not installed' % pcdir)
    else:
        with open(os.path.join(pcdir, 'libgotrace.pc'), encoding='utf-8') as f:
            pc = f.read()
        if not re.search(r'^prefix=%s$' % re.escape(prefix), pc, re.M):
            fail('libgotrace.pc: no prefix=%s line' % prefix)
        with open(os.path.join(relocated, 'libgotrace.pc'), 'w',
                  encoding='utf-8') as f:
            f.write(re.sub(r'^prefix=.*$', 'prefix=' + staged(prefix), pc,
                           flags=re.M))
        r = run(['pkg-config', '--modversion', 'libgotrace'], env=env)
        if r.stdout.strip() != version:
            fail('pkg-config --modversion libgotrace: %r %s' % (
                r.stdout, r.stderr.strip()))
        r = run(['pkg-config', '--cflags', '--libs', 'libgotrace'], env=env)
        if '-I' + staged(includedir) not in r.stdout.split():
            fail('pkg-config --cflags: %r lacks -I%s' % (r.stdout,
                                                        staged(includedir)))
        if '-lgotrace' not in r.stdout.split():
            fail('pkg-config --libs: %r lacks -lgotrace' % r.stdout)

    # The man pages.
    built_man = os.path.exists(os.path.join(build, 'man', 'gotrace.1'))
    if require_man and not built_man:
        fail('the man pages were not built (-Dman, scdoc)')
    if built_man:
        menv = dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8',
                    MANPAGER='cat', PAGER='cat')
        for sec, page in (('1', 'gotrace'), ('3', 'libgotrace')):
            path = staged(os.path.join(mandir, 'man' + sec, page + '.' + sec))
            if not os.path.isfile(path):
                fail('%s was not installed' % path)
                continue
            r = run(['man', '--warnings', '-l', path], env=menv)
            if r.returncode != 0 or r.stderr.strip() or \
                    'NAME' not in r.stdout or version not in r.stdout:
                fail('man --warnings -l %s: exit %d, %s' % (
                    path, r.returncode, r.stderr.strip()[:500]))
            r = run(['man', '-M', staged(mandir), sec, page], env=menv)
            if r.returncode != 0 or 'SYNOPSIS' not in r.stdout:
                fail('man -M %s %s %s: exit %d, %s' % (
                    staged(mandir), sec, page, r.returncode,
                    r.stderr.strip()[:500]))

    # The Python package, imported from where it was installed.
    inits = [d for d in installed.values()
             if d.endswith(os.path.join('gotrace', '__init__.py'))]
    if require_python and not inits:
        fail('the Python package was not built (-Dpython)')
    for init in inits:
        site = os.path.dirname(os.path.dirname(init))
        if not re.search(r'/(site|dist)-packages$', site):
            fail('the Python package went to %s, not a site directory' % site)
        exts = glob.glob(os.path.join(staged(os.path.dirname(init)),
                                      '_gotrace*.so'))
        if not exts:
            fail('no _gotrace extension next to %s' % init)
        py = python_of(build)
        code = ('import gotrace, sys; '
                'assert gotrace.__file__.startswith(sys.argv[1]), '
                'gotrace.__file__; '
                'print(getattr(gotrace, "__version__", ""))')
        r = run([py, '-c', code, staged(site)],
                env=dict(os.environ, PYTHONPATH=staged(site)), cwd='/')
        if r.returncode != 0:
            fail('%s cannot import the installed gotrace: %s' % (
                py, r.stderr.strip()[-1000:]))
        elif r.stdout.strip() != version:
            fail('gotrace.__version__ is %r, not %r' % (r.stdout.strip(),
                                                         version))

    # CMake, through pkg-config (docs/install.md).
    cmake_build = os.path.join(build, 'cmake-check')
    shutil.rmtree(cmake_build, ignore_errors=True)
    cenv = dict(env)
    r = run(['cmake', '-S', os.path.join(root, 'examples', 'cmake'),
             '-B', cmake_build], env=cenv)
    if r.returncode != 0:
        fail('cmake configure of examples/cmake:\n' + r.stdout + r.stderr)
    else:
        r = run(['cmake', '--build', cmake_build], env=cenv)
        exe = os.path.join(cmake_build, 'state_counts')
        if r.returncode != 0 or not os.path.exists(exe):
            fail('cmake --build of examples/cmake:\n' + r.stdout + r.stderr)
        else:
            needed = run(['readelf', '-d', exe]).stdout
            if '[libgotrace.so.0]' not in needed:
                fail('state_counts (CMake) does not need libgotrace.so.0')
            trace = os.path.join(root, 'testdata', 'traces', 'go1.27',
                                 'churn.trace')
            r = run([exe, trace], env=dict(
                os.environ, LD_LIBRARY_PATH=staged(libdir)))
            if r.returncode != 0 or not r.stdout.strip():
                fail('state_counts (CMake) on churn.trace: exit %d %s' % (
                    r.returncode, r.stderr.strip()[:500]))
    shutil.rmtree(cmake_build, ignore_errors=True)
    shutil.rmtree(relocated, ignore_errors=True)

    if failures:
        sys.exit(1)
    shutil.rmtree(dest, ignore_errors=True)
    print('install: ok (%s; %s%s, CMake)' % (
        prefix, 'man pages, ' if built_man else '',
        'Python package' if inits else 'no Python package'))


def python_of(build):
    """The interpreter the extension was built for: the one meson runs
    under (python/meson.build's find_installation()), which meson's log
    names as its "Main binary"."""
    try:
        with open(os.path.join(build, 'meson-logs', 'meson-log.txt'),
                  encoding='utf-8', errors='replace') as f:
            for line in f:
                m = re.match(r'Main binary: (/\S+)', line)
                if m:
                    return m.group(1)
    except OSError:
        pass
    return '/usr/bin/python3'


if __name__ == '__main__':
    main()
