"""Scanners: user `Scanner()` objects, which find a file's implicit dependencies
with a Python function. The engine calls them back (SCons._docons.callback 'scan')
when it evaluates a task whose sources they apply to, so generated files are
scanned after they are built. The C include scanner itself lives in the engine."""
from SCons.Util import is_List, is_String, flatten


_null = object()  # "argument not given": an explicit None is still passed on


class ScannerBase:
    def __init__(self, function, name="NONE", argument=_null, skeys=None,
                 path_function=None, node_class=None, node_factory=None,
                 scan_check=None, recursive=None):
        self.function = function
        self.name = name
        self.argument = argument
        if skeys is None:
            skeys = []
        self.skeys = skeys
        self.path_function = path_function
        self.node_factory = node_factory
        self.scan_check = scan_check
        self.recursive = bool(recursive)

    def path(self, env, dir=None, target=None, source=None):
        if not self.path_function:
            return ()
        if self.argument is not _null:
            return self.path_function(env, dir, target, source, self.argument)
        return self.path_function(env, dir, target, source)

    def select(self, node):
        return self

    def get_skeys(self, env=None):
        if env is not None and is_String(self.skeys):
            return env.subst_list(self.skeys)[0]
        return self.skeys

    def applies_to(self, node, env):
        suffix = node.get_suffix()
        keys = self.get_skeys(env)
        return suffix in [str(k) for k in flatten(keys)]

    def __call__(self, node, env, path=()):
        if self.scan_check and not self.scan_check(node, env):
            return []
        if self.argument is _null:
            found = self.function(node, env, path)
        else:
            found = self.function(node, env, path, self.argument)
        out = []
        for f in found or []:
            if is_String(f):
                f = env.File(f) if self.node_factory is None else self.node_factory(f)
            out.append(f)
        return out

    def __str__(self):
        return self.name

    def __hash__(self):
        return id(self)


Base = ScannerBase
Current = ScannerBase
Classic = ScannerBase


def _call_with_optional_argument(function):
    return function


def Scanner(function, *args, **kw):
    if isinstance(function, dict):
        from SCons.Errors import unsupported
        unsupported("Scanner() with a dict of scanners")
    return ScannerBase(function, *args, **kw)


class FindPathDirs:
    """A path_function giving the folders a construction variable lists."""

    def __init__(self, variable):
        self.variable = variable

    def __call__(self, env, dir=None, target=None, source=None, argument=None):
        path = env.get(self.variable)
        if not path:
            return ()
        from SCons.Defaults import _subst_path
        from SCons import _state
        items = _subst_path(env, path, target, source)
        return tuple(_state.fs.RDirs(items, dir))


class EngineScanner:
    """SCons's C include scanner (`SCons.Defaults.CScan`, `ObjSourceScan`): the engine's own,
    which scans every source with a `$CPPSUFFIXES` suffix."""

    def __init__(self, name):
        self.name = name
        self.recursive = True

    def __str__(self):
        return self.name


def scanners_for(env, builder, sources):
    """The user source scanners that apply to a task: [(scanner, [sources])]."""
    out = []
    explicit = getattr(builder, 'source_scanner', None) if builder is not None else None
    if isinstance(explicit, EngineScanner):
        return []
    if explicit is not None:
        return [(explicit, list(sources))]
    listed = env.get('SCANNERS') or []
    if not is_List(listed):
        listed = [listed]
    for sc in flatten(listed):
        if not isinstance(sc, ScannerBase):
            continue
        hits = [s for s in sources if s.kind == 'file' and sc.applies_to(s, env)]
        if hits:
            out.append((sc, hits))
    return out
