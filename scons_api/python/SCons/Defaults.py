"""Default construction variables and the helper functions that the
standard *FLAGS variables call (_concat, _defines, _stripixes)."""
import os

from SCons import Util
from SCons.Util import is_List, is_Dict, is_String, is_Tuple, is_Sequence, flatten
from SCons.Errors import UserError
from SCons import Subst

_default_env = None

# SCons's C source scanners: the engine's own include scanner
from SCons.Scanner import EngineScanner  # noqa: E402
CScan = EngineScanner('CScanner')
ObjSourceScan = EngineScanner('SourceFileScanner')


# ------------------------------------------------------------------ action factories
# Copy/Delete/Mkdir/Move/Touch/Chmod: Python function actions whose text is SCons's
# (`Copy("dst", "src")`, lists shown as `["a", "b"]`, modes in octal).
import stat
import time
import SCons.Errors
from SCons.Action import ActionFactory


def _paths(arg):
    return [str(x) for x in arg] if is_List(arg) else [str(arg)]


def get_paths_str(dest) -> str:
    """How an action factory shows a path or a list of paths."""
    if is_List(dest):
        return '[' + ', '.join('"%s"' % d for d in dest) + ']'
    return '"%s"' % dest


_MODE_BITS = {
    ('u', 'r'): stat.S_IRUSR, ('u', 'w'): stat.S_IWUSR, ('u', 'x'): stat.S_IXUSR,
    ('g', 'r'): stat.S_IRGRP, ('g', 'w'): stat.S_IWGRP, ('g', 'x'): stat.S_IXGRP,
    ('o', 'r'): stat.S_IROTH, ('o', 'w'): stat.S_IWOTH, ('o', 'x'): stat.S_IXOTH,
}


def _symbolic_mode(clause):
    """One `who(+|-|=)what` clause of a chmod mode: (operator, bits)."""
    ops = [op for op in '=+-' if op in clause]
    if not ops:
        raise SyntaxError("Could not find +, - or =")
    op = ops[0]
    parts = clause.split(op)
    if len(parts) != 2:
        raise SyntaxError("More than one operator found")
    who = parts[0].strip().replace('a', 'ugo')
    bits = 0
    for w in who:
        for p in parts[1].strip():
            if (w, p) not in _MODE_BITS:
                raise SyntaxError("Unrecognized user or permission format")
            bits |= _MODE_BITS[(w, p)]
    return op, bits


def chmod_func(dest, mode) -> None:
    """Chmod(dest, mode): mode is a number (0o755), a string of octal digits, or a symbolic
    mode like "ugo+w,o-x"."""
    paths = _paths(dest)
    if is_String(mode) and mode.isdigit():
        mode = int(mode, 8)
    if not is_String(mode):
        for p in paths:
            os.chmod(p, mode)
        return
    for clause in str(mode).split(','):
        op, bits = _symbolic_mode(clause)
        for p in paths:
            now = os.stat(p).st_mode
            new = {'=': bits, '+': now | bits, '-': now & ~bits}[op]
            os.chmod(p, new)


def chmod_strfunc(dest, mode) -> str:
    shown = '"%s"' % mode if is_String(mode) else '%#o' % mode
    return 'Chmod(%s, %s)' % (get_paths_str(dest), shown)


Chmod = ActionFactory(chmod_func, chmod_strfunc)


def copy_func(dest, src, symlinks: bool = True) -> int:
    """Copy(dest, src): a file (with its times), a folder tree, or a list of files into folder
    dest; a symbolic link is copied as a link unless symlinks is false."""
    import shutil   # (here: importing it is slow under RustPython)
    dest = str(dest)
    if is_List(src):
        try:
            os.makedirs(dest, exist_ok=True)
        except FileExistsError:
            raise SCons.Errors.BuildError(
                errstr='Error: Copy() called with a list of sources, which requires target to '
                       'be a directory, but "%s" is not a directory.' % dest)
        for f in _paths(src):
            shutil.copy2(f, dest)
        return 0
    src = str(src)
    if os.path.islink(src):
        if not symlinks:
            return copy_func(dest, os.path.realpath(src))
        try:
            os.symlink(os.readlink(src), dest)
        except FileExistsError:
            raise SCons.Errors.BuildError(
                errstr='Error: Copy() called to create symlink at "%s", but a file already '
                       'exists at that location.' % dest)
        return 0
    if os.path.isfile(src):
        shutil.copy2(src, dest)
    else:
        shutil.copytree(src, dest, symlinks)
    return 0


def copy_strfunc(dest, src, symlinks: bool = True) -> str:
    return 'Copy(%s, %s)' % (get_paths_str(dest), get_paths_str(src))


Copy = ActionFactory(copy_func, copy_strfunc)


def delete_func(dest, must_exist: bool = False) -> None:
    """Delete(dest): files, links and folder trees; a missing one is an error only with
    must_exist."""
    for p in _paths(dest):
        present = os.path.lexists(p)
        if not present and not must_exist:
            continue
        if os.path.isdir(p) and not os.path.islink(p):
            import shutil   # (here, where it is needed: importing it is slow under RustPython)
            shutil.rmtree(p, True)
        else:
            os.unlink(p)


def delete_strfunc(dest, must_exist: bool = False) -> str:
    return 'Delete(%s)' % get_paths_str(dest)


Delete = ActionFactory(delete_func, delete_strfunc)


def mkdir_func(dest) -> None:
    for p in _paths(dest):
        os.makedirs(p, exist_ok=True)


Mkdir = ActionFactory(mkdir_func, lambda dest: 'Mkdir(%s)' % get_paths_str(dest))


def move_func(dest, src) -> None:
    import shutil   # (here: importing it is slow under RustPython)
    shutil.move(src, dest)


Move = ActionFactory(move_func, lambda dest, src: 'Move("%s", "%s")' % (dest, src), convert=str)


def touch_func(dest) -> None:
    """Touch(dest): set the modification time to now (whole seconds), creating empty files."""
    now = int(time.time())
    for p in _paths(dest):
        if os.path.exists(p):
            accessed = os.path.getatime(p)
        else:
            open(p, 'w').close()
            accessed = now
        os.utime(p, (accessed, now))


Touch = ActionFactory(touch_func, lambda dest: 'Touch(%s)' % get_paths_str(dest))





def DefaultEnvironment(*args, **kw):
    from SCons import _state
    if _state.default_env is None:
        from SCons.Environment import Environment
        _state.default_env = Environment(*args, **kw)
    return _state.default_env


def _subst_path(env, items, target, source):
    """Each item substituted (strings) with nodes kept; PathList-style."""
    if not is_List(items) and not is_Tuple(items):
        items = [items]
    out = []
    for p in flatten(items):
        if is_String(p):
            if '$' in p:
                r = env.subst(p, target=target, source=source, conv=_keep)
                if is_List(r):
                    out.extend(r)
                    continue
                p = r
            if is_String(p) and os.pathsep in p and p.count(os.pathsep):
                out.extend(x for x in p.split(os.pathsep) if x)
                continue
        out.append(p)
    return out


def _keep(x):
    return x


class _RDirs:
    """env['RDirs']: directories plus their source dirs, for $_CPPINCFLAGS."""

    def __call__(self, pathlist, target=None):
        from SCons import _state
        cwd = None
        if target is not None:
            t = target[0] if is_List(target) else target
            cwd = getattr(t, 'cwd', None)
        return _state.fs.RDirs(pathlist, cwd)


RDirs = _RDirs()


def _concat(prefix, items_iter, suffix, env, f=lambda x: x, target=None, source=None,
            affect_signature=True):
    if not items_iter:
        return items_iter
    items = _subst_path(env, items_iter, target, source)
    if f is RDirs or isinstance(f, _RDirs):
        l = f(items, target)
    else:
        l = f(items)
    if l is not None:
        items = l
    value = _concat_ixes(prefix, items, suffix, env)
    if not affect_signature:
        value = ['$('] + value + ['$)']
    return value


def _concat_ixes(prefix, items_iter, suffix, env):
    from SCons.Node.FS import File
    out = []
    prefix = str(env.subst(prefix, 1))
    suffix = str(env.subst(suffix, 1))
    for x in flatten(items_iter):
        if isinstance(x, File):
            out.append(x)
            continue
        x = str(x)
        if not x:
            continue
        if prefix:
            if prefix[-1] == ' ':
                out.append(prefix[:-1])
            elif x[:len(prefix)] != prefix:
                x = prefix + x
        out.append(x)
        if suffix:
            if suffix[0] == ' ':
                out.append(suffix[1:])
            elif x[-len(suffix):] != suffix:
                out[-1] = out[-1] + suffix
    return out


def _stripixes(prefix, items, suffix, stripprefixes, stripsuffixes, env, literal_prefix="", c=None):
    from SCons.Node.FS import File
    if not items:
        return items
    if not callable(c):
        env_c = env.get('_concat')
        c = env_c if (env_c is not _concat and callable(env_c)) else _concat_ixes
    stripprefixes = [env.subst(x) for x in flatten(stripprefixes)]
    stripsuffixes = [env.subst(x) for x in flatten(stripsuffixes)]
    stripped = []
    for l in _subst_path(env, items, None, None) if literal_prefix != os.pathsep else \
            [env.subst(x, conv=_keep) if is_String(x) else x for x in flatten(items)]:
        if isinstance(l, File):
            stripped.append(l)
            continue
        if not is_String(l):
            l = str(l)
        if literal_prefix and l.startswith(literal_prefix):
            stripped.append(l)
            continue
        for sp in stripprefixes:
            if l[:len(sp)] == sp:
                l = l[len(sp):]
                break
        for ss in stripsuffixes:
            if ss and l[-len(ss):] == ss:
                l = l[:-len(ss)]
                break
        stripped.append(l)
    return c(prefix, stripped, suffix, env)


def processDefines(defs):
    def one(name, value):
        return "%s=%s" % (name, value) if value is not None else str(name)

    out = []
    if is_List(defs):
        for d in defs:
            if d is None:
                continue
            if is_Sequence(d):
                if len(d) > 2:
                    raise UserError("Invalid tuple in CPPDEFINES: %r, must be a tuple with only two elements" % (d,))
                name, *value = d
                out.append(one(name, value[0] if value else None))
            elif is_Dict(d):
                for k, v in d.items():
                    out.append(one(k, v))
            elif is_String(d):
                out.append(str(d))
            else:
                raise UserError("CPPDEFINES entry %r is not a tuple, list, dict, string or None." % (d,))
    elif is_Tuple(defs):
        if len(defs) > 2:
            raise UserError("Invalid tuple in CPPDEFINES: %r, must be a tuple with only two elements" % (defs,))
        name, *value = defs
        out.append(one(name, value[0] if value else None))
    elif is_Dict(defs):
        for k, v in defs.items():
            out.append(one(k, v))
    elif is_String(defs):
        return defs.split()
    else:
        out.append(str(defs))
    return out


def _defines(prefix, defs, suffix, env, target=None, source=None, c=_concat_ixes):
    return c(prefix, env.subst_list(processDefines(defs), target=target, source=source), suffix, env)


Subst.register_trusted('_concat', _concat)
Subst.register_trusted('_defines', _defines)
Subst.register_trusted('_stripixes', _stripixes)


def _fs_method(name):
    def method(path, *args, **kw):
        from SCons import _state
        return getattr(_state.fs, name)(path, *args, **kw)
    method.__name__ = name
    return method


def base_variables():
    """What every Environment starts with, before platform and tools."""
    from SCons.Builder import BuilderDict
    return {
        'BUILDERS': BuilderDict({}),
        'SCANNERS': [],
        'CONFIGUREDIR': '#/.sconf_temp',
        'CONFIGURELOG': '#/config.log',
        'CPPSUFFIXES': ['.c', '.C', '.cxx', '.cpp', '.c++', '.cc', '.h', '.H', '.hxx', '.hpp',
                        '.hh', '.F', '.fpp', '.FPP', '.m', '.mm', '.S', '.spp', '.SPP', '.sx'],
        'DSUFFIXES': ['.d'],
        'ENV': {},
        'IDLSUFFIXES': ['.idl', '.IDL'],
        '_concat': _concat,
        '_defines': _defines,
        '_stripixes': _stripixes,
        '_LIBFLAGS': '${_concat(LIBLINKPREFIX, LIBS, LIBLINKSUFFIX, __env__)}',
        '_LIBDIRFLAGS': '${_concat(LIBDIRPREFIX, LIBPATH, LIBDIRSUFFIX, __env__, RDirs, TARGET, SOURCE, affect_signature=False)}',
        '_CPPINCFLAGS': '${_concat(INCPREFIX, CPPPATH, INCSUFFIX, __env__, RDirs, TARGET, SOURCE, affect_signature=False)}',
        '_CPPDEFFLAGS': '${_defines(CPPDEFPREFIX, CPPDEFINES, CPPDEFSUFFIX, __env__, TARGET, SOURCE)}',
        '__libversionflags': __libversionflags,
        '__SHLIBVERSIONFLAGS': '${__libversionflags(__env__,"SHLIBVERSION","_SHLIBVERSIONFLAGS")}',
        '__LDMODULEVERSIONFLAGS': '${__libversionflags(__env__,"LDMODULEVERSION","_LDMODULEVERSIONFLAGS")}',
        '__DSHLIBVERSIONFLAGS': '${__libversionflags(__env__,"DSHLIBVERSION","_DSHLIBVERSIONFLAGS")}',
        'TEMPFILE': _tempfile_unsupported,
        'TEMPFILEARGJOIN': ' ',
        'TEMPFILEARGESCFUNC': Subst.quote_spaces,
        'Dir': _fs_method('Dir'),
        'Dirs': lambda pl: [_fs_method('Dir')(p) for p in pl],
        'File': _fs_method('File'),
        'RDirs': RDirs,
    }


def __libversionflags(env, version_var, flags_var):
    """$flags_var when $version_var is set (the soname flags of a versioned library)."""
    try:
        if env.subst('$' + version_var):
            return env[flags_var]
    except KeyError:
        pass
    return None


def _tempfile_unsupported(*args, **kw):
    from SCons.Errors import unsupported
    unsupported("TEMPFILE (long command lines in a response file)")


# ----------------------------------------------------------------- ParseFlags
def parse_flags(env, flags):
    d = {'ASFLAGS': Util.CLVar(''), 'CFLAGS': Util.CLVar(''), 'CCFLAGS': Util.CLVar(''),
         'CXXFLAGS': Util.CLVar(''), 'CPPDEFINES': [], 'CPPFLAGS': Util.CLVar(''),
         'CPPPATH': [], 'FRAMEWORKPATH': Util.CLVar(''), 'FRAMEWORKS': Util.CLVar(''),
         'LIBPATH': [], 'LIBS': [], 'LINKFLAGS': Util.CLVar(''), 'RPATH': []}

    def do(arg):
        if not arg:
            return
        if not is_String(arg):
            for a in arg:
                do(a)
            return
        if arg[0] == '!':
            from SCons.Errors import unsupported
            unsupported("ParseFlags('!command')")
        import shlex
        params = shlex.split(env.subst(arg))
        append_next = None
        for a in params:
            if append_next:
                key = append_next
                append_next = None
                if key == 'CPPDEFINES':
                    t = a.split('=', 1)
                    d['CPPDEFINES'].append(t if len(t) > 1 else a)
                elif key == '-include':
                    d['CCFLAGS'].append(('-include', a))
                elif key in ('-isysroot', '-arch', '-isystem', '-iquote', '-idirafter'):
                    d['CCFLAGS'].append((key, a))
                    if key in ('-isysroot', '-arch'):
                        d['LINKFLAGS'].append((key, a))
                elif key == 'RPATH':
                    d['RPATH'].append(a)
                else:
                    d[key].append(env.fs_dir(a) if False else a)
                continue
            if a[0] != '-':
                if a[0] == '+':
                    d['LINKFLAGS'].append(a)
                else:
                    d['LIBS'].append(env.File(a) if os.path.isabs(a) or False else a)
                continue
            if a in ('-I', '-L', '-l', '-D', '-include', '-isysroot', '-arch', '-isystem',
                     '-iquote', '-idirafter', '-framework', '-F', '-Xlinker', '-Wl,-rpath'):
                append_next = {'-I': 'CPPPATH', '-L': 'LIBPATH', '-l': 'LIBS', '-D': 'CPPDEFINES',
                               '-framework': 'FRAMEWORKS', '-F': 'FRAMEWORKPATH',
                               '-Xlinker': 'LINKFLAGS'}.get(a, a)
                continue
            if a[:2] == '-L':
                d['LIBPATH'].append(a[2:])
            elif a[:2] == '-l':
                d['LIBS'].append(a[2:])
            elif a[:2] == '-I':
                d['CPPPATH'].append(a[2:])
            elif a[:2] == '-D':
                t = a[2:].split('=', 1)
                d['CPPDEFINES'].append(t if len(t) > 1 else a[2:])
            elif a[:4] == '-Wa,':
                d['ASFLAGS'].append(a[4:])
                d['CCFLAGS'].append(a)
            elif a[:4] == '-Wl,':
                if a[:11] == '-Wl,-rpath=':
                    d['RPATH'].append(a[11:])
                elif a[:7] == '-Wl,-R,':
                    d['RPATH'].append(a[7:])
                elif a[:6] == '-Wl,-R':
                    d['RPATH'].append(a[6:])
                else:
                    d['LINKFLAGS'].append(a)
            elif a[:4] == '-Wp,':
                d['CPPFLAGS'].append(a)
            elif a in ('-pthread', '-fmerge-all-constants') or a[:10] == '-mno-cygwin' or a[:7] == '-mwindows' \
                    or a.startswith('-fsanitize') or a[:3] == '-rdynamic' or a == '-openmp' or a == '-fopenmp':
                d['CCFLAGS'].append(a)
                d['LINKFLAGS'].append(a)
            elif a[:2] == '-F':
                d['FRAMEWORKPATH'].append(a[2:])
            elif a.startswith('-std=') or a == '-ansi':
                if '++' in a:
                    d['CXXFLAGS'].append(a)
                else:
                    d['CFLAGS'].append(a)
            else:
                d['CCFLAGS'].append(a)
    for f in flags:
        do(f)
    return d
