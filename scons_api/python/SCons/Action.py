"""Actions: what a task runs. Command actions are substituted when the graph
is written out (after all SConscripts ran, as SCons does at build time)."""
import re

from SCons.Util import is_String, is_List, flatten as Util_flatten
from SCons.Errors import UserError, unsupported
from SCons import Subst

_null = object()
_var_only = re.compile(r'^\$(?:\{([_a-zA-Z]\w*)\}|([_a-zA-Z]\w*))$')
python_actions = []   # (FunctionAction, targets, sources, env) by the record's id (run_action)


class ActionBase:
    cmdstr = _null
    chdir = None

    def __add__(self, other):
        return ListAction([self, other])

    def __radd__(self, other):
        return ListAction([other, self])

    def get_contents(self, target, source, env):
        return b''

    def same_for_every_task(self, env):
        """True when records() gives, for every task with this env, the same records up to the
        targets' and sources' paths (plain command lines, no Python called with the nodes): the
        writer then makes them once per task shape (see SCons._docons)."""
        return False


def _plain_commands(cmdstr, env):
    """What CommandAction.records needs to be the same for every task: no *COMSTR text to
    substitute with the nodes, and the engine running the commands (no $SPAWN of the scripts)."""
    if not (cmdstr is _null or cmdstr is None
            or (cmdstr.__class__ is str and _undefined_var(cmdstr, env, Subst._TS_KEYS))):
        return False
    spawn = env.get('SPAWN')
    if is_String(spawn):
        return False
    from SCons.Tool import _spawn
    return spawn is None or spawn is _spawn or not callable(spawn)


class CommandAction(ActionBase):
    def __init__(self, cmd, cmdstr=_null, **kw):
        if is_List(cmd) and any(is_List(c) for c in cmd):
            raise TypeError("CommandAction should be given only a single command")
        self.cmd_list = cmd
        self.cmdstr = cmdstr

    def __str__(self):
        if is_List(self.cmd_list):
            return ' '.join(map(str, self.cmd_list))
        return str(self.cmd_list)

    def same_for_every_task(self, env):
        return _plain_commands(self.cmdstr, env)

    def records(self, env, target, source, lvars, cmdstr=_null):
        if cmdstr is _null:
            cmdstr = self.cmdstr
        lines = Subst.command_lines(self.cmd_list, env, target, source, lvars)
        silent = ignore = False
        first = lines[0] if lines else []
        while True:
            c = None
            for i, w in enumerate(first):
                if w.__class__ is not Subst._Mark:
                    break
            else:
                i = None
            if i is None:
                break
            w = str(first[i])
            c = w[:1]
            if c == '@':
                silent = True
            elif c == '-':
                ignore = True
            else:
                break
            rest = w[1:]
            if rest:
                first[i] = Subst.CmdStringHolder(rest, getattr(first[i], 'literal', False))
            else:
                del first[i]
        show = None
        if cmdstr.__class__ is str and _undefined_var(cmdstr, env, lvars):
            pass    # '$XXXCOMSTR' left unset: the default text (told without substituting)
        elif cmdstr is not None and cmdstr is not _null:
            s = env.subst(cmdstr, 1, lvars=None) if False else \
                Subst.scons_subst(cmdstr, env, Subst.SUBST_RAW, gvars=env.gvars(), lvars=lvars)
            if s:
                show = str(s)
        out = []
        escape = env.get('ESCAPE') or (lambda x: x)
        for n, line in enumerate(lines):
            words = []
            sig = []
            plain = []
            depth = 0
            for w in line:
                c = w.__class__
                if c is Subst._Mark:
                    depth += 1 if w is Subst.OPEN else -1
                    continue
                if c is Subst.CmdStringHolder:
                    # CmdStringHolder.escape and str(), inline (the common case)
                    p = w.data
                    if w.literal:
                        e = escape(p)
                    elif ' ' in p or '\t' in p:
                        e = '"%s"' % p
                    else:
                        e = p
                else:
                    e = w.escape(escape) if hasattr(w, 'escape') else str(w)
                    p = str(w)
                words.append(e)
                plain.append(p)
                if depth <= 0:
                    sig.append(e)
            if not words:
                continue
            cmd = ' '.join(words)
            if n == 0 or not out:
                if cmdstr is None:
                    sh = ''
                elif show is not None:
                    sh = show
                elif silent:
                    sh = ''
                else:
                    sh = ' '.join('"%s"' % p if (' ' in p or '\t' in p) else p for p in plain)
            else:
                sh = ''
            rec = {'kind': 'command', 'cmd': cmd, 'show': sh, 'sig': ' '.join(sig)}
            if ignore:
                rec['ignore_errors'] = True
            spawn = _user_spawn(env, target, source)
            if spawn is not None:
                aid = len(python_actions)
                python_actions.append((_SpawnCall(spawn, env.subst('$SHELL') or 'sh', words, ignore),
                                       list(target), list(source), env))
                rec = {'kind': 'python', 'id': aid, 'show': sh, 'sig': rec['sig']}
            out.append(rec)
        return out


def _undefined_var(text, env, lvars):
    """True when text is just `$NAME` or `${NAME}` for a variable that is not set."""
    m = _var_only.match(text)
    if m is None:
        return False
    name = m.group(1) or m.group(2)
    gvars = env.gvars()
    return name not in lvars and name not in gvars and Subst._undefined(name, gvars)


def _user_spawn(env, target, source):
    """$SPAWN when the scripts set their own function, else None (the engine runs the command)."""
    spawn = env.get('SPAWN')
    if spawn is _default_spawn[0]:
        return None
    if is_String(spawn):
        spawn = env.subst(spawn, 1, target, source, conv=lambda x: x)
    from SCons.Tool import _spawn
    _default_spawn[0] = _spawn
    if spawn is None or spawn is _spawn or not callable(spawn):
        return None
    return spawn


_default_spawn = [object()]   # SCons.Tool._spawn, once seen (imports are slow under RustPython)


class LazyAction(ActionBase):
    """Action('$CCCOM'): the variable's value decides, at build time."""

    def __init__(self, var, cmdstr=_null, **kw):
        self.var = var
        self.cmdstr = cmdstr
        self.kw = kw

    def __str__(self):
        return '$' + self.var

    def same_for_every_task(self, env):
        c = env.get(self.var, '')
        if isinstance(c, ActionBase) or callable(c) or is_List(c):
            return False
        return _plain_commands(self.cmdstr, env)

    def records(self, env, target, source, lvars, cmdstr=_null):
        if cmdstr is _null:
            cmdstr = self.cmdstr
        c = env.get(self.var, '')
        if isinstance(c, ActionBase) or callable(c) or is_List(c):
            act = Action(c, cmdstr=cmdstr) if not isinstance(c, ActionBase) else c
            return act.records(env, target, source, lvars, cmdstr if not isinstance(c, ActionBase) else _null)
        key = ('$' + self.var, cmdstr)
        return CommandAction('${%s}' % self.var, cmdstr).records(env, target, source, lvars)


class ListAction(ActionBase):
    def __init__(self, actions):
        self.list = [a if isinstance(a, ActionBase) else Action(a) for a in actions]

    @property
    def chdir(self):
        """The folder all the actions run in (None when they do not change folder)."""
        dirs = [a.chdir for a in self.list]
        if any(d is not dirs[0] and d != dirs[0] for d in dirs):
            unsupported("a list of actions with different chdir= values")
        return dirs[0] if dirs else None

    @chdir.setter
    def chdir(self, value):
        for a in self.list:
            a.chdir = value

    def __str__(self):
        return '\n'.join(map(str, self.list))

    def same_for_every_task(self, env):
        for a in self.list:
            if not a.same_for_every_task(env):
                return False
        return True

    def records(self, env, target, source, lvars, cmdstr=_null):
        out = []
        for a in self.list:
            out.extend(a.records(env, target, source, lvars))
        return out


class CommandGeneratorAction(ActionBase):
    def __init__(self, generator, kw):
        self.generator = generator
        self.kw = kw

    def records(self, env, target, source, lvars, cmdstr=_null):
        act = self.generator(target=target, source=source, env=env, for_signature=0)
        if not isinstance(act, ActionBase):
            act = Action(act, **self.kw)
        return act.records(env, target, source, lvars)


class FunctionAction(ActionBase):
    def __init__(self, execfunction, kw):
        self.execfunction = execfunction
        self.kw = kw
        self.cmdstr = kw.get('cmdstr', _null)
        sf = kw.get('strfunction', _null)
        if sf is None:
            self.cmdstr = None
        elif sf is not _null:
            self.strfunction = sf
        self.chdir = kw.get('chdir')
        self.varlist = tuple(Util_flatten(kw.get('varlist') or ()))

    def function_name(self):
        try:
            return self.execfunction.__name__
        except AttributeError:
            try:
                return self.execfunction.__class__.__name__
            except AttributeError:
                return "unknown_python_function"

    def __str__(self):
        name = self.function_name()
        if name == 'ActionCaller':
            return str(self.execfunction)
        return "%s(target, source, env)" % name

    def strfunction(self, target, source, env, executor=None):
        if self.cmdstr is None:
            return None
        if self.cmdstr is not _null:
            c = Subst.scons_subst(self.cmdstr, env, Subst.SUBST_RAW, gvars=env.gvars(),
                                  lvars=_lvars(env, target, source))
            if c:
                return c

        def array(a):
            def quote(s):
                try:
                    str_for_display = s.str_for_display
                except AttributeError:
                    s = repr(s)
                else:
                    s = str_for_display()
                return s
            return '[' + ", ".join(map(quote, a)) + ']'
        try:
            strfunc = self.execfunction.strfunction
        except AttributeError:
            pass
        else:
            if strfunc is None:
                return None
            if callable(strfunc):
                return strfunc(target, source, env)
        return "%s(%s, %s)" % (self.function_name(), array(target), array(source))

    def get_contents(self, target, source, env):
        f = self.execfunction
        if isinstance(f, ActionCaller):
            f = f.parent.actfunc
        code = getattr(f, '__code__', None) or getattr(getattr(f, '__call__', None), '__code__', None)
        if code is not None:
            return code.co_code + repr(code.co_consts).encode()
        return repr(f).encode()

    def signature(self, target, source, env):
        """What goes into the task's signature: the function's code and the varlist values."""
        import hashlib
        h = hashlib.md5(self.get_contents(target, source, env))
        for v in self.varlist:
            h.update(('\0%s=%s' % (v, env.get(v))).encode())
        return 'python:%s:%s' % (self.function_name(), h.hexdigest())

    def records(self, env, target, source, lvars, cmdstr=_null):
        show = self.strfunction(target, source, env)
        aid = len(python_actions)
        python_actions.append((self, list(target), list(source), env))
        return [{'kind': 'python', 'id': aid, 'show': '' if show is None else str(show),
                 'sig': self.signature(target, source, env)}]

    def execute(self, target, source, env):
        """Call the function as SCons does; returns (status, error text) with status 0 = success."""
        return call_function(self.execfunction, target, source, env)


def _lvars(env, target, source):
    lv = {'__env__': env}
    lv.update(Subst.subst_dict(target, source))
    return lv


class _SpawnCall:
    """A command line run through a user-supplied $SPAWN function (a Python action)."""

    def __init__(self, spawn, shell, args, ignore):
        self.spawn = spawn
        self.shell = shell
        self.args = args
        self.ignore = ignore

    def execute(self, target, source, env):
        from SCons._docons import _env_strings
        def run(target, source, env):
            r = self.spawn(self.shell, env.get('ESCAPE') or (lambda x: x), self.args[0], self.args,
                           _env_strings(env))
            if r and not self.ignore:
                return r
            return 0
        return call_function(run, target, source, env)


def call_function(func, target, source, env):
    """Run a function action: func(target=, source=, env=). Returns (0, '') or (status, errstr)
    where errstr is what SCons prints after `scons: *** [target] ` (with a traceback, if any)."""
    import sys
    try:
        result = func(target=target, source=source, env=env)
    except SystemExit as e:
        return 2, explicit_exit(e)
    except KeyboardInterrupt:
        raise
    except Exception as e:
        return 2, _exception_text(e)
    finally:
        for f in (sys.stdout, sys.stderr):
            try:
                f.flush()
            except Exception:
                pass
    if not result:
        return 0, ''
    if is_String(result):
        return 2, str(result)
    return (result if isinstance(result, int) else 2), 'Error %s' % (result,)


def explicit_exit(e):
    """Exit() in a build-time callback: remember its status for the engine (callback
    'explicit_exit') and give SCons's error text."""
    from SCons import _state
    _state.explicit_exit = e.code
    return 'Explicit exit, status %s' % (e.code,)


def _exception_text(e):
    from SCons import Errors
    if isinstance(e, (Errors.StopError, Errors.UserError)):
        return str(e)
    if isinstance(e, OSError):
        text = e.strerror if e.strerror is not None else str(e)
        if getattr(e, 'filename', None):
            text = '%s: %s' % (e.filename, text)
        return text
    import traceback
    trace = ''.join(traceback.format_exception(type(e), e, e.__traceback__)).rstrip('\n')
    return '%s : %s\n%s' % (e.__class__.__name__, e, trace)


class _CopyAction(ActionBase):
    """Copy source[0] to target[0] (Install, variant-dir duplication)."""

    def __init__(self, show_fmt):
        self.show_fmt = show_fmt

    def records(self, env, target, source, lvars, cmdstr=_null):
        show = self.show_fmt % {'src': source[0], 'dst': target[0]} if self.show_fmt else ''
        install = env.get('INSTALL') if self.show_fmt else None
        if callable(install):
            # the scripts' own $INSTALL function does the copy (a Python action)
            aid = len(python_actions)
            python_actions.append((_InstallCall(install), list(target), list(source), env))
            return [{'kind': 'python', 'id': aid, 'show': show, 'sig': 'copy'}]
        return [{'kind': 'copy', 'show': show, 'sig': 'copy'}]


class _InstallCall:
    def __init__(self, install):
        self.install = install

    def execute(self, target, source, env):
        def run(target, source, env):
            for t, s in zip(target, source):
                if self.install(t.get_path(), s.get_path(), env):
                    return 1
            return 0
        return call_function(run, target, source, env)


def Action(act, *args, **kw):
    if args:
        if 'cmdstr' in kw or 'strfunction' in kw:
            raise UserError("Cannot have both strfunction and cmdstr args to Action()")
        a0 = args[0]
        if callable(a0) and not is_String(a0):
            kw['strfunction'] = a0
        else:
            kw['cmdstr'] = a0
        if len(args) > 1:
            kw['varlist'] = args[1:]
    for bad in ('batch_key', 'targets', 'presub'):
        if bad in kw and kw[bad]:
            unsupported("Action(%s=...)" % bad)
    chdir = kw.pop('chdir', None)
    if chdir and not isinstance(act, ActionBase):
        made = Action(act, **kw)
        if made is not None:
            made.chdir = chdir
        return made
    if 'exitstatfunc' in kw:
        unsupported("Action(exitstatfunc=...)")
    if kw.get('generator'):
        return CommandGeneratorAction(act, {k: v for k, v in kw.items() if k != 'generator'})
    if isinstance(act, ActionBase):
        return act
    cmdstr = kw.get('cmdstr', _null)
    if 'strfunction' in kw and kw['strfunction'] is None:
        cmdstr = None
    if is_List(act):
        # An inner list is one command given as its words.
        acts = [CommandAction(a, cmdstr) if is_List(a) else Action(a, **kw) for a in act]
        return acts[0] if len(acts) == 1 else ListAction(acts)
    if callable(act) and not is_String(act):
        return FunctionAction(act, kw)
    if is_String(act):
        act = str(act)
        m = _var_only.match(act)
        if m:
            return LazyAction(m.group(1) or m.group(2), cmdstr)
        lines = act.split('\n')
        if len(lines) > 1:
            return ListAction([CommandAction(l, cmdstr) for l in lines])
        return CommandAction(act, cmdstr)
    if act is None:
        return None
    raise UserError("Don't know how to create an Action from %r" % (act,))


class ActionCaller:
    """Holds a factory's arguments until target, source and env are known."""

    def __init__(self, parent, args, kw):
        self.parent = parent
        self.args = args
        self.kw = kw

    def subst(self, s, target, source, env):
        if is_List(s):
            return self.parent.convert([self.subst(e, target, source, env) for e in s])
        if s == '$__env__':
            return env
        if is_String(s):
            return env.subst(s, 1, target, source)
        return self.parent.convert(s)

    def subst_args(self, target, source, env):
        return [self.subst(x, target, source, env) for x in self.args]

    def subst_kw(self, target, source, env):
        return {k: self.subst(v, target, source, env) for k, v in self.kw.items()}

    def __call__(self, target, source, env, executor=None):
        return self.parent.actfunc(*self.subst_args(target, source, env),
                                   **self.subst_kw(target, source, env))

    def strfunction(self, target, source, env):
        return self.parent.strfunc(*self.subst_args(target, source, env),
                                   **self.subst_kw(target, source, env))

    def __str__(self):
        return self.parent.strfunc(*self.args, **self.kw)


class ActionFactory:
    def __init__(self, actfunc, strfunc, convert=lambda x: x):
        self.actfunc = actfunc
        self.strfunc = strfunc
        self.convert = convert

    def __call__(self, *args, **kw):
        ac = ActionCaller(self, args, kw)
        return Action(ac, strfunction=ac.strfunction)


def run_records(recs, target, source, env):
    """Run action records now, while the scripts are read (Execute()): print each, then run it.
    Returns 0 or the failing status (after printing `scons: *** ...`)."""
    import os, sys, subprocess, shutil
    from SCons import _state
    opts = _state.options
    for r in recs:
        if r.get('show') and not opts.get('silent'):
            sys.stdout.write(r['show'] + '\n')
            sys.stdout.flush()
        if opts.get('no_exec'):
            continue
        if r['kind'] == 'python':
            status, text = python_actions[r['id']][0].execute(target, source, env)
        elif r['kind'] == 'copy':
            shutil.copy2(str(source[0]), str(target[0]))
            status, text = 0, ''
        elif r['kind'] == 'symlink':
            for link, points_to in r['links']:
                path = os.path.join(_state.fs.top_abspath, link)
                if os.path.islink(path):
                    os.unlink(path)
                os.symlink(points_to, path)
            status, text = 0, ''
        else:
            from SCons._docons import _env_strings
            cp = subprocess.run(['/bin/sh', '-c', r['cmd']], env=_env_strings(env))
            status = 0 if r.get('ignore_errors') else cp.returncode
            text = 'Error %s' % status
        if status:
            sys.stderr.write('scons: *** %s\n' % text.split('\n')[0])
            return status
    return 0


_OFF = ('0', 'none', 'false', 'no', 'off')
_shlex_space = re.compile(r'[ \t\r\n]+')
_where_memo = {}


def _where_is(env, word):
    try:
        key = (word, str(env['ENV'].get('PATH')))
    except Exception:
        return env.WhereIs(word)
    hit = _where_memo.get(key)
    if hit is None:
        hit = _where_memo[key] = env.WhereIs(word) or ''
    return hit


def command_implicit_deps(env, records, targets, sources, markers=False):
    """The files a task's command lines run (IMPLICIT_COMMAND_DEPENDENCIES): by default the
    first word of each line found on $ENV['PATH']; with a number N > 1 the first N words of
    each `&&`-separated command that are files; with 'all' every such word.
    `markers`: the records hold markers for the nodes' paths (SCons._docons); the answer is
    None when it would depend on those paths."""
    icd = env.get('IMPLICIT_COMMAND_DEPENDENCIES', True)
    if is_String(icd) and icd[:1] == '$':
        icd = env.subst(icd)
    if not icd or str(icd).lower() in _OFF:
        return []
    try:
        limit = int(icd)
    except (TypeError, ValueError):
        limit = None
    heavy = (limit is not None and limit > 1) or str(icd).lower() == 'all'
    if not heavy:
        limit = 1
    elif markers:
        return None
    import os
    import shlex
    from SCons import _state
    out = []
    for r in records:
        if r.get('kind') != 'command':
            continue
        for line in r['sig'].split('\n'):
            if '"' in line or "'" in line or '\\' in line:
                try:
                    words = shlex.split(line)
                except ValueError:
                    words = line.split()
            else:
                # what shlex.split gives when nothing is quoted or escaped (it is slow)
                words = [w for w in _shlex_space.split(line) if w]
            count = 0
            for w in words:
                if w.startswith(('&', '-')):
                    count = 0 if w == '&&' else count + 1
                    continue
                if limit is not None and count >= limit:
                    count += 1
                    continue
                if markers and '\0' in w:
                    return None
                path = None
                if heavy:
                    # a file, or one a task builds: SCons looks when the target is built,
                    # after what `.` lists before it was built
                    if os.path.isfile(w):
                        path = os.path.abspath(w)
                    else:
                        known = _state.fs.lookup_abs(os.path.abspath(w))
                        if known is not None and known.task is not None and known.kind == 'file':
                            path = known.abspath
                if path is None and count == 0:
                    path = _where_is(env, w)
                if path:
                    n = _state.fs.File(path)
                    if n not in out and n not in targets and n not in sources:
                        out.append(n)
                count += 1
                if not heavy:
                    break
    return out
