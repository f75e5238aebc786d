#!/usr/bin/env python3
"""Record the end-to-end goldens from real SCons 4.11.1.

Regenerate all goldens (from the repository root):

    python3 tests/record_goldens.py --scons /tmp/scons-ref/bin/scons

or only some:  python3 tests/record_goldens.py --scons /tmp/scons-ref/bin/scons hello_basic glob
(real SCons: python3 -m venv /tmp/scons-ref && /tmp/scons-ref/bin/pip install scons==4.11.1)

Each tests/scenarios/NAME.scn is replayed in a fresh temp copy of its tree with `scons`,
and the transcript is written to tests/golden/NAME.txt.  tests/end_to_end.rs replays the
same scenario with `docons`, builds its transcript the same way and compares the texts.

SCENARIO LANGUAGE (one step a line; words are bare or "double quoted" with \\n \\t \\" \\\\
escapes; a bare word starting with # starts a comment; blank lines are ignored):

  tree NAME               first step: copy tests/trees/NAME (else examples/NAME) to $TOP
  run ARGS...             run scons (recording) / docons (testing) with ARGS in the current
                          dir; records argv, exit status, stdout, stderr and the file list
  run-unordered ARGS...   same, but the lines of stdout and of stderr are sorted (for -j N)
  cd DIR                  later run/exec steps run in $TOP/DIR (`cd .` = back to $TOP)
  touch PATH              move PATH's mtime forward, content unchanged
  write PATH "TEXT"       set PATH's content (creates folders); mtime moves forward
  append PATH "TEXT"      append TEXT to PATH; mtime moves forward
  replace PATH "OLD" "NEW"  replace the first OLD in PATH by NEW (OLD must occur)
  rm PATH                 remove the file PATH
  exists PATH...          these files exist (the golden says ok/FAILED)
  missing PATH...         these files do not exist
  nostate                 the previous run step created, changed and removed no file or
                          folder under $TOP: neither outputs nor state (docons's own or
                          .sconsign.dblite), except that a new EMPTY .sconsign.dblite is
                          allowed (SCons 4.11.1 `-n` creates one, 0 bytes, and writes nothing)
  exec PROG ARGS...       run a built program (PROG relative to the current dir); records
                          its exit status and stdout

PATHs of touch/write/append/replace/rm/exists/missing are relative to $TOP.
After every run step the sorted list of files and folders (`path/`) under $TOP is recorded,
leaving out engine state: names starting with `.sconsign` (SCons) or `.docons` (docons; file or folder).

NORMALISATION (same in end_to_end.rs): $TOP's absolute path (and its realpath) becomes
`$TOP`; in Python tracebacks, a frame `  File "PATH", line N:` whose PATH is not under $TOP
(SCons's own library, the Python install, docons's embedded library) is dropped together
with its source line (the next line, if indented more), so only the SConstruct/SConscript
frames are compared.  The program is always shown as `scons` in the transcript.
"""
import os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def words(line):
    out, i, n = [], 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
        elif line[i] == '"':
            i, w = i + 1, ''
            while line[i] != '"':
                if line[i] == '\\':
                    i += 1
                    w += {'n': '\n', 't': '\t'}.get(line[i], line[i])
                else:
                    w += line[i]
                i += 1
            out.append(w)
            i += 1
        elif line[i] == '#':
            break
        else:
            j = i
            while j < n and not line[j].isspace():
                j += 1
            out.append(line[i:j])
            i = j
    return out


def quote(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n').replace('\t', '\\t')


def is_state(name):
    return name.startswith('.sconsign') or name.startswith('.docons')


def snapshot(top, with_state):
    """{relative path: (size, mtime_ns)} of the files under top, and its folders as `path/`."""
    snap = {}
    for d, dirs, files in os.walk(top):
        if not with_state:
            dirs[:] = [x for x in dirs if not is_state(x)]
        snap.update({os.path.relpath(os.path.join(d, x), top) + '/': (0, 0) for x in dirs})
        for f in files:
            if with_state or not is_state(f):
                p = os.path.join(d, f)
                st = os.lstat(p)
                snap[os.path.relpath(p, top).replace(os.sep, '/')] = (st.st_size, st.st_mtime_ns)
    return snap


FRAME = re.compile(r'^(\s*)File "([^"]*)", line \d+')


def normalise(text, top, unordered):
    for t in sorted({os.path.realpath(top), top}, key=len, reverse=True):
        text = text.replace(t, '$TOP')
    lines, out, i = text.split('\n'), [], 0
    if lines and lines[-1] == '':
        lines.pop()
    while i < len(lines):
        m = FRAME.match(lines[i])
        if m and not m.group(2).startswith('$TOP'):
            ind = len(m.group(1))
            i += 1
            if i < len(lines) and len(lines[i]) - len(lines[i].lstrip()) > ind:
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return sorted(out) if unordered else out


def bump_mtime(path):
    st = os.stat(path)
    t = max(time.time_ns(), st.st_mtime_ns + 1_000_000_000)
    os.utime(path, ns=(t, t))


def run_scenario(name, scons):
    steps = []
    with open(os.path.join(HERE, 'scenarios', name + '.scn')) as f:
        for line in f:
            w = words(line)
            if w:
                steps.append(w)
    assert steps[0][0] == 'tree', name + ': first step must be `tree NAME`'
    src = os.path.join(HERE, 'trees', steps[0][1])
    if not os.path.isdir(src):
        src = os.path.join(ROOT, 'examples', steps[0][1])
    tmp = tempfile.mkdtemp(prefix='scons-golden-')
    top = os.path.join(tmp, 'top')
    shutil.copytree(src, top, copy_function=shutil.copy)  # fresh mtimes, like Rust's fs::copy
    cwd, out, before = '.', ['# tree ' + steps[0][1]], None
    env = dict(os.environ)
    env.pop('SCONSFLAGS', None)
    try:
        for w in steps[1:]:
            op, args = w[0], w[1:]
            P = lambda p: os.path.join(top, p)
            if op in ('run', 'run-unordered'):
                before = snapshot(top, True)
                r = subprocess.run([scons] + args, cwd=P(cwd), env=env, stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True)
                uno = op == 'run-unordered'
                out.append('$ %s%s' % ('' if cwd == '.' else '(cd %s) ' % cwd, ' '.join(['scons'] + args)))
                out.append('exit %d' % r.returncode)
                out.append('--- stdout%s' % (' (sorted)' if uno else ''))
                out += normalise(r.stdout, top, uno)
                out.append('--- stderr%s' % (' (sorted)' if uno else ''))
                out += normalise(r.stderr, top, uno)
                out.append('--- files')
                out += sorted(snapshot(top, False))
                out.append('---')
            elif op == 'exec':
                prog = os.path.join(P(cwd), args[0]) if '/' in args[0] else args[0]
                r = subprocess.run([prog] + args[1:], cwd=P(cwd), env=env, stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True)
                out.append('$ %s%s' % ('' if cwd == '.' else '(cd %s) ' % cwd, ' '.join(args)))
                out.append('exit %d' % r.returncode)
                out.append('--- stdout')
                out += normalise(r.stdout, top, False)
                out.append('---')
            elif op == 'cd':
                cwd = os.path.normpath(args[0])
                out.append('> cd ' + cwd)
            elif op in ('touch', 'write', 'append', 'replace', 'rm'):
                p = P(args[0])
                if op == 'write' or op == 'append':
                    os.makedirs(os.path.dirname(p), exist_ok=True)
                    with open(p, 'w' if op == 'write' else 'a', newline='') as f:
                        f.write(args[1])
                elif op == 'replace':
                    with open(p, newline='') as f:
                        s = f.read()
                    assert args[1] in s, '%s: replace: %r not in %s' % (name, args[1], args[0])
                    with open(p, 'w', newline='') as f:
                        f.write(s.replace(args[1], args[2], 1))
                if op == 'rm':
                    os.remove(p)
                else:
                    bump_mtime(p)
                out.append('> ' + ' '.join([op, args[0]] + [quote(a) for a in args[1:]]))
            elif op in ('exists', 'missing', 'nostate'):
                if op == 'nostate':
                    now = snapshot(top, True)
                    if '.sconsign.dblite' not in before and now.get('.sconsign.dblite', (0,))[0] == 0:
                        now.pop('.sconsign.dblite', None)
                    ok = now == before
                    out.append('nostate: ' + ('ok' if ok else 'FAILED'))
                else:
                    for a in args:
                        ok = os.path.exists(P(a)) == (op == 'exists')
                        out.append('%s %s: %s' % (op, a, 'ok' if ok else 'FAILED'))
                if not ok:
                    sys.exit('%s: scons disagrees with `%s`:\n%s' % (name, ' '.join(w), '\n'.join(out)))
            else:
                sys.exit('%s: unknown step %r' % (name, op))
    finally:
        shutil.rmtree(tmp)
    return '\n'.join(out) + '\n'


def main():
    argv = sys.argv[1:]
    scons = 'scons'
    if argv[:1] == ['--scons']:
        scons, argv = os.path.abspath(argv[1]), argv[2:]
    names = argv or sorted(f[:-4] for f in os.listdir(os.path.join(HERE, 'scenarios')) if f.endswith('.scn'))
    os.makedirs(os.path.join(HERE, 'golden'), exist_ok=True)
    for name in names:
        text = run_scenario(name, scons)
        with open(os.path.join(HERE, 'golden', name + '.txt'), 'w') as f:
            f.write(text)
        print('recorded', name)


if __name__ == '__main__':
    main()
