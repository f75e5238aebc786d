"""Hot spots done in Rust when the front end runs inside docons (the `_docons_native` module,
scons_api/src/native.rs); under CPython nothing changes.

posixpath.normpath and posixpath.join are pure Python under RustPython and are called a few times
per node and per file probe: with the native module they are replaced, for str arguments, by
exact Rust versions (so os.path.abspath, which uses them, is faster too).

`stat_kind(path)` (one stat answering exists/isfile/isdir) and `join_norm(base, name)`
(normpath(join(base, name))) are the node lookup's own: Rust when present, else Python."""
import os
import posixpath
import stat as _stat

try:
    import _docons_native as native
except ImportError:
    native = None

KIND_MISSING, KIND_FILE, KIND_DIR, KIND_OTHER = 0, 1, 2, 3


def _py_stat_kind(path):
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return KIND_MISSING
    if _stat.S_ISREG(mode):
        return KIND_FILE
    if _stat.S_ISDIR(mode):
        return KIND_DIR
    return KIND_OTHER


def _py_join_norm(base, name):
    return posixpath.normpath(posixpath.join(base, name))


if native is not None:
    stat_kind = native.stat_kind
    join_norm = native.join_norm
else:
    stat_kind = _py_stat_kind
    join_norm = _py_join_norm


def _install():
    if native is None or getattr(posixpath.normpath, '_docons', False):
        return
    py_normpath = posixpath.normpath
    py_join = posixpath.join
    n_normpath = native.normpath
    n_join = native.join

    def normpath(path):
        if path.__class__ is str:
            try:
                return n_normpath(path)
            except ValueError:
                pass
        return py_normpath(path)

    def join(a, *p):
        if a.__class__ is str and len(p) == 1 and p[0].__class__ is str:
            try:
                return n_join(a, p[0])
            except ValueError:
                pass
        return py_join(a, *p)

    normpath.__doc__ = py_normpath.__doc__
    join.__doc__ = py_join.__doc__
    normpath._docons = join._docons = True
    posixpath.normpath = normpath
    posixpath.join = join


_install()
