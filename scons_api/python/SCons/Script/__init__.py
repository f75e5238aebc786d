"""Everything an SConstruct sees as globals (and via `from SCons.Script import *`)."""
import os
import sys

import SCons
from SCons import Util, _state
from SCons.Util import is_List, is_String, Split, WhereIs, AddMethod
from SCons.Errors import UserError, unsupported
from SCons.Environment import Environment, Base as _EnvBase
from SCons.Defaults import DefaultEnvironment
from SCons.Builder import Builder
from SCons.Action import Action
from SCons.Subst import Literal
from SCons.Platform import Platform
from SCons.Tool import Tool, FindTool
from SCons.Script.SConscript import SConscript, Export, Import, Return, _SConscript_env
import SCons.Errors
import SCons.Action
import SCons.Builder
import SCons.Defaults
import SCons.Environment
import SCons.Node
import SCons.Node.FS
import SCons.Util
import SCons.Subst
import SCons.Warnings

Flatten = Util.flatten


class _TargetList(list):
    """BUILD_TARGETS / COMMAND_LINE_TARGETS: remembers whether a script changed it."""
    modified = False

    def _mod(name):
        base = getattr(list, name)

        def f(self, *a, **k):
            self.modified = True
            return base(self, *a, **k)
        f.__name__ = name
        return f

    for _n in ('append', 'extend', 'insert', 'remove', 'pop', 'clear', '__setitem__',
               '__delitem__', '__iadd__', 'sort', 'reverse'):
        locals()[_n] = _mod(_n)
    del _n, _mod


ARGUMENTS = {}
ARGLIST = []
COMMAND_LINE_TARGETS = _TargetList()
BUILD_TARGETS = _TargetList()
DEFAULT_TARGETS = []


def _reset_globals():
    """Fill the module-level lists from the request (same objects every run)."""
    ARGLIST[:] = list(_state.arguments)
    ARGUMENTS.clear()
    for k, v in ARGLIST:
        ARGUMENTS[k] = v
    targets = list(_state.request.get('targets') or [])
    list.__init__(COMMAND_LINE_TARGETS, targets)
    list.__init__(BUILD_TARGETS, targets)
    BUILD_TARGETS.modified = False
    DEFAULT_TARGETS[:] = []
    _options_defaults()


def _options_defaults():
    o = _state.options
    for k, v in (('num_jobs', 1), ('keep_going', False), ('no_exec', False), ('silent', False),
                 ('question', False), ('clean', False), ('implicit_cache', False), ('debug', []),
                 ('help', False), ('directory', None), ('file', []), ('climb_up', 0), ('warn', []),
                 ('duplicate', 'hard-soft-copy'), ('max_drift', 2 * 24 * 60 * 60),
                 ('implicit_deps_changed', False), ('implicit_deps_unchanged', False),
                 ('random', False), ('site_dir', None),
                 ('diskcheck', None), ('md5_chunksize', 64), ('hash_chunksize', 64),
                 ('stack_size', None), ('interactive', False), ('ignore_errors', False),
                 ('cache_disable', False), ('cache_force', False), ('cache_show', False),
                 ('cache_readonly', False), ('cache_debug', None), ('include_dir', []),
                 ('taskmastertrace_file', None), ('tree_printers', []), ('experimental', []),
                 ('hash_format', None), ('disable_execute_ninja', False)):
        o.setdefault(k, v)


# --------------------------------------------------------------- nodes
def _fs():
    return _state.fs


def _nodes_call(kind, env, name, directory=None, *args, **kw):
    fs = _state.fs
    f = getattr(fs, kind)
    if directory is not None and is_String(directory):
        directory = fs.Dir(env.subst(directory) if env is not None else directory)
    if is_List(name):
        out = []
        for n in Util.flatten(name):
            if is_String(n) and env is not None:
                n = env.subst(n)
            out.append(f(n, directory))
        return Util.NodeList(out)
    if is_String(name) and env is not None:
        name = env.subst(name)
    return f(name, directory)


def File(name, directory=None):
    return _nodes_call('File', None, name, directory)


def Dir(name, directory=None):
    return _nodes_call('Dir', None, name, directory)


def Entry(name, directory=None):
    return _nodes_call('Entry', None, name, directory)


def Value(value, built_value=None, name=None):
    from SCons.Node.Python import ValueWithMemo
    return ValueWithMemo(value, built_value, name)


def Glob(pattern, ondisk=True, source=False, strings=False, exclude=None, env=None):
    if env is not None and is_String(pattern):
        pattern = env.subst(pattern)
    r = _state.fs.glob(pattern, None, ondisk, source, strings, exclude)
    if strings:
        return r
    from SCons.Node.FS import Entry as _E
    for n in r:
        if type(n) is _E:
            n.disambiguate()
    return Util.NodeList(r)


def _targets(env, args, klass='Entry'):
    """Strings -> nodes (aliases first, then file-system entries)."""
    fs = _state.fs
    out = []
    for a in Util.flatten(list(args) if isinstance(args, tuple) else [args]):
        if a is None:
            out.append(None)
            continue
        if is_String(a):
            a = env.subst(a) if env is not None else a
            al = _state.aliases.get(a)
            if al is not None:
                out.append(al)
                continue
            out.append(getattr(fs, klass)(a))
        else:
            out.append(a)
    return out


# --------------------------------------------------------------- graph declarations
def Default(*targets, env=None):
    for t in _targets(env, targets):
        if t is None:
            _state.default_targets = []
            DEFAULT_TARGETS[:] = []
            continue
        if _state.default_targets is None:
            _state.default_targets = []
        if t not in _state.default_targets:
            _state.default_targets.append(t)
            DEFAULT_TARGETS.append(t)


def Alias(alias, source=None, action=None, env=None, **kw):
    from SCons.Node.Alias import lookup
    if action is not None:
        unsupported("Alias() with an action")
    names = Util.flatten([alias])
    srcs = [s for s in _targets(env, [source] if source is not None else []) if s is not None]
    out = []
    for n in names:
        a = n if not is_String(n) else lookup(env.subst(n) if env is not None else n)
        a.add_source(srcs)
        a.alias_declared = True
        out.append(a)
    return Util.NodeList(out)


def AlwaysBuild(*targets, env=None):
    out = _targets(env, targets)
    for t in out:
        t.set_always_build()
    return out


def Precious(*targets, env=None):
    out = _targets(env, targets)
    for t in out:
        t.set_precious()
    return out


def NoClean(*targets, env=None):
    out = _targets(env, targets)
    for t in out:
        t.set_noclean()
    return out


def NoCache(*targets, env=None):
    out = _targets(env, targets)
    for t in out:
        t.set_nocache()
    return out


def Depends(target, dependency, env=None):
    tl = _targets(env, [target])
    dl = _targets(env, [dependency])
    for t in tl:
        t.add_dependency(dl)
    return tl


def Ignore(target, dependency, env=None):
    tl = _targets(env, [target])
    dl = _targets(env, [dependency])
    for t in tl:
        t.add_ignore(dl)
    return tl


def Clean(targets, files, env=None):
    tl = _targets(env, [targets])
    fl = _targets(env, [files])
    for t in tl:
        for f in fl:
            if f not in t.clean:
                t.clean.append(f)


def Command(target, source, action, env=None, **kw):
    env = env or DefaultEnvironment()
    fs = _state.fs
    bkw = {'action': action, 'target_factory': fs.Entry, 'source_factory': fs.Entry}
    for k in ('source_scanner', 'target_scanner', 'emitter', 'multi', 'single_source', 'chdir'):
        if k in kw:
            bkw[k] = kw.pop(k)
    bld = Builder(**bkw)
    return bld(env, target, source, **kw)


def _install_one(env, dst, src, show):
    from SCons.Builder import Task
    from SCons.Action import _CopyAction
    from SCons.Node.FS import Entry as _E
    if type(dst) is _E:
        dst.__class__ = SCons.Node.FS.File
    if type(src) is _E:
        src.disambiguate()
    if isinstance(src, SCons.Node.FS.Dir):
        unsupported("Install() of a directory")
    task = Task([dst], [src], env, _CopyAction(show), _state.fs.getcwd(), None, kind='install')
    dst.task = task
    dst.env = env
    dst.sources = [src]
    dst.cwd = task.cwd
    _state.tasks.append(task)
    return dst


def Install(dir, source, env=None, **kw):
    env = env or DefaultEnvironment()
    if kw:
        env = env.Override(kw)
    fs = _state.fs
    dirs = [fs.Dir(env.subst(d)) if is_String(d) else d for d in Util.flatten([dir])]
    srcs = [fs.Entry(env.subst(s)) if is_String(s) else s for s in Util.flatten([source])]
    out = []
    for d in dirs:
        for s in srcs:
            out.append(_install_one(env, d.File(s.name), s, 'Install file: "%(src)s" as "%(dst)s"'))
    return Util.NodeList(out)


def InstallAs(target, source, env=None, **kw):
    env = env or DefaultEnvironment()
    fs = _state.fs
    tl = [fs.File(env.subst(t)) if is_String(t) else t for t in Util.flatten([target])]
    sl = [fs.Entry(env.subst(s)) if is_String(s) else s for s in Util.flatten([source])]
    if len(tl) != len(sl):
        raise UserError("Target (%s) and source (%s) lists of InstallAs() must be the same length."
                        % (list(map(str, tl)), list(map(str, sl))))
    return Util.NodeList([_install_one(env, t, s, 'Install file: "%(src)s" as "%(dst)s"')
                          for t, s in zip(tl, sl)])


def VariantDir(variant_dir, src_dir, duplicate=1, env=None):
    if env is not None:
        variant_dir = env.subst(variant_dir) if is_String(variant_dir) else variant_dir
        src_dir = env.subst(src_dir) if is_String(src_dir) else src_dir
    _state.fs.VariantDir(variant_dir, src_dir, duplicate)


BuildDir = VariantDir


def Decider(function, env=None):
    DefaultEnvironment().Decider(function)


# --------------------------------------------------------------- options / misc
def Help(text, append=False, keep_local=False, local_only=False, env=None):
    if _state.help_text is None:
        _state.help_text = str(text)
    else:
        _state.help_text += str(text)


def GetOption(name, env=None):
    if name not in _state.options:
        raise AttributeError("No such option: %s" % name)
    return _state.options[name]


_settable = ('clean', 'diskcheck', 'duplicate', 'experimental', 'hash_chunksize', 'hash_format',
             'help', 'implicit_cache', 'implicit_deps_changed', 'implicit_deps_unchanged',
             'max_drift', 'md5_chunksize', 'no_exec', 'no_progress', 'num_jobs', 'random',
             'silent', 'stack_size', 'warn', 'disable_execute_ninja', 'keep_going', 'question')


def SetOption(name, value, env=None):
    if name not in _settable and name not in _added_options:
        raise UserError("This option is not settable from a SConscript file: %s" % name)
    _state.options[name] = value


_added_options = {}


def AddOption(*args, **kw):
    dest = kw.get('dest')
    if dest is None:
        for a in args:
            if a.startswith('--'):
                dest = a[2:].replace('-', '_')
                break
    if dest is None:
        raise UserError("AddOption: cannot tell the option's dest")
    _added_options[dest] = kw
    if dest not in _state.options:
        d = kw.get('default')
        if d is None and kw.get('action') in ('store_true',):
            d = False
        if d is None and kw.get('action') in ('store_false',):
            d = True
        _state.options[dest] = d
    return None


def GetLaunchDir(env=None):
    return _state.launch_dir


def SConscriptChdir(flag, env=None):
    _state.sconscript_chdir = bool(flag)


def set_missing_sconscript_error(flag=True):
    """Whether SConscript() of a missing file is an error; returns the old setting."""
    old = _state.missing_sconscript_error
    _state.missing_sconscript_error = flag
    return old


def _version_tuple(version):
    """'4.11.1' (or '3.2b1') -> (major, minor, revision)."""
    import re
    parts = str(version).split(' ')[0].split('.')
    nums = [int(parts[0])]
    for p in parts[1:3]:
        m = re.match(r'\d+', p)
        nums.append(int(m.group()) if m else 0)
    while len(nums) < 3:
        nums.append(0)
    return tuple(nums)


def EnsureSConsVersion(major, minor, revision=0, env=None):
    if GetSConsVersion() < (major, minor, revision):
        v = '%d.%d.%d' % (major, minor, revision) if revision else '%d.%d' % (major, minor)
        print("SCons %s or greater required, but you have SCons %s" % (v, SCons.__version__))
        raise SystemExit(2)


def EnsurePythonVersion(major, minor, env=None):
    if sys.version_info < (major, minor):
        print("Python %d.%d or greater required, but you have Python %s"
              % (major, minor, sys.version.split()[0]))
        raise SystemExit(2)


def Exit(value=0, env=None):
    raise SystemExit(value)


def GetBuildFailures():
    return []


def GetSConsVersion(env=None):
    return _version_tuple(SCons.__version__)


def _unsupported(name):
    def f(*args, **kw):
        unsupported(name + "()")
    f.__name__ = name
    return f


for _name in ('Configure', 'CacheDir', 'Repository', 'SConsignFile', 'SideEffect', 'Requires',
              'Execute', 'Progress', 'Variables', 'EnumVariable', 'BoolVariable', 'ListVariable',
              'PackageVariable', 'PathVariable', 'Scanner', 'FindSourceFiles', 'FindInstalledFiles',
              'FindPathDirs', 'SourceCode', 'Local', 'InstallVersionedLib', 'Pseudo', 'ParseConfig',
              'Touch', 'Copy', 'Delete', 'Mkdir', 'Move', 'Chmod', 'SetBuildSignatureType',
              'SetContentSignatureType', 'TargetSignatures', 'SourceSignatures', 'Interactive',
              'ValidateOptions', 'DebugOptions', 'Tag', 'Package', 'Virtualenv'):
    globals()[_name] = _unsupported(_name)
del _name


# builder functions and env-method forwards through the default environment
def _default_builder(name):
    def f(*args, **kw):
        env = DefaultEnvironment()
        return getattr(env, name)(*args, **kw)
    f.__name__ = name
    return f


_BUILDER_NAMES = ('Program', 'Object', 'StaticObject', 'SharedObject', 'Library', 'StaticLibrary',
                  'SharedLibrary', 'LoadableModule')
for _name in _BUILDER_NAMES:
    globals()[_name] = _default_builder(_name)
del _name

_ENV_FUNCS = {
    'Alias': Alias, 'AlwaysBuild': AlwaysBuild, 'Clean': Clean, 'Command': Command,
    'Default': Default, 'Depends': Depends, 'Ignore': Ignore, 'Precious': Precious,
    'NoClean': NoClean, 'NoCache': NoCache, 'Glob': Glob, 'Install': Install,
    'InstallAs': InstallAs, 'VariantDir': VariantDir, 'Help': Help, 'GetOption': GetOption,
    'SetOption': SetOption, 'EnsurePythonVersion': EnsurePythonVersion,
    'EnsureSConsVersion': EnsureSConsVersion, 'Exit': Exit, 'GetLaunchDir': GetLaunchDir,
    'SConscriptChdir': SConscriptChdir, 'GetSConsVersion': GetSConsVersion,
}


def _env_method(name, env, *args, **kw):
    if name == 'SConscript':
        return _SConscript_env(env, *args, **kw)
    if name == 'Export':
        return Export(*args, **kw)
    if name == 'Import':
        return Import(*args, **kw)
    if name == 'Return':
        return Return(*args, **kw)
    if name == 'Action':
        return Action(*args, **kw)
    if name == 'Builder':
        return Builder(*args, **kw)
    f = _ENV_FUNCS.get(name)
    if f is None:
        unsupported('env.%s()' % name)
    return f(*args, env=env, **kw)


_EXPORTED = None


def _script_globals():
    """A fresh globals dict for one SConscript file."""
    global _EXPORTED
    if _EXPORTED is None:
        skip = {'os', 'sys', 'Util', 'SCons'}
        _EXPORTED = {k: v for k, v in globals().items()
                     if not k.startswith('_') and k not in skip and not isinstance(v, type(sys))}
        _EXPORTED['SCons'] = SCons
    g = dict(_EXPORTED)
    g['__builtins__'] = __builtins__
    return g


__all__ = [k for k in list(globals()) if not k.startswith('_') and k not in ('os', 'sys', 'Util')]
