#!/usr/bin/env python3
"""Compare the command lines real SCons prints (`scons -Q -n .`) for a tree with
the `show` strings of the tasks in docons's graph for the same tree.

usage: check_commands.py DIR [KEY=VALUE ...]   (SCONS=/path/to/scons to override)
Exit status 0 when the two sets are identical."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCONS = os.environ.get('SCONS', '/tmp/scons-ref/bin/scons')


def fresh_copy(src):
    # the same path each time, so that absolute paths compare equal
    d = os.path.join(tempfile.gettempdir(), 'docons-check-%d' % os.getuid())
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    dst = os.path.join(d, 'tree')
    shutil.copytree(src, dst, symlinks=True)
    return dst


def scons_lines(tree, args):
    p = subprocess.run([SCONS, '-Q', '-n', '.'] + args, cwd=tree, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write("scons failed:\n" + p.stdout + p.stderr)
    return [l for l in p.stdout.splitlines() if l.strip() and not l.startswith('scons: ')]


def docons_lines(tree, args):
    outfile = os.path.join(os.path.dirname(tree), 'graph.json')
    p = subprocess.run([sys.executable, os.path.join(HERE, 'read_graph.py'), '-C', tree,
                        '-o', outfile] + args, cwd=tree, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write("read_graph failed:\n" + p.stderr)
        sys.exit(2)
    with open(outfile) as f:
        g = json.load(f)
    out = [l for l in p.stdout.splitlines() if l.strip()]   # the scripts' own print()s
    for t in g['tasks']:
        for a in t['actions']:
            if a.get('show'):
                out.extend(a['show'].splitlines())
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    src = os.path.abspath(sys.argv[1])
    args = sys.argv[2:]
    a = scons_lines(fresh_copy(src), args)
    b = docons_lines(fresh_copy(src), args)
    sa, sb = set(a), set(b)
    ok = sa == sb
    for l in sorted(sa - sb):
        print("only scons : " + l)
    for l in sorted(sb - sa):
        print("only docons: " + l)
    print("%s: %s (%d scons lines, %d docons lines)" % (os.path.basename(src), 'OK' if ok else 'DIFF',
                                                        len(sa), len(sb)))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
