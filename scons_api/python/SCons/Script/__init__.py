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
from SCons.Script import SConsOptions
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
import SCons.Variables
from SCons.Variables import BoolVariable, EnumVariable, ListVariable, PackageVariable, PathVariable

Flatten = Util.flatten


class _TargetList(list):
    """BUILD_TARGETS: the command-line targets, or else what Default() added. Once there are
    command-line targets, Default() no longer changes it."""
    fixed = False

    def _add_default(self, nodes):
        if not self.fixed:
            self.extend(nodes)

    def _clear(self):
        if not self.fixed:
            del self[:]


ARGUMENTS = {}
ARGLIST = []
COMMAND_LINE_TARGETS = []
BUILD_TARGETS = _TargetList()
DEFAULT_TARGETS = []
# BUILD_TARGETS as changed by the official calls only: a difference at the end means a
# script edited BUILD_TARGETS by hand, which then counts like command-line targets.
_build_plus_default = _TargetList()


def _reset_globals():
    """Fill the module-level lists from the request (same objects every run)."""
    ARGLIST[:] = list(_state.arguments)
    ARGUMENTS.clear()
    for k, v in ARGLIST:
        ARGUMENTS[k] = v
    targets = list(_state.request.get('targets') or [])
    COMMAND_LINE_TARGETS[:] = targets
    for tl in (BUILD_TARGETS, _build_plus_default):
        list.__init__(tl, targets)
        tl.fixed = bool(targets)
    DEFAULT_TARGETS[:] = []
    _options_defaults()
    SConsOptions.reset(_state.request.get('leftover'))


def _remove_command_line_word(word):
    """A word the engine took for a target or KEY=VALUE turned out to be an option's value."""
    if '=' in word:
        pair = tuple(word.split('=', 1))
        if pair in ARGLIST:
            ARGLIST.remove(pair)
            ARGUMENTS.pop(pair[0], None)
            for k, v in ARGLIST:
                if k == pair[0]:
                    ARGUMENTS[k] = v
        return
    for tl in (COMMAND_LINE_TARGETS, BUILD_TARGETS, _build_plus_default):
        if word in tl:
            tl.remove(word)


def _build_targets_for_engine():
    """BUILD_TARGETS as words when they decide what to build (see FORMAT.md), else None."""
    if COMMAND_LINE_TARGETS or list(BUILD_TARGETS) != list(_build_plus_default):
        return [str(x) for x in BUILD_TARGETS]
    return None


def _options_defaults():
    o = _state.options
    for k, v in _OPTION_DEFAULTS:
        o.setdefault(k, v)
    SConsOptions.from_command_line.clear()
    SConsOptions.from_command_line.update(k for k, v in _OPTION_DEFAULTS if o[k] != v)
    SConsOptions.from_command_line.update(_state.given_options)


_OPTION_DEFAULTS = (('num_jobs', 1), ('keep_going', False), ('no_exec', False), ('silent', False),
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
                 ('hash_format', None), ('disable_execute_ninja', False))


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
    if _state.default_targets is None:
        _state.default_targets = []
    for t in _targets(env, targets):
        if t is None:
            _state.default_targets = []
            DEFAULT_TARGETS[:] = []
            BUILD_TARGETS._clear()
            _build_plus_default._clear()
            continue
        if t not in _state.default_targets:
            _state.default_targets.append(t)
        DEFAULT_TARGETS.append(t)
        BUILD_TARGETS._add_default([t])
        _build_plus_default._add_default([t])


def Alias(alias, source=None, action=None, env=None, **kw):
    from SCons.Node.Alias import lookup
    names = Util.flatten([alias])
    srcs = [s for s in _targets(env, [source] if source is not None else []) if s is not None]
    out = []
    for n in names:
        a = n if not is_String(n) else lookup(env.subst(n) if env is not None else n)
        a.add_source(srcs)
        a.alias_declared = True
        if action:
            _alias_action(a, action, env, kw)
        out.append(a)
    return Util.NodeList(out)


def _alias_action(alias, action, env, kw):
    """Alias(name, sources, action): the alias gets a task running the action (after the
    actions of earlier calls), whose sources are all the alias's sources."""
    from SCons.Builder import Task
    env = env or DefaultEnvironment()
    if kw:
        env = env.Override(kw)
    act = Action(action)
    task = alias.task
    if task is None:
        task = Task([alias], alias.sources, env, act, _state.fs.getcwd(), None, kind='alias')
        alias.task = task
        alias.env = env
        _state.tasks.append(task)
    else:
        task.action = task.action + act


def _flag_setter(name, method, doc):
    """A global (and env method) that marks targets with one node flag."""
    def set_flag(*targets, env=None):
        out = _targets(env, targets)
        for t in out:
            getattr(t, method)()
        return out
    set_flag.__name__ = set_flag.__qualname__ = name
    set_flag.__doc__ = doc
    return set_flag


AlwaysBuild = _flag_setter('AlwaysBuild', 'set_always_build', "Targets built on every run.")
Pseudo = _flag_setter('Pseudo', 'set_pseudo',
                      "Targets that must not exist once built (and are not warned about as missing).")
Precious = _flag_setter('Precious', 'set_precious', "Targets not removed before they are rebuilt.")
NoClean = _flag_setter('NoClean', 'set_noclean', "Targets `-c` leaves alone.")
NoCache = _flag_setter('NoCache', 'set_nocache', "Targets never put in or taken from CacheDir.")


def Depends(target, dependency, env=None):
    tl = _targets(env, [target])
    dl = _targets(env, [dependency])
    for t in tl:
        t.add_dependency(dl)
    _state.depended.extend(tl)
    return tl


def Requires(target, prerequisite, env=None):
    tl = _targets(env, [target])
    pl = _targets(env, [prerequisite])
    for t in tl:
        t.add_prerequisite(pl)
    return tl


def CacheDir(path, custom_class=None, env=None):
    if custom_class is not None:
        unsupported("CacheDir(custom_class=...)")
    if path is not None:
        path = env.subst(path) if env is not None else path
        path = _state.fs.Dir(path).abspath
        _configure_cache(path)
    if env is None:
        _state.cache_dir = path
    else:
        env._cache_dir = path


_CACHE_TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
              b"# SCons cache directory - see https://bford.info/cachedir/\n")


def _configure_cache(path):
    """Create a cache folder as SCons does (even under -n): its config and CACHEDIR.TAG."""
    import json
    os.makedirs(path, exist_ok=True)
    config = os.path.join(path, 'config')
    if not os.path.exists(config):
        with open(config, 'w') as f:
            json.dump({'prefix_len': 2}, f)
    tag = os.path.join(path, 'CACHEDIR.TAG')
    if not os.path.exists(tag):
        with open(tag, 'wb') as f:
            f.write(_CACHE_TAG)


def Scanner(function, *args, **kw):
    kw.pop('env', None)
    from SCons.Scanner import Scanner as _Scanner
    return _Scanner(function, *args, **kw)


def FindPathDirs(variable, env=None):
    from SCons.Scanner import FindPathDirs as _FindPathDirs
    return _FindPathDirs(variable)


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
        if not t.clean:
            _state.clean_targets.append(t)
        for f in fl:
            if f not in t.clean:
                t.clean.append(f)


def Command(target, source, action, env=None, **kw):
    env = env or DefaultEnvironment()
    fs = _state.fs
    bkw = {'action': action, 'target_factory': fs.Entry, 'source_factory': fs.Entry}
    for k in ('source_scanner', 'target_scanner', 'source_factory', 'target_factory', 'emitter',
              'multi', 'single_source', 'chdir'):
        if k in kw:
            bkw[k] = kw.pop(k)
    bld = Builder(**bkw)
    return bld(env, target, source, **kw)


def _install_one(env, dst, src, show, versioned=False):
    from SCons.Builder import Task
    from SCons.Action import _CopyAction, ListAction
    from SCons.Node.FS import Entry as _E
    if type(src) is _E:
        src.disambiguate()
    if isinstance(src, SCons.Node.FS.Dir):
        # the engine's copy action copies a folder recursively (merging into an existing one)
        show = show.replace('Install file:', 'Install directory:')
        if type(dst) is _E or isinstance(dst, SCons.Node.FS.File) and dst.task is None:
            dst.__class__ = SCons.Node.FS.Dir
            dst._init_dir()
    elif type(dst) is _E:
        dst.__class__ = SCons.Node.FS.File
    action = _CopyAction(show)
    if versioned:
        # the copy, then the library's symlinks re-made next to it (SCons's installShlibLinks)
        from SCons.Tool import linkCommon
        links = linkCommon.install_links(dst, src)
        if links:
            linkCommon.EmitLibSymlinks(env, links, dst)
            action = ListAction([action, linkCommon.InstallSymlinksAction(links)])
    task = Task([dst], [src], env, action, _state.fs.getcwd(), None, kind='install')
    dst.task = task
    dst.env = env
    dst.sources = [src]
    dst.cwd = task.cwd
    _state.tasks.append(task)
    return dst


def _install_args(dir, source, env, kw):
    """Install's and InstallVersionedLib's arguments: the environment (with overrides), the
    destination folders and the source nodes."""
    env = env or DefaultEnvironment()
    if kw:
        env = env.Override(kw)
    fs = _state.fs
    dirs = [fs.Dir(env.subst(d)) if is_String(d) else d for d in Util.flatten([dir])]
    srcs = [fs.Entry(env.subst(s)) if is_String(s) else s for s in Util.flatten([source])]
    return env, dirs, srcs


def Install(dir, source, env=None, **kw):
    env, dirs, srcs = _install_args(dir, source, env, kw)
    out = []
    for d in dirs:
        for s in srcs:
            out.append(_install_one(env, d.Entry(s.name), s, 'Install file: "%(src)s" as "%(dst)s"'))
    return Util.NodeList(out)


def InstallVersionedLib(dir, source, env=None, **kw):
    env, dirs, srcs = _install_args(dir, source, env, kw)
    out = []
    for d in dirs:
        for s in srcs:
            if isinstance(s, SCons.Node.FS.Dir):
                raise UserError("cannot install directory `%s' as a version library" % s)
            out.append(_install_one(env, d.File(s.name), s, 'Install file: "%(src)s" as "%(dst)s"',
                                    versioned=True))
    return Util.NodeList(out)


def InstallAs(target, source, env=None, **kw):
    env = env or DefaultEnvironment()
    fs = _state.fs
    tl = [fs.Entry(env.subst(t)) if is_String(t) else t for t in Util.flatten([target])]
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
def Help(text, append=False, local_only=False, keep_local=None, env=None):
    """Add to the text `-h` prints; the first call with append=True starts from the option help."""
    text = (env or DefaultEnvironment()).subst(text, raw=1)
    if keep_local is not None:
        local_only = keep_local
    if _state.help_text is None:
        _state.help_text = SConsOptions.format_help(local_only) if append else ""
    _state.help_text += text


def GetOption(name, env=None):
    if name not in _state.options:
        raise AttributeError("'Values' object has no attribute '%s'" % name)
    return _state.options[name]


_settable = ('clean', 'diskcheck', 'duplicate', 'experimental', 'hash_chunksize', 'hash_format',
             'help', 'implicit_cache', 'implicit_deps_changed', 'implicit_deps_unchanged',
             'max_drift', 'md5_chunksize', 'no_exec', 'no_progress', 'num_jobs', 'random',
             'silent', 'stack_size', 'warn', 'disable_execute_ninja')


def SetOption(name, value, env=None):
    if name not in _settable and name not in SConsOptions.settable:
        raise UserError("This option is not settable from an SConscript file: %r" % (name,))
    if name == 'warn':
        # added to what was given before, and applied now (even over the command line's)
        from SCons import Warnings
        value = [value] if is_String(value) else list(value)
        value = list(_state.script_warn) + value
        _state.script_warn = value
        Warnings.process_warn_strings(value)
        _state.options[name] = list(_state.options.get(name) or []) + value
        return
    if name not in SConsOptions.from_command_line:
        _state.options[name] = value


_added_options = {}


def AddOption(*args, **kw):
    if 'settable' in kw and not kw['settable']:
        del kw['settable']
    return SConsOptions.add_option(*args, **kw)


def Variables(files=None, args=ARGUMENTS):
    """Build variables read from `files` and the command line's KEY=VALUE words."""
    return SCons.Variables.Variables(files, args)


def GetBuildPath(files, env=None):
    """The path(s) of `files` as nodes print them (a string for one, a list for a list)."""
    env = env or DefaultEnvironment()
    paths = [str(n) for n in env.arg2nodes(files, _state.fs.Entry)]
    return paths if is_List(files) else paths[0]


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


from SCons.Defaults import Copy, Delete, Mkdir, Move, Touch, Chmod


def Execute(action, *args, env=None, **kw):
    """Run an action now, while the scripts are read (printing it as SCons does)."""
    env = env or DefaultEnvironment()
    act = Action(action, *args, **kw)
    from SCons.Action import run_records, _lvars
    return run_records(act.records(env, [], [], _lvars(env, [], [])), [], [], env)


def SideEffect(side_effect, target, env=None):
    env = env or DefaultEnvironment()
    fs = _state.fs
    sides = [fs.Entry(env.subst(s)) if is_String(s) else s for s in Util.flatten([side_effect])]
    tl = _targets(env, [target])
    out = []
    for se in sides:
        if se.task is not None and se.task.kind != 'side_effect':
            raise UserError("Multiple ways to build the same target were specified for: %s" % se)
        se.side_effect = 1
        for t in tl:
            if se not in t.side_effects:
                t.side_effects.append(se)
        out.append(se)
    return Util.NodeList(out)


def _add_pre_post(targets, action, where, env=None):
    from SCons.Action import Action as _Action
    tl = _targets(env, [targets])
    act = _Action(action)
    for t in tl:
        getattr(t, where).append(act)
        if t not in _state.pre_post_nodes:
            _state.pre_post_nodes.append(t)
    return tl


def AddPreAction(files, action, env=None):
    return _add_pre_post(files, action, 'pre_actions', env)


def AddPostAction(files, action, env=None):
    return _add_pre_post(files, action, 'post_actions', env)


def Progress(obj, interval=1, file=None, overwrite=False):
    """What the engine shows as it evaluates each node (FORMAT.md `progress`): a string
    (`$TARGET` is the node), a list of strings in turn, or a function called with the node."""
    if file is None or file is sys.stdout or file is sys.__stdout__:
        to_stderr = False
    elif file is sys.stderr or file is sys.__stderr__:
        to_stderr = True
    else:
        unsupported("Progress() with a file other than sys.stdout or sys.stderr")
    rec = {'interval': int(interval), 'overwrite': bool(overwrite), 'stderr': to_stderr}
    _state.progress_function = None
    if callable(obj):
        rec['kind'] = 'function'
        _state.progress_function = obj
    elif is_List(obj):
        rec['kind'] = 'list'
        rec['list'] = [str(x) for x in obj]
    else:
        rec['kind'] = 'string'
        rec['text'] = str(obj)
    _state.progress = rec


def GetBuildFailures():
    """The failed tasks' BuildErrors (filled when the build is over, for atexit functions)."""
    return _state.build_failures


def GetSConsVersion(env=None):
    return _version_tuple(SCons.__version__)


def _unsupported(name):
    def f(*args, **kw):
        unsupported(name + "()")
    f.__name__ = name
    return f


for _name in ('Repository', 'SConsignFile', 'FindSourceFiles', 'FindInstalledFiles',
              'SourceCode', 'Local', 'SetBuildSignatureType',
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


# SCons's global default builders (Package stays unsupported above); a builder the
# default environment lacks fails as a missing env attribute, as in SCons
_BUILDER_NAMES = ('ParseConfig', 'CFile', 'CXXFile', 'DVI', 'Jar', 'Java', 'JavaH', 'Library',
                  'LoadableModule', 'M4', 'MSVSProject', 'Object', 'PCH', 'PDF', 'PostScript',
                  'Program', 'RES', 'RMIC', 'SharedLibrary', 'SharedObject', 'StaticLibrary',
                  'StaticObject', 'Substfile', 'Tar', 'Textfile', 'TypeLibrary', 'Zip')
for _name in _BUILDER_NAMES:
    globals()[_name] = _default_builder(_name)
del _name

from SCons.SConf import Configure  # noqa: E402

_ENV_FUNCS = {
    'Configure': Configure,
    'Alias': Alias, 'AlwaysBuild': AlwaysBuild, 'Clean': Clean, 'Command': Command,
    'Default': Default, 'Depends': Depends, 'Ignore': Ignore, 'Precious': Precious, 'Pseudo': Pseudo,
    'NoClean': NoClean, 'NoCache': NoCache, 'Glob': Glob, 'Install': Install,
    'InstallAs': InstallAs, 'InstallVersionedLib': InstallVersionedLib, 'VariantDir': VariantDir,
    'Help': Help, 'GetOption': GetOption,
    'SetOption': SetOption, 'EnsurePythonVersion': EnsurePythonVersion,
    'EnsureSConsVersion': EnsureSConsVersion, 'Exit': Exit, 'GetLaunchDir': GetLaunchDir,
    'SConscriptChdir': SConscriptChdir, 'Execute': Execute, 'SideEffect': SideEffect,
    'AddPreAction': AddPreAction, 'AddPostAction': AddPostAction, 'GetBuildPath': GetBuildPath,
    'Requires': Requires, 'CacheDir': CacheDir, 'Scanner': Scanner, 'FindPathDirs': FindPathDirs,
    'GetSConsVersion': GetSConsVersion,
}


def _env_method(_name, _env, *args, **kw):
    # positional-only in effect: user keywords such as name= or env= must not collide
    name, env = _name, _env
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
        skip = {'os', 'sys', 'Util', 'SCons', 'UserError', 'unsupported'}
        _EXPORTED = {k: v for k, v in globals().items()
                     if not k.startswith('_') and k not in skip and not isinstance(v, type(sys))}
        _EXPORTED['SCons'] = SCons
    g = dict(_EXPORTED)
    g['__builtins__'] = __builtins__
    return g


__all__ = [k for k in list(globals()) if not k.startswith('_') and k not in ('os', 'sys', 'Util')]
