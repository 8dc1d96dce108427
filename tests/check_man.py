#!/usr/bin/env python3
"""The man pages against the CLI and the headers, so they cannot fall behind.

usage: check_man.py GOTRACE SOURCE_ROOT VERSION [BUILT_PAGE ...]

gotrace.1.scd must document every command `gotrace --help` lists and,
for each command, every long option (and its short form) and environment
variable its `gotrace CMD --help` names, and every long option the
sources give getopt_long (tools/gotrace/*.c, cli.h) — a command's own
options in that command's entry, the shared reading, range and output
options in their sections. libgotrace.3.scd must name every public
header, and every function it names must be declared in one.

The built pages (BUILT_PAGE: man/gotrace.1, man/libgotrace.3 of the build,
when scdoc was found) must carry VERSION, come from the sources with only
@VERSION@ substituted, and render without a warning (man --warnings, or
groff -ww).
"""
import os
import re
import shutil
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def sections(scd):
    """{title: text} of the page's # sections."""
    out = {}
    title = None
    for line in scd.splitlines(keepends=True):
        m = re.match(r'# (.*)', line)
        if m:
            title = m.group(1).strip()
            out[title] = ''
        elif title is not None:
            out[title] += line
    return out


def command_entries(text):
    """{command: text} of the COMMANDS section: an entry starts with a
    line `*name*` at the margin and runs to the next."""
    out = {}
    name = None
    for line in text.splitlines(keepends=True):
        m = re.match(r'\*([a-z]+)\*', line)
        if m:
            name = m.group(1)
            out[name] = ''
        if name is not None:
            out[name] += line
    return out


def long_opts(text):
    return set(re.findall(r'(?<![\w-])--([a-z][a-z0-9-]*)', text))


def has_opt(text, opt):
    return re.search(r'(?<![\w-])--' + re.escape(opt) + r'(?![\w-])',
                     text) is not None


def check_gotrace_page(gotrace, root, scd):
    secs = sections(scd)
    for need in ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS',
                 'READING OPTIONS', 'GENERATION RANGES', 'OUTPUT OPTIONS',
                 'ENVIRONMENT', 'EXIT STATUS', 'DIAGNOSTICS', 'EXAMPLES',
                 'SEE ALSO']:
        if need not in secs:
            fail('gotrace.1: no section %s' % need)
    entries = command_entries(secs.get('COMMANDS', ''))
    shared = ''.join(secs.get(s, '') for s in
                     ['READING OPTIONS', 'GENERATION RANGES',
                      'OUTPUT OPTIONS'])

    top = run([gotrace, '--help'])
    if top.returncode != 0:
        fail('gotrace --help: exit %d' % top.returncode)
        return
    m = re.search(r'^commands:\n((?:  \S.*\n)+)', top.stdout, re.M)
    if m is None:
        fail('gotrace --help: no command list')
        return
    commands = [line.split()[0] for line in m.group(1).splitlines()]
    if len(commands) < 10:
        fail('gotrace --help lists only %d commands' % len(commands))
    for opt in long_opts(top.stdout):
        if not has_opt(secs.get('SYNOPSIS', '') + secs.get('COMMANDS', ''),
                       opt):
            fail('gotrace.1: --%s (gotrace --help) is not in SYNOPSIS or '
                 'COMMANDS' % opt)

    all_help = top.stdout
    for cmd in commands:
        entry = entries.get(cmd)
        if entry is None:
            fail('gotrace.1: command %s has no entry in COMMANDS' % cmd)
            continue
        h = run([gotrace, cmd, '--help'])
        if h.returncode != 0:
            fail('gotrace %s --help: exit %d' % (cmd, h.returncode))
            continue
        all_help += h.stdout
        for opt in sorted(long_opts(h.stdout)):
            if not has_opt(entry, opt) and not has_opt(shared, opt):
                fail('gotrace.1: --%s (gotrace %s --help) is not in the '
                     'entry of %s nor in the shared options' % (opt, cmd,
                                                                cmd))
        # A short form is given as "-x, --long" in the help, and as
        # "*-x*, *--long*" where the page documents the option.
        for short, opt in re.findall(r'^\s+-(\w), --([a-z][a-z0-9-]*)',
                                     h.stdout, re.M):
            pat = r'\*-%s\*, \*--%s\*' % (short, re.escape(opt))
            if not re.search(pat, entry) and not re.search(pat, shared):
                fail('gotrace.1: -%s, --%s (gotrace %s --help) is not '
                     'documented as *-%s*, *--%s*' % (short, opt, cmd,
                                                      short, opt))
    for var in sorted(set(re.findall(r'\$([A-Z][A-Z0-9_]+)', all_help))):
        if not re.search(r'^\*%s\*$' % var, secs.get('ENVIRONMENT', ''),
                         re.M):
            fail('gotrace.1: $%s (named in a --help) is not in '
                 'ENVIRONMENT' % var)

    # What getopt_long accepts, whether or not a help text names it.
    src = os.path.join(root, 'tools', 'gotrace')
    for name in sorted(os.listdir(src)):
        if not name.endswith(('.c', '.h')):
            continue
        with open(os.path.join(src, name), encoding='utf-8') as f:
            text = f.read()
        for opt in re.findall(r'\{"([a-z][a-z0-9-]*)",\s*'
                              r'(?:no|required|optional)_argument', text):
            if not has_opt(scd, opt):
                fail('gotrace.1: --%s (getopt_long in %s) is not '
                     'documented' % (opt, name))


def check_library_page(root, scd):
    secs = sections(scd)
    incdir = os.path.join(root, 'include', 'gotrace')
    headers = sorted(h for h in os.listdir(incdir) if h.endswith('.h'))
    declared = set()
    for h in headers:
        if '<gotrace/%s>' % h not in secs.get('HEADERS', ''):
            fail('libgotrace.3: <gotrace/%s> is not in HEADERS' % h)
        with open(os.path.join(incdir, h), encoding='utf-8') as f:
            text = f.read()
        declared |= set(re.findall(r'\b(gotrace_\w+)\s*\(', text))
        declared |= set(re.findall(r'\b(gotrace_\w+|GOTRACE_\w+)\b', text))
    if len(declared) < 100:
        fail('libgotrace.3: only %d names found in the headers' %
             len(declared))
    for name in sorted(set(re.findall(r'\*?(gotrace_\w+)\*?\(\)', scd))):
        if name not in declared:
            fail('libgotrace.3: %s() is declared in no header' % name)
    for name in sorted(set(re.findall(r'\b(GOTRACE_[A-Z0-9_]*[A-Z0-9])\b',
                                      scd))):
        if name not in declared:
            fail('libgotrace.3: %s is declared in no header' % name)


def check_built(root, version, page):
    base = os.path.basename(page)
    with open(page, encoding='utf-8') as f:
        roff = f.read()
    m = re.search(r'^\.TH "([^"]*)" "([^"]*)" "[^"]*" "([^"]*)"', roff, re.M)
    if m is None:
        fail('%s: no .TH line' % base)
    elif m.group(3) != 'libgotrace ' + version:
        fail('%s: .TH says "%s", not "libgotrace %s"' % (base, m.group(3),
                                                           version))
    # The configured source next to the page: only @VERSION@ replaced
    # (configure_file would blank any other @WORD@).
    configured = page + '.scd'
    with open(os.path.join(root, 'man', base + '.scd'),
              encoding='utf-8') as f:
        source = f.read()
    if '@VERSION@' not in source:
        fail('%s.scd: no @VERSION@' % base)
    if os.path.exists(configured):
        with open(configured, encoding='utf-8') as f:
            if f.read() != source.replace('@VERSION@', version):
                fail('%s: configure_file changed more than @VERSION@' %
                     configured)
    env = dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8', MANPAGER='cat',
               PAGER='cat')
    man = shutil.which('man')
    groff = shutil.which('groff')
    if man is not None:
        r = run([man, '--warnings', '-l', page], env=env)
        tool = 'man --warnings -l'
    elif groff is not None:
        r = run([groff, '-man', '-ww', '-z', page], env=env)
        tool = 'groff -man -ww'
    else:
        print('%s: neither man nor groff: not rendered' % base)
        return
    if r.returncode != 0 or r.stderr.strip():
        fail('%s: %s: exit %d: %s' % (base, tool, r.returncode,
                                      r.stderr.strip()[:2000]))
    elif man is not None and 'NAME' not in r.stdout:
        fail('%s: %s rendered no NAME section' % (base, tool))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    gotrace, root, version = sys.argv[1:4]
    built = sys.argv[4:]
    with open(os.path.join(root, 'man', 'gotrace.1.scd'),
              encoding='utf-8') as f:
        check_gotrace_page(gotrace, root, f.read())
    with open(os.path.join(root, 'man', 'libgotrace.3.scd'),
              encoding='utf-8') as f:
        check_library_page(root, f.read())
    for page in built:
        check_built(root, version, page)
    if not built:
        print('the pages were not built (no scdoc): sources checked only')
    for msg in failures:
        print('FAIL: ' + msg)
    if failures:
        sys.exit(1)
    print('man pages: ok (%d built)' % len(built))


if __name__ == '__main__':
    main()
