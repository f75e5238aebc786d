"""Configure contexts: Configure(env) runs its checks while the scripts are read.

Each check writes a small program (a `conftest_<text hash>_<n>` file in the configure folder),
then builds it with the environment's own builders (Object, Program, Command), running the
commands right here, before the engine builds anything. Every step is logged to config.log in
SCons's format, and its outcome is kept in a cache file so a later run reports `(cached) yes`
when nothing it depends on changed (--config=auto|force|cache). The checks themselves (the C
programs and messages) are in SCons/Conftest.py; config.h becomes a build-phase task."""
import contextlib
import hashlib
import json
import os
import re
import subprocess

from SCons import Util, _state
from SCons.Errors import UserError

_counters = {}        # text hash -> how many conftest files got it this run
_logs_opened = set()  # log files truncated this run (later contexts append)
config_hs = {}        # config.h File node -> its text (written by a build task)
_order = []           # config.h nodes in the order they were first used
_active = None
_cache = None         # path -> {'sig', 'result', 'string'}
_cache_dirty = False

CACHE_FILE = os.path.join('.docons', 'sconf-cache.json')


def reset():
    global _active, _cache, _cache_dirty
    _counters.clear()
    _logs_opened.clear()
    config_hs.clear()
    del _order[:]
    _active = None
    _cache = None
    _cache_dirty = False


def _opt(name, default=None):
    return _state.options.get(name, default)


def _dryrun():
    return bool(_opt('no_exec') or _opt('question'))


def _cache_mode():
    return _opt('config') or 'auto'


def _md5(data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    return hashlib.md5(data).hexdigest()


def _file_sig(abspath):
    try:
        with open(abspath, 'rb') as f:
            return _md5(f.read())
    except OSError:
        return None


# ---------------------------------------------------------------- the cache file
def _cache_path():
    return os.path.join(_state.fs.top_abspath, CACHE_FILE)


def _load_cache():
    global _cache
    if _cache is None:
        # Like SCons's results in .sconsign: gone when .sconsign.dblite is removed.
        marker = os.path.join(_state.fs.top_abspath, '.sconsign.dblite')
        try:
            if not os.path.isfile(marker):
                raise OSError('no state')
            with open(_cache_path()) as f:
                _cache = json.load(f)
        except (OSError, ValueError):
            _cache = {}
    return _cache


def _save_cache():
    global _cache_dirty
    if not _cache_dirty or _dryrun():
        return
    p = _cache_path()
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, 'w') as f:
        json.dump(_cache, f)
    _cache_dirty = False


def _remember(node, sig, result, string):
    global _cache_dirty
    _load_cache()[node.path] = {'sig': sig, 'result': result, 'string': string}
    _cache_dirty = True


# ---------------------------------------------------------------- errors
class SConfError(UserError):
    pass


class ConfigureDryRunError(SConfError):
    def __init__(self, target, is_file=True):
        if is_file:
            SConfError.__init__(self, 'Cannot update configure test "%s" within a dry-run.' % target)
        else:
            SConfError.__init__(self, 'Cannot create configure directory "%s" within a dry-run.' % target)


class ConfigureCacheError(SConfError):
    def __init__(self, target):
        SConfError.__init__(self, '"%s" is not yet built and cache is forced.' % target)


class _BuildFailed(Exception):
    pass


class Null:
    """What Configure() gives under -c/-h: every call does nothing and returns it again."""

    def __call__(self, *args, **kw):
        return self

    def __getattr__(self, name):
        return self

    def __bool__(self):
        return False

    def __repr__(self):
        return 'Null()'


# ---------------------------------------------------------------- build steps
class _TextStep:
    """Write a check's program text into its conftest source file."""

    def __init__(self, node, text):
        self.node = node
        self.text = text

    def signature(self):
        return _md5('text\0' + self.text)

    def run(self, log):
        line = '%s <-\n  |%s\n' % (self.node.path, self.text.replace('\n', '\n  |'))
        log.write(line)
        with open(self.node.abspath, 'w') as f:
            f.write(self.text)
        return line


@contextlib.contextmanager
def _at_top():
    """As SCons builds configure tests: from the top folder (node names, function actions),
    whichever SConscript folder is being read."""
    fs = _state.fs
    old_dir, old_os_dir = fs.getcwd(), os.getcwd()
    fs.chdir(fs.Top, change_os_dir=True)
    try:
        yield
    finally:
        fs.chdir(old_dir)
        os.chdir(old_os_dir)


class _TaskStep:
    """Run one task made by the environment's builders (compile, link, run the program)."""

    def __init__(self, task):
        from SCons import Subst
        self.task = task
        self.node = task.targets[0]
        env = task.env
        lv = {'__env__': env}
        lv.update(Subst.subst_dict(task.targets, task.sources))
        self.records = task.action.records(env, task.targets, task.sources, lv)

    def signature(self):
        parts = [r.get('sig', '') for r in self.records]
        for s in self.task.sources:
            parts.append('%s=%s' % (s.path, _file_sig(s.abspath) if s.kind == 'file' else str(s)))
        for path, origin in _scan_includes(self.task):
            parts.append('%s=%s' % (path, _file_sig(origin)))
        return _md5('\0'.join(parts))

    def run(self, log):
        from SCons.Action import python_actions
        from SCons._docons import _env_strings
        env = self.task.env
        shown = ''
        for t in self.task.targets:
            if t.kind == 'file' and os.path.isfile(t.abspath):
                os.unlink(t.abspath)
        for path, origin in _scan_includes(self.task):
            if path != origin:
                import shutil
                os.makedirs(os.path.dirname(path), exist_ok=True)
                shutil.copy2(origin, path)
        for rec in self.records:
            if rec.get('show'):
                shown += rec['show'] + '\n'
                log.write(rec['show'] + '\n')
            kind = rec['kind']
            if kind == 'command':
                log.flush()
                out = log.fp if log.fp is not None else subprocess.DEVNULL
                status = subprocess.run(['/bin/sh', '-c', rec['cmd']], cwd=_state.fs.top_abspath,
                                        env=_env_strings(env), stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT).returncode
                if status and not rec.get('ignore_errors'):
                    raise _BuildFailed(shown)
            elif kind == 'python':
                act, targets, sources, act_env = python_actions[rec['id']]
                status, _ = act.execute(targets, sources, act_env)
                if status:
                    raise _BuildFailed(shown)
            elif kind == 'copy':
                import shutil
                shutil.copy(self.task.sources[0].abspath, self.node.abspath)
        return shown


_include_re = []   # compiled on first use (slow under RustPython, rarely needed)


def _include_pattern():
    if not _include_re:
        _include_re.append(re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M))
    return _include_re[0]


def _scan_includes(task):
    """Files the task's C sources include (found in CPPPATH or, for "..." includes, beside them),
    as (path the compiler sees, file it copies from): a header found through a duplicating
    variant dir is that variant's copy of the source file (made when the test runs)."""
    env = task.env
    srcs = [s for s in task.sources if s.kind == 'file' and
            s.get_suffix() in (env.get('CPPSUFFIXES') or [])]
    if not srcs:
        return []
    from SCons.Defaults import _subst_path
    fs = _state.fs
    dirs = fs.RDirs(_subst_path(env, env.get('CPPPATH') or [], task.targets[0], None), task.cwd)
    found = []
    todo = [s.abspath for s in srcs]
    seen = set(todo)
    while todo:
        path = todo.pop(0)
        try:
            with open(path, errors='replace') as f:
                text = f.read()
        except OSError:
            continue
        for quote, name in _include_pattern().findall(text):
            look = ([os.path.dirname(path)] if quote == '"' else []) + [d.abspath for d in dirs]
            for d in look:
                p = os.path.normpath(os.path.join(d, name))
                origin = p if os.path.isfile(p) else _duplicate_source(fs, p)
                if origin is not None:
                    if p not in seen:
                        seen.add(p)
                        found.append((p, origin))
                        todo.append(origin)
                    break
    return found


def _duplicate_source(fs, path):
    """The source file that a duplicating variant dir copies to `path`, if there is one."""
    d = fs.Dir(os.path.dirname(path))
    hit = fs._variant_of(d)
    if hit is None or not hit[2]:
        return None
    variant, src = hit[0], hit[1]
    rel = os.path.relpath(path, variant.abspath)
    origin = os.path.normpath(os.path.join(src.abspath, rel))
    return origin if os.path.isfile(origin) else None


class _Log:
    def __init__(self, fp):
        self.fp = fp

    def write(self, s):
        if self.fp is not None:
            self.fp.write(s)

    def flush(self):
        if self.fp is not None:
            self.fp.flush()


def _action_contents(action, env, target, source):
    """The action's text as SCons hashes it (signature substitution, node names only)."""
    from SCons import Action as A
    if isinstance(action, A.LazyAction):
        v = env.get(action.var, '')
        if isinstance(v, A.ActionBase) or callable(v) or Util.is_List(v):
            return _action_contents(A.Action(v), env, target, source)
        return env.subst('${%s}' % action.var, 2, target=target, source=source)
    if isinstance(action, A.CommandAction):
        return env.subst(str(action), 2, target=target, source=source)
    if isinstance(action, A.ListAction):
        return ''.join(_action_contents(a, env, target, source) for a in action.list)
    if isinstance(action, A.CommandGeneratorAction):
        act = action.generator(target=target, source=source, env=env, for_signature=1)
        return _action_contents(A.Action(act), env, target, source)
    if isinstance(action, A.FunctionAction):
        code = getattr(action.execfunction, '__code__', None)
        return action.function_name() + (repr(code.co_code) if code is not None else '')
    return str(action)


# ---------------------------------------------------------------- the context
class SConfBase:
    def __init__(self, env, custom_tests={}, conf_dir='$CONFIGUREDIR', log_file='$CONFIGURELOG',
                 config_h=None):
        global _active
        if _active is not None:
            raise UserError("Configure() called while another Configure() exists.\n"
                            "            Please call .Finish() before creating and second "
                            "Configure() context")
        fs = _state.fs
        self.env = env
        self.lastTarget = None
        self.cached = 0
        self.active = False
        if not env.get('CONFIGUREDIR') and conf_dir == '$CONFIGUREDIR':
            conf_dir = '#/.sconf_temp'
        if not env.get('CONFIGURELOG') and log_file == '$CONFIGURELOG':
            log_file = '#/config.log'
        self.logfile = fs.File(env.subst(log_file)) if log_file is not None else None
        self.confdir = fs.Dir(env.subst(conf_dir))
        self.config_h = fs.File(config_h) if config_h is not None else None
        from SCons.Conftest import default_tests
        self.AddTests(default_tests)
        self.AddTests(custom_tests)
        self._startup()

    # -- tests
    class TestWrapper:
        def __init__(self, test, sconf):
            self.test = test
            self.sconf = sconf

        def __call__(self, *args, **kw):
            if not self.sconf.active:
                raise UserError
            context = CheckContext(self.sconf)
            ret = self.test(context, *args, **kw)
            if self.sconf.config_h is not None:
                self.sconf.config_h_text += context.config_h
            context.Result("error: no result")
            return ret

    def AddTest(self, test_name, test_instance):
        setattr(self, test_name, SConfBase.TestWrapper(test_instance, self))

    def AddTests(self, tests):
        for name in tests.keys():
            self.AddTest(name, tests[name])

    # -- set up / finish
    def _startup(self):
        global _active
        d = self.confdir
        if not os.path.isdir(d.abspath):
            if _dryrun():
                raise ConfigureDryRunError(d, is_file=False)
            os.makedirs(d.abspath)
        fp = None
        if self.logfile is not None and not _dryrun():
            mode = 'a' if self.logfile in _logs_opened else 'w'
            _logs_opened.add(self.logfile)
            os.makedirs(os.path.dirname(self.logfile.abspath), exist_ok=True)
            fp = open(self.logfile.abspath, mode)
            where = _caller()
            fp.write('file %s,line %d:\n\tConfigure(confdir = %s)\n' % (where[0], where[1], d.path))
        self.log = _Log(fp)
        self.config_h_text = config_hs.get(self.config_h, '')
        self.active = True
        _active = self

    def Finish(self):
        global _active
        if not self.active:
            raise UserError("Finish may be called only once!")
        if self.log.fp is not None:
            self.log.write('\n')
            self.log.fp.close()
            self.log.fp = None
        self.active = False
        _active = None
        if self.config_h is not None:
            if self.config_h not in config_hs:
                _order.append(self.config_h)
            config_hs[self.config_h] = self.config_h_text
        _save_cache()
        return self.env

    def Define(self, name, value=None, comment=None):
        lines = []
        if comment:
            lines.append('/* %s */' % comment)
        lines.append('#define %s %s' % (name, value) if value is not None else '#define %s' % name)
        lines.append('')
        self.config_h_text += '\n'.join(lines)

    # -- building
    def _display(self, message):
        self.log.write('scons: Configure: ' + message + '\n')

    def _build(self, steps):
        """Bring each step up to date in order; False when one fails (now or cached)."""
        mode = _cache_mode()
        cache = _load_cache()
        for step in steps:
            node = step.node
            sig = step.signature()
            entry = cache.get(node.path)
            if entry is None:
                if mode == 'cache':
                    raise ConfigureCacheError(node)
                up_to_date = False
                failed_before = False
            else:
                failed_before = bool(entry['result'])
                if mode == 'cache':
                    up_to_date = True
                elif mode == 'force':
                    up_to_date = False
                else:
                    up_to_date = entry['sig'] == sig and (failed_before or os.path.exists(node.abspath))
            if up_to_date:
                if failed_before:
                    self._display('Building "%s" failed in a previous run and all its sources '
                                  'are up to date.' % node)
                else:
                    self._display('"%s" is up to date.' % node)
                self._display('The original builder output was:\n' +
                              ('  |' + str(entry['string'])).replace('\n', '\n  |'))
                if failed_before:
                    return False
                continue
            if _dryrun():
                raise ConfigureDryRunError(node)
            self.cached = 0
            try:
                string = step.run(self.log)
            except _BuildFailed as e:
                _remember(node, sig, 1, e.args[0])
                return False
            _remember(node, sig, 0, string)
        return True

    def TryBuild(self, builder, text=None, extension=''):
        from SCons import Builder as B
        env = self.env
        b = getattr(builder, 'builder', builder)
        f = 'conftest'
        steps = []
        source = None
        dummy = None
        if text is not None:
            h = _md5(str(text))
            n = _counters.get(h, 0)
            _counters[h] = n + 1
            f = '%s_%s_%d' % (f, h, n)
            source = self.confdir.File(f + extension)
            steps.append(_TextStep(source, str(text)))
            dummy = source.File(f + 'SConfActionsContentDummyTarget') if hasattr(source, 'File') \
                else self.confdir.File(f + 'SConfActionsContentDummyTarget')
        action = b._action_for(env, [source]) if source is not None else b.action
        contents = _action_contents(action, env, [dummy] if dummy else [], [source] if source else [])
        f = f + '_' + _md5(contents)
        target = self.confdir.File(env.subst(b.prefix or '') + f + env.subst(b.suffix or ''))
        first = len(_state.tasks)
        nodes = builder(target=target, source=source) if source is not None else builder(target=target, source=[])
        new_tasks = _state.tasks[first:]
        del _state.tasks[first:]
        with _at_top():
            steps.extend(_TaskStep(t) for t in new_tasks)
            ok = self._build(steps)
        _save_cache()
        nodes = list(nodes) if Util.is_List(nodes) or hasattr(nodes, 'data') else [nodes]
        self.lastTarget = nodes[0] if ok else None
        return 1 if ok else 0

    def TryAction(self, action, text=None, extension=''):
        from SCons.Builder import Builder
        from SCons.Environment import BuilderWrapper
        b = Builder(action=action)
        ok = self.TryBuild(BuilderWrapper(self.env, b, 'SConfActionBuilder'), text, extension)
        if ok:
            return (1, self.lastTarget.get_text_contents())
        return (0, '')

    def TryCompile(self, text, extension):
        return self.TryBuild(self.env.Object, text, extension)

    def TryLink(self, text, extension):
        return self.TryBuild(self.env.Program, text, extension)

    def TryRun(self, text, extension):
        ok = self.TryLink(text, extension)
        if ok:
            prog = self.lastTarget
            output = self.confdir.File(os.path.basename(prog.path) + '.out')
            first = len(_state.tasks)
            self.env.Command(output, prog, '%s > ${TARGET}' % prog.path)
            new_tasks = _state.tasks[first:]
            del _state.tasks[first:]
            with _at_top():
                ok = self._build([_TaskStep(t) for t in new_tasks])
            _save_cache()
            if ok:
                with open(output.abspath, 'rb') as fp:
                    return (1, fp.read().decode('utf-8', 'replace'))
        return (0, '')


def _caller():
    """(file, line) of the innermost script frame (not docons's own package)."""
    here = globals().get('__file__') or ''
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(here))) if here.startswith('/') else None
    import traceback   # (here: importing it, and textwrap with it, is slow under RustPython)
    for fs in reversed(traceback.extract_stack()):
        name = fs.filename
        if not name.startswith('/') or (pkg and name.startswith(pkg + os.sep)):
            continue
        return name, fs.lineno
    return '<unknown>', 0


class CheckContext:
    """What a check function gets: messages, results and the Try* builds."""

    def __init__(self, sconf):
        self.sconf = sconf
        self.did_show_result = 0
        self.vardict = {}
        self.havedict = {}
        self.headerfilename = None
        self.config_h = ''

    def Message(self, text):
        self.Display(text)
        self.sconf.cached = 1
        self.did_show_result = 0

    def Result(self, res):
        if isinstance(res, str):
            text = res
        elif res:
            text = 'yes'
        else:
            text = 'no'
        if self.did_show_result == 0:
            self.Display(text + '\n')
            self.did_show_result = 1

    def TryBuild(self, *args, **kw):
        return self.sconf.TryBuild(*args, **kw)

    def TryAction(self, *args, **kw):
        return self.sconf.TryAction(*args, **kw)

    def TryCompile(self, *args, **kw):
        return self.sconf.TryCompile(*args, **kw)

    def TryLink(self, *args, **kw):
        return self.sconf.TryLink(*args, **kw)

    def TryRun(self, *args, **kw):
        return self.sconf.TryRun(*args, **kw)

    @property
    def env(self):
        return self.sconf.env

    @property
    def lastTarget(self):
        return self.sconf.lastTarget

    # -- used by the checks in Conftest.py: they return an error flag (0 = works)
    def BuildProg(self, text, ext):
        self.sconf.cached = 1
        return not self.TryBuild(self.env.Program, text, ext)

    def CompileProg(self, text, ext):
        self.sconf.cached = 1
        return not self.TryBuild(self.env.Object, text, ext)

    def CompileSharedObject(self, text, ext):
        self.sconf.cached = 1
        return not self.TryBuild(self.env.SharedObject, text, ext)

    def RunProg(self, text, ext):
        self.sconf.cached = 1
        st, out = self.TryRun(text, ext)
        return not st, out

    def AppendLIBS(self, lib_name_list, unique=False):
        old = self.env.get('LIBS', [])
        if unique:
            self.env.AppendUnique(LIBS=lib_name_list)
        else:
            self.env.Append(LIBS=lib_name_list)
        return old

    def PrependLIBS(self, lib_name_list, unique=False):
        old = self.env.get('LIBS', [])
        if unique:
            self.env.PrependUnique(LIBS=lib_name_list)
        else:
            self.env.Prepend(LIBS=lib_name_list)
        return old

    def SetLIBS(self, val):
        old = self.env.get('LIBS', [])
        self.env.Replace(LIBS=val)
        return old

    def Display(self, msg):
        if self.sconf.cached:
            msg = '(cached) ' + msg
            self.sconf.cached = 0
        if not (_opt('no_progress') or _opt('silent')):
            import sys
            sys.stdout.write(msg)
            sys.stdout.flush()
        self.Log('scons: Configure: ' + msg + '\n')

    def Log(self, msg):
        self.sconf.log.write(msg)


def Configure(env=None, *args, **kw):
    """Configure(env, custom_tests=, conf_dir=, log_file=, config_h=, clean=, help=)."""
    if _opt('clean') and not kw.get('clean', True):
        return Null()
    if _opt('help') and not kw.get('help', True):
        return Null()
    kw.pop('clean', None)
    kw.pop('help', None)
    return SConfBase(env, *args, **kw)


# ---------------------------------------------------------------- config.h at build time
def config_h_tasks():
    """One build task per config.h a context asked for: write it from its text."""
    if not config_hs:
        return
    from SCons.Builder import BuilderBase
    from SCons.Action import ActionBase
    from SCons.Script import DefaultEnvironment

    class _WriteConfigH(ActionBase):
        def records(self, env, target, source, lvars, cmdstr=None):
            t = target[0]
            defname = re.sub('[^A-Za-z0-9_]', '_', str(t).upper())
            text = ('#ifndef %s_SEEN\n#define %s_SEEN\n\n' % (defname, defname) +
                    source[0].get_text_contents() + '\n#endif /* %s_SEEN */\n' % defname)
            return [{'kind': 'write', 'text': text, 'show': 'scons: Configure: creating %s' % t,
                     'sig': 'config.h'}]

    env = DefaultEnvironment()
    b = BuilderBase(action=_WriteConfigH(), name='SConfigHBuilder')
    for node in _order:
        b(env, node, env.Value(config_hs[node]))
