"""Running SConscript files: the call stack, Export/Import/Return, variant dirs."""
import os
import sys

from SCons import Util
from SCons.Util import is_List, is_String, is_Dict
from SCons.Errors import UserError


class _Return(Exception):
    pass


class Frame:
    def __init__(self, exports, path):
        self.globals = None
        self.exports = exports
        self.retval = None
        self.path = path
        self.prev_dir = None


call_stack = []


def _user_frame():
    """The innermost frame that runs script code (not a module of this package)."""
    f = sys._getframe(1)
    while f is not None:
        name = f.f_globals.get('__name__', '')
        if name != 'SCons' and not name.startswith('SCons.'):
            return f
        f = f.f_back
    return None


def _caller_namespaces():
    f = _user_frame()
    if f is None:
        g = call_stack[-1].globals if call_stack else {}
        return g, g
    return f.f_locals, f.f_globals


def compute_exports(exports, namespaces=None):
    loc = glob = None
    out = {}
    for e in exports:
        if is_Dict(e):
            out.update(e)
            continue
        if loc is None:
            loc, glob = namespaces or _caller_namespaces()
        for name in str(e).split() if is_String(e) else [e]:
            if name in loc:
                out[name] = loc[name]
            elif name in glob:
                out[name] = glob[name]
            elif call_stack and name in call_stack[-1].globals:
                out[name] = call_stack[-1].globals[name]
            else:
                raise UserError("Export of non-existent variable '%s'" % repr(name))
    return out


def Export(*vars, **kw):
    from SCons import _state
    ns = _caller_namespaces()
    for v in vars:
        _state.exports.update(compute_exports(Util.Split(v) if is_String(v) else Util.flatten([v]), ns))
    _state.exports.update(kw)


def Import(*vars):
    from SCons import _state
    frame = call_stack[-1]
    f = _user_frame()
    target = f.f_globals if f is not None else frame.globals
    for var in vars:
        for v in (var.split() if is_String(var) else Util.flatten([var])):
            if v == '*':
                target.update(_state.exports)
                target.update(frame.exports)
            elif v in frame.exports:
                target[v] = frame.exports[v]
            elif v in _state.exports:
                target[v] = _state.exports[v]
            else:
                raise UserError("Import of non-existent variable '%s'" % repr(v))


def Return(*vars, **kw):
    frame = call_stack[-1]
    f = _user_frame()
    g = f.f_globals if f is not None else frame.globals
    ret = []
    for var in Util.flatten(list(vars)):
        for v in str(var).split():
            if v in g:
                ret.append(g[v])
            elif v in frame.globals:
                ret.append(frame.globals[v])
            else:
                raise UserError("Return of non-existent variable '%s'" % repr(v))
    frame.retval = ret[0] if len(ret) == 1 else tuple(ret)
    if kw.get('stop', True):
        raise _Return()


def SConscript(*ls, **kw):
    return _SConscript_env(None, *ls, **kw)


def _split_args(env, ls, kw):
    from SCons import _state
    fs = _state.fs
    exports = []
    if len(ls) == 0:
        dirs = kw.get('dirs')
        if dirs is None:
            raise UserError("Invalid SConscript usage - no parameters")
        if not is_List(dirs):
            dirs = [dirs]
        name = kw.get('name', 'SConscript')
        files = [os.path.join(str(d), name) for d in dirs]
    elif len(ls) == 1:
        files = ls[0]
    elif len(ls) == 2:
        files = ls[0]
        exports = Util.Split(ls[1])
    else:
        raise UserError("Invalid SConscript() usage - too many arguments")
    if not is_List(files):
        files = [files]
    if kw.get('exports'):
        e = kw['exports']
        exports.extend([e] if is_Dict(e) else Util.Split(e))
    src_dir_override = None
    variant_dir = kw.get('variant_dir')
    if variant_dir:
        if len(files) != 1:
            raise UserError("Invalid SConscript() usage - can only specify one SConscript with a variant_dir")
        duplicate = kw.get('duplicate', 1)
        src_dir = kw.get('src_dir')
        if not src_dir:
            src_dir, fname = os.path.split(str(files[0]))
            files = [os.path.join(str(variant_dir), fname)]
        else:
            if is_String(src_dir):
                src_dir = fs.Dir(src_dir)
            fn = files[0]
            if is_String(fn):
                fn = fs.File(fn)
            if fn.is_under(src_dir):
                files = [os.path.join(str(variant_dir), os.path.relpath(fn.abspath, src_dir.abspath))]
            else:
                files = [fn.abspath]
            src_dir_override = variant_dir
        fs.VariantDir(variant_dir, src_dir or '.', duplicate)
    return files, exports, src_dir_override


def _SConscript_env(env, *ls, **kw):
    from SCons import _state
    if env is not None:
        ls = tuple(env.subst(x) if is_String(x) else x for x in ls)
        kw = dict(kw)
        for k in ('variant_dir', 'src_dir', 'build_dir'):
            if is_String(kw.get(k)):
                kw[k] = env.subst(kw[k])
    if 'build_dir' in kw:
        kw['variant_dir'] = kw.pop('build_dir')
    ns = _caller_namespaces()
    files, exports, src_dir_override = _split_args(env, ls, kw)
    exports = compute_exports(exports, ns)
    fs = _state.fs
    results = []
    for fn in files:
        if fn == '-':
            from SCons.Errors import unsupported
            unsupported("SConscript('-') (reading stdin)")
        node = fn if not is_String(fn) else fs.File(fn)
        results.append(_run(node, exports, kw, src_dir_override))
    if len(results) == 1:
        return results[0]
    return tuple(results)


def _duplicates(fs, node):
    """Is node in a variant dir that duplicates its sources (and may we write)?"""
    from SCons import _state
    hit = fs._variant_of(node)
    return hit is not None and hit[2] and not _state.options.get('no_exec')


def _duplicate(src, dst):
    """Like SCons reading an SConscript in a duplicate=1 variant dir: a hard link to the
    source file (a copy where links fail), replaced when the source changed."""
    import shutil
    try:
        if os.path.samefile(src, dst):
            return
        os.remove(dst)
    except OSError:
        pass
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _run(node, exports, kw, src_dir_override):
    from SCons import _state
    from SCons.Script import _script_globals
    fs = _state.fs
    actual = None
    src = node.srcnode()
    if src is not node and os.path.isfile(src.abspath) and _duplicates(fs, node):
        _duplicate(src.abspath, node.abspath)
    if os.path.isfile(node.abspath):
        actual = node.abspath
    elif os.path.isfile(src.abspath):
        actual = src.abspath
    if actual is None:
        # an explicit must_exist=False, or set_missing_sconscript_error(False), allows it
        if not kw.get('must_exist', True) or not _state.missing_sconscript_error:
            return None
        raise UserError("missing SConscript file %r" % node.path)
    for n in (node, src):
        if n not in _state.script_nodes:
            _state.script_nodes.append(n)
    frame = Frame(exports, actual)
    frame.prev_dir = fs.getcwd()
    old_oscwd = os.getcwd()
    if src_dir_override is not None:
        ldir = fs.Dir(src_dir_override)
        if not ldir.is_under(node.dir):
            ldir = node.dir
    else:
        ldir = node.dir
    fs.chdir(ldir)
    if _state.sconscript_chdir:
        try:
            os.chdir(ldir.abspath)
        except OSError:
            os.chdir(os.path.dirname(actual))
    g = _script_globals()
    g['__file__'] = actual
    g['__name__'] = 'SConscript'
    frame.globals = g
    call_stack.append(frame)
    old_path = list(sys.path)
    sys.path.insert(0, os.path.dirname(node.abspath))
    try:
        with open(actual, 'rb') as f:
            code = compile(f.read(), actual, 'exec')
        trace = 'sconscript' in (_state.options.get('debug') or ())
        if trace:
            print("scons: Entering " + actual)
        try:
            exec(code, g)
        except _Return:
            pass
        if trace:
            print("scons: Exiting " + actual)
    finally:
        call_stack.pop()
        fs.chdir(frame.prev_dir)
        os.chdir(old_oscwd)
        sys.path[:] = old_path
    return frame.retval
