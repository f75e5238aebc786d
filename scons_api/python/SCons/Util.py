"""Small helpers that SConscripts use via SCons.Util."""
import os
import re
from collections import UserDict, UserList, UserString, deque
from collections.abc import MappingView

_list_types = (list, UserList, deque, MappingView)
_seq_types = (list, tuple, UserList, deque, MappingView)
_dict_types = (dict, UserDict)
_str_types = (str, UserString)


def type_test(types):
    """isinstance(obj, types), remembered per type: the collections classes are ABCs, whose
    isinstance is slow under RustPython. Not remembered for objects whose __class__ is not their
    type (proxies)."""
    memo = {}

    def test(obj):
        t = type(obj)
        r = memo.get(t)
        if r is None:
            r = isinstance(obj, types)
            if obj.__class__ is t:
                memo[t] = r
        return r
    return test


_is_list = type_test(_list_types)
_is_seq = type_test(_seq_types)
_is_str = type_test(_str_types)


def is_List(obj):
    return _is_list(obj)


def is_Tuple(obj):
    return isinstance(obj, tuple)


def is_Sequence(obj):
    return _is_seq(obj)


def is_Dict(obj):
    return isinstance(obj, _dict_types)


def is_String(obj):
    return obj.__class__ is str or _is_str(obj)


def is_Scalar(obj):
    return _is_str(obj) or not _is_seq(obj)


def flatten(obj, result=None):
    """Flatten nested lists/tuples; strings are atoms."""
    if result is None:
        result = []
    if obj.__class__ is str or not _is_seq(obj):
        result.append(obj)
        return result
    for item in obj:
        if item.__class__ is not str and _is_seq(item):
            flatten(item, result)
        else:
            result.append(item)
    return result


def flatten_sequence(seq, result=None):
    return flatten(seq, result)


def Split(arg):
    if is_List(arg) or is_Tuple(arg):
        return list(arg)
    if is_String(arg):
        return str(arg).split()
    return [arg]


class CLVar(UserList):
    """A list of command-line words; strings given to it are split on whitespace."""

    def __init__(self, initlist=None):
        super().__init__(Split(initlist if initlist is not None else []))

    def __add__(self, other):
        return super().__add__(CLVar(other))

    def __radd__(self, other):
        return super().__radd__(CLVar(other))

    def __iadd__(self, other):
        return super().__iadd__(CLVar(other))

    def __str__(self):
        return ' '.join(str(x) for x in self.data)


class NodeList(UserList):
    """A list of nodes that forwards attribute access to each element."""

    def __bool__(self):
        return bool(self.data)

    def __str__(self):
        return ' '.join(map(str, self.data))

    def __iter__(self):
        return iter(self.data)

    def __call__(self, *args, **kwargs):
        return self.__class__([x(*args, **kwargs) for x in self.data])

    def __getattr__(self, name):
        if name.startswith('__') or name == 'data':
            raise AttributeError(name)
        return self.__class__([getattr(x, name) for x in self.data])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.__class__(self.data[index])
        return self.data[index]


def splitext(path):
    """Like os.path.splitext, except that an all-digit 'extension' (a version
    number such as .1) is not a suffix."""
    dot = path.rfind('.')
    if dot > path.rfind('/') and not path[dot + 1:].isdigit():
        return path[:dot], path[dot:]
    return path, ""


def _native_function(name):
    from SCons._native import native
    return getattr(native, name, None)


_native_semi_deepcopy = _native_function('semi_deepcopy')
_kept_types = {}   # types semi_deepcopy keeps as they are (none of the copied kinds)


def _native_splitext():
    """(splitext, splitext for a str): the Rust version when the front end runs in docons."""
    from SCons._native import native
    py = splitext
    n = getattr(native, 'splitext', None)
    if n is None:
        return py, py

    def splitext_any(path):
        if path.__class__ is str:
            return n(path)
        return py(path)
    splitext_any.__doc__ = py.__doc__
    return splitext_any, n


splitext, splitext_str = _native_splitext()


def adjustixes(fname, pre, suf, ensure_suffix=False):
    if pre:
        path, fn = os.path.split(os.path.normpath(fname))
        if not fn.startswith(pre) or fn == pre:
            fname = os.path.join(path, pre + fn)
    if suf and not fname.endswith(suf) and \
            (ensure_suffix or not (splitext_str if fname.__class__ is str else splitext)(fname)[1]):
        fname = fname + suf
    return fname


def to_String(obj):
    if isinstance(obj, str):
        return obj
    if isinstance(obj, UserString):
        return obj.data
    return str(obj)


def to_String_for_subst(obj):
    if isinstance(obj, str):
        return obj
    if isinstance(obj, _seq_types):
        return ' '.join(to_String_for_subst(e) for e in obj)
    if isinstance(obj, UserString):
        return obj.data
    return str(obj)


def to_String_for_signature(obj):
    f = getattr(obj, 'for_signature', None)
    if f is not None:
        return f()
    if isinstance(obj, dict):
        return str(sorted(obj.items()))
    return to_String_for_subst(obj)


def to_bytes(s):
    if isinstance(s, (bytes, bytearray)):
        return bytes(s)
    return str(s).encode('utf-8')


def to_str(s):
    if isinstance(s, (bytes, bytearray)):
        return s.decode('utf-8')
    return str(s)


def unique(seq):
    seen = set()
    out = []
    for x in seq:
        try:
            if x in seen:
                continue
            seen.add(x)
        except TypeError:
            if x in out:
                continue
        out.append(x)
    return out


def uniquer_hashables(seq):
    return unique(seq)


_atom_classes = frozenset((str, int, float, bool, type(None)))


def semi_deepcopy(obj):
    """Copy dicts/lists/tuples/CLVars recursively; other objects are shared."""
    if _native_semi_deepcopy is not None:
        # (the plain values in Rust; the others come back to _py_semi_deepcopy)
        return _native_semi_deepcopy(obj, _py_semi_deepcopy, _kept_types)
    return _py_semi_deepcopy(obj)


def _py_semi_deepcopy(obj):
    c = obj.__class__
    if c in _atom_classes:
        return obj      # (the usual values, told without the isinstance tests)
    if c is dict:
        return {k: semi_deepcopy(v) for k, v in obj.items()}
    if c is list:
        return [semi_deepcopy(v) for v in obj]
    if isinstance(obj, dict):
        return {k: semi_deepcopy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [semi_deepcopy(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(semi_deepcopy(v) for v in obj)
    if isinstance(obj, deque):
        return deque(semi_deepcopy(v) for v in obj)
    if isinstance(obj, UserList):
        new = obj.__class__.__new__(obj.__class__)
        new.__dict__.update(obj.__dict__)
        new.data = [semi_deepcopy(v) for v in obj.data]
        return new
    if isinstance(obj, UserDict):
        new = obj.__class__.__new__(obj.__class__)
        new.__dict__.update(obj.__dict__)
        new.data = {k: semi_deepcopy(v) for k, v in obj.data.items()}
        return new
    if obj.__class__ is type(obj):
        _kept_types[c] = True   # (isinstance answers by type: the next ones are kept in Rust)
    return obj


def WhereIs(file, path=None, pathext=None, reject=None):
    if path is None:
        path = os.environ.get('PATH', '')
    if is_String(path):
        path = path.split(os.pathsep)
    if reject is None:
        reject = []
    elif not is_List(reject):
        reject = [reject]
    for d in path:
        f = os.path.join(str(d), file)
        if os.path.isfile(f) and os.access(f, os.X_OK):
            if f in reject:
                continue
            return os.path.normpath(f)
    return None


def AppendPath(oldpath, newpath, sep=os.pathsep, delete_existing=True, canonicalize=None):
    return _add_path(oldpath, newpath, sep, delete_existing, canonicalize, append=True)


def PrependPath(oldpath, newpath, sep=os.pathsep, delete_existing=True, canonicalize=None):
    return _add_path(oldpath, newpath, sep, delete_existing, canonicalize, append=False)


def _add_path(oldpath, newpath, sep, delete_existing, canonicalize, append):
    orig = oldpath
    is_list = True
    if not is_List(orig):
        oldpath = str(orig).split(sep) if orig else []
        is_list = False
    else:
        oldpath = list(orig)
    if is_String(newpath):
        newpath = str(newpath).split(sep)
    elif not is_List(newpath):
        newpath = [newpath]
    if canonicalize:
        newpath = list(map(canonicalize, newpath))
    if delete_existing:
        oldpath = [p for p in oldpath if p not in newpath]
        paths = oldpath + newpath if append else newpath + oldpath
    else:
        extra = [p for p in newpath if p not in oldpath]
        paths = oldpath + extra if append else extra + oldpath
    out = []
    for p in paths:
        if p and p not in out:
            out.append(p)
    if is_list:
        return out
    return sep.join(str(p) for p in out)


def get_environment_var(varstr):
    m = re.match(r'^\$(?:\{([_a-zA-Z]\w*)\}|([_a-zA-Z]\w*))$', varstr)
    if m:
        return m.group(1) or m.group(2)
    return None


def make_path_relative(path):
    if os.path.isabs(path):
        drive, path = os.path.splitdrive(path)
        path = path.lstrip('/\\')
    return path


def case_sensitive_suffixes(s1, s2):
    return os.path.normcase(s1) != os.path.normcase(s2)


def get_native_path(path):
    return str(path)


class Null:
    """An object that accepts anything and does nothing."""

    def __new__(cls, *args, **kwargs):
        if '_instance' not in vars(cls):
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return self

    def __bool__(self):
        return False

    def __getattr__(self, name):
        return self

    def __setattr__(self, name, value):
        return self


class Selector(dict):
    """A dict mapping source suffixes to values (used by builders)."""

    def __call__(self, env, source, ext=None):
        if ext is None:
            try:
                ext = source[0].get_suffix()
            except IndexError:
                ext = ""
        try:
            return self[ext]
        except KeyError:
            return self.get(None)


def Dispatcher(*args, **kwargs):
    from .Errors import unsupported
    unsupported("SCons.Util.Dispatcher")


def silent_intern(x):
    return x


def hash_signature(s, hash_format=None):
    import hashlib
    return hashlib.md5(to_bytes(s)).hexdigest()


MD5signature = hash_signature


def display(msg):
    print(msg)


def print_tree(*args, **kwargs):
    from .Errors import unsupported
    unsupported("SCons.Util.print_tree")


def AddMethod(obj, function, name=None):
    """Attach function to obj as a method: on a class every instance gets it,
    on an instance only that object does (bound to it)."""
    import types
    name = name or function.__name__
    if isinstance(obj, type):
        setattr(obj, name, function)
    else:
        setattr(obj, name, types.MethodType(function, obj))
