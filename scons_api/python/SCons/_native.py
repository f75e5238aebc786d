"""Hot spots done in Rust when the front end runs inside docons (the `_docons_native` module,
scons_api/src/native.rs); under CPython nothing changes.

posixpath.normpath and posixpath.join are pure Python under RustPython and are called a few times
per node and per file probe: with the native module they are replaced, for str arguments, by
exact Rust versions (so os.path.abspath, which uses them, is faster too)."""
import posixpath

try:
    import _docons_native as native
except ImportError:
    native = None


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
