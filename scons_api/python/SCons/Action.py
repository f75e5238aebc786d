"""Actions: what a task runs. Command actions are substituted when the graph
is written out (after all SConscripts ran, as SCons does at build time)."""
import re

from SCons.Util import is_String, is_List
from SCons.Errors import UserError, unsupported
from SCons import Subst

_null = object()
_var_only = re.compile(r'^\$(?:\{([_a-zA-Z]\w*)\}|([_a-zA-Z]\w*))$')
python_actions = []   # FunctionAction objects by id (for a later callback)


class ActionBase:
    cmdstr = _null
    chdir = None

    def __add__(self, other):
        return ListAction([self, other])

    def __radd__(self, other):
        return ListAction([other, self])

    def get_contents(self, target, source, env):
        return b''


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

    def records(self, env, target, source, lvars, cmdstr=_null):
        if cmdstr is _null:
            cmdstr = self.cmdstr
        lines = Subst.scons_subst_list(self.cmd_list, env, Subst.SUBST_CMD, gvars=env.gvars(),
                                       lvars=lvars, keep_marks=True)
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
        if cmdstr is not None and cmdstr is not _null:
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
                if w.__class__ is Subst._Mark:
                    depth += 1 if w is Subst.OPEN else -1
                    continue
                e = w.escape(escape) if hasattr(w, 'escape') else str(w)
                words.append(e)
                plain.append(str(w))
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
            out.append(rec)
        return out


class LazyAction(ActionBase):
    """Action('$CCCOM'): the variable's value decides, at build time."""

    def __init__(self, var, cmdstr=_null, **kw):
        self.var = var
        self.cmdstr = cmdstr
        self.kw = kw

    def __str__(self):
        return '$' + self.var

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
        self.strfunction = kw.get('strfunction', _null)
        self.cmdstr = kw.get('cmdstr', _null)
        self.id = len(python_actions)
        python_actions.append(self)

    def function_name(self):
        return getattr(self.execfunction, '__name__', None) or self.execfunction.__class__.__name__

    def __str__(self):
        return self.function_name()

    def records(self, env, target, source, lvars, cmdstr=_null):
        if self.cmdstr is not _null and self.cmdstr is not None:
            show = str(Subst.scons_subst(self.cmdstr, env, Subst.SUBST_RAW, gvars=env.gvars(), lvars=lvars))
        elif self.cmdstr is None or self.strfunction is None:
            show = ''
        elif callable(self.strfunction) and self.strfunction is not _null:
            show = self.strfunction(target, source, env)
        else:
            show = '%s(%s, %s)' % (self.function_name(),
                                   '[' + ', '.join('"%s"' % t for t in target) + ']',
                                   '[' + ', '.join('"%s"' % s for s in source) + ']')
        return [{'kind': 'python', 'id': self.id, 'show': show or '',
                 'sig': 'python:%s' % self.function_name()}]


class _CopyAction(ActionBase):
    """Copy source[0] to target[0] (Install, variant-dir duplication)."""

    def __init__(self, show_fmt):
        self.show_fmt = show_fmt

    def records(self, env, target, source, lvars, cmdstr=_null):
        show = self.show_fmt % {'src': source[0], 'dst': target[0]} if self.show_fmt else ''
        return [{'kind': 'copy', 'show': show, 'sig': 'copy'}]


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
        acts = [Action(a, **kw) for a in act]
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


def ActionFactory(actfunc, strfunc, convert=lambda x: x):
    def factory(*args, **kw):
        unsupported("%s() actions" % getattr(actfunc, '__name__', 'factory'))
    return factory
