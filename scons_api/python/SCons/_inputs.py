"""What the scripts read while they declare the graph.

The engine keeps the declared graph and reuses it, without running Python at all, while everything
the scripts' result could depend on is unchanged. This module lists that "everything": the files the
scripts opened (SConscripts, site_scons, imported modules, data files), the paths whose existence
or kind they checked, the folders they listed (Glob, os.listdir), the environment variables they
looked up, and whether they did something docons cannot check afterwards (ran a command), which
makes the graph not reusable. It hooks the os/os.path/open/subprocess functions once, at import.
"""
import builtins
import os
import os.path
import sys

from SCons._native import stat_kind, KIND_MISSING, KIND_FILE, KIND_DIR

files = set()     # absolute paths whose content the scripts read (or wrote)
probes = {}       # (absolute path, predicate) -> result: predicate is exists/isfile/isdir/islink
kinds = {}        # absolute path -> what the node lookup found there (path_kind): one stat each
listings = set()  # absolute folder paths whose entries the scripts listed
globs = set()     # (absolute folder path, fnmatch pattern): the entries matching it were listed
env_vars = {}     # name -> value (None when unset) the scripts looked up
env_all = [False]  # the scripts looked at the whole environment
volatile = []     # reasons the graph cannot be reused
_recording = [False]


def start():
    files.clear()
    probes.clear()
    kinds.clear()
    listings.clear()
    globs.clear()
    env_vars.clear()
    env_all[0] = False
    del volatile[:]
    _recording[0] = True


def stop():
    _recording[0] = False
    for mod in list(sys.modules.values()):
        f = getattr(mod, '__file__', None)
        if isinstance(f, str) and os.path.isabs(f) and _orig_isfile(f):
            files.add(f)


def _abs(p):
    if p.__class__ is str and p[:1] == '/':
        return os.path.normpath(p)
    try:
        p = os.fspath(p)
    except TypeError:
        return None
    if isinstance(p, bytes):
        p = p.decode('utf-8', 'surrogateescape')
    if not isinstance(p, str):
        return None
    return os.path.normpath(os.path.join(os.getcwd(), p))


# The one probe that stands for a path_kind answer, and the others that answer implies: the
# engine checks that one probe again, and it fails whenever one of the implied answers changed.
_KIND_PROBE = {
    KIND_MISSING: (('exists', False), (('isfile', False), ('isdir', False))),
    KIND_FILE: (('isfile', True), (('exists', True), ('isdir', False))),
    KIND_DIR: (('isdir', True), (('exists', True), ('isfile', False))),
}


def path_kind(abspath):
    """What is at `abspath` (normalised, absolute): KIND_MISSING, KIND_FILE, KIND_DIR or
    KIND_OTHER; one stat standing for os.path.exists, isfile and isdir, noted as a probe."""
    k = stat_kind(abspath)
    if _recording[0]:
        kinds[abspath] = k
    return k


def _probe_list():
    """The probes as [path, predicate, result]: a path_kind answer as its one standing probe
    (three for KIND_OTHER), and the os.path probes it does not already imply."""
    out = []
    implied = set()
    for p, k in kinds.items():
        hit = _KIND_PROBE.get(k)
        if hit is None:
            out.append([p, 'exists', True])
            out.append([p, 'isfile', False])
            out.append([p, 'isdir', False])
            implied.add((p, 'exists', True))
            implied.add((p, 'isfile', False))
            implied.add((p, 'isdir', False))
            continue
        (pred, result), others = hit
        out.append([p, pred, result])
        implied.add((p, pred, result))
        for pred, result in others:
            implied.add((p, pred, result))
    for (p, pred), result in probes.items():
        if (p, pred, result) not in implied:
            out.append([p, pred, result])
    return out


def manifest(sort=True):
    """The list, as plain data for the result JSON. Without `sort` the lists come in no
    particular order (the caller sorts them: sorting tens of thousands of probes is slow
    under RustPython) and the path_kind answers come apart, as `kinds` {path: kind}, for the
    caller to turn into probes as _probe_list does (scons_api/src/lib.rs, expand_kinds)."""
    order = sorted if sort else list
    out = {
        'files': order(files),
        'listings': order(listings),
        'globs': [list(g) for g in order(globs)],
        'env': None if env_all[0] else dict(order(env_vars.items())),
        'volatile': list(volatile),
    }
    if sort:
        out['probes'] = sorted(_probe_list())
    else:
        out['probes'] = [[p, k, r] for (p, k), r in probes.items()]
        out['kinds'] = kinds
    return out


def _probe(name, orig):
    def probe(path):
        result = orig(path)
        if _recording[0]:
            a = _abs(path)
            if a is not None:
                probes[(a, name)] = bool(result)
        return result
    probe.__name__ = orig.__name__
    return probe


_orig_isfile = os.path.isfile
os.path.exists = _probe('exists', os.path.exists)
os.path.isfile = _probe('isfile', os.path.isfile)
os.path.isdir = _probe('isdir', os.path.isdir)
os.path.islink = _probe('islink', os.path.islink)


def _reads_content(orig):
    def reader(path, *args, **kw):
        if _recording[0] and not isinstance(path, int):
            a = _abs(path)
            if a is not None:
                files.add(a)
        return orig(path, *args, **kw)
    reader.__name__ = orig.__name__
    return reader


builtins.open = _reads_content(builtins.open)
os.path.getmtime = _reads_content(os.path.getmtime)
os.path.getsize = _reads_content(os.path.getsize)




def _lists(orig):
    def lister(path='.', *args, **kw):
        if _recording[0] and not isinstance(path, int):
            a = _abs(path)
            if a is not None:
                listings.add(a)
        return orig(path, *args, **kw)
    lister.__name__ = orig.__name__
    return lister


_orig_listdir = os.listdir
os.listdir = _lists(os.listdir)


def list_matching(folder, pattern):
    """os.listdir for Glob: the result depends only on the entries matching `pattern`
    (fnmatchcase), so only those are noted, and creating other files (build outputs) in the
    folder does not make the graph stale."""
    if _recording[0]:
        globs.add((_abs(folder), pattern))
    return _orig_listdir(folder)
os.scandir = _lists(os.scandir)


def _runs_command(what, orig):
    def runner(*args, **kw):
        if _recording[0]:
            volatile.append('ran a command (%s)' % what)
        return orig(*args, **kw)
    runner.__name__ = getattr(orig, '__name__', what)
    return runner


os.system = _runs_command('os.system', os.system)
os.popen = _runs_command('os.popen', os.popen)
if hasattr(os, 'posix_spawn'):
    os.posix_spawn = _runs_command('os.posix_spawn', os.posix_spawn)
os.fork = _runs_command('os.fork', os.fork)
for _name in ('execv', 'execve', 'spawnv', 'spawnve'):
    if hasattr(os, _name):
        setattr(os, _name, _runs_command('os.' + _name, getattr(os, _name)))


class _RecordingEnviron(type(os.environ)):
    """os.environ, noting which variables the scripts look up."""

    def __getitem__(self, key):
        try:
            value = super().__getitem__(key)
        except KeyError:
            if _recording[0]:
                env_vars.setdefault(key, None)
            raise
        if _recording[0]:
            env_vars.setdefault(key, value)
        return value

    def __contains__(self, key):
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __iter__(self):
        if _recording[0]:
            env_all[0] = True
        return super().__iter__()

    def __len__(self):
        if _recording[0]:
            env_all[0] = True
        return super().__len__()

    def copy(self):
        if _recording[0]:
            env_all[0] = True
        return dict(super().items())


def _wrap_environ():
    old = os.environ
    try:
        new = _RecordingEnviron(old._data, old.encodekey, old.decodekey,
                                old.encodevalue, old.decodevalue)
    except Exception:
        return
    os.environ = new


_wrap_environ()


class Tee:
    """A stream that writes through and keeps a copy, so the scripts' output can be replayed
    (with `echo` false, it only keeps the copy: the output was shown already)."""

    def __init__(self, stream, echo=True):
        self.stream = stream
        self.parts = []
        self.echo = echo

    def write(self, text):
        self.parts.append(text)
        if not self.echo:
            return len(text)
        return self.stream.write(text)

    def flush(self):
        return self.stream.flush()

    def text(self):
        return ''.join(self.parts)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def run_probe(argv, executable):
    """Run a tool to ask it something (its version): the answer depends only on the tool's
    executable, which is noted as a file input, so this does not make the graph volatile."""
    import subprocess
    was = _recording[0]
    _recording[0] = False
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10)
    finally:
        _recording[0] = was
        if was and executable:
            files.add(os.path.realpath(executable))


def _watch_subprocess():
    import subprocess
    orig = subprocess.Popen.__init__

    def popen_init(self, *args, **kw):
        if _recording[0]:
            volatile.append('ran a command (subprocess)')
        return orig(self, *args, **kw)

    subprocess.Popen.__init__ = popen_init


_watch_subprocess()
