"""Builders: turn (target, source) arguments into nodes and a Task.

A Task is one build step: its targets are made at once from its sources by
its action; the command lines are substituted when the graph is written."""
import os

from SCons import Util
from SCons.Util import is_List, is_String, splitext
from SCons.Errors import UserError
from SCons import Action as _A
from SCons import _state
from SCons.Node import Node, NodeList
from SCons.Node.FS import Entry, File, Dir

_fs_classes = (Entry, File, Dir)

_null = object()

# What a builder works out from the environment alone (its prefix, suffix and source
# suffixes), kept for the length of one builder call: a call declaring a hundred objects
# (StaticLibrary of a hundred sources) substitutes them once, not once per object.
# key -> (value, builder, env); None outside a builder call.
_call_memo = [None]


class Task:
    __slots__ = ('targets', 'sources', 'env', 'action', 'cwd', 'chdir', 'builder', 'kind')

    def __init__(self, targets, sources, env, action, cwd, builder, chdir=None, kind=None):
        self.targets = targets
        self.sources = sources
        self.env = env
        self.action = action
        self.cwd = cwd
        self.builder = builder
        self.chdir = chdir
        self.kind = kind


class EmitterProxy:
    """emitter='$VAR': the emitter is the variable's value when the builder is called."""

    def __init__(self, var):
        self.var = var[1:] if var.startswith('$') else var

    def __call__(self, target, source, env):
        emitter = self.var
        while is_String(emitter) and emitter in env:
            emitter = env[emitter]
        if callable(emitter):
            target, source = emitter(target, source, env)
        elif is_List(emitter):
            for e in emitter:
                target, source = e(target, source, env)
        return target, source


class DictEmitter(dict):
    """emitter={suffix: emitter}: chosen by the first source's suffix."""

    def __call__(self, target, source, env):
        if source:
            e = self.get(source[0].get_suffix() if hasattr(source[0], 'get_suffix') else '')
            if e is not None:
                target, source = e(target, source, env)
        return target, source


class ListEmitter(list):
    def __call__(self, target, source, env):
        for e in self:
            target, source = e(target, source, env)
        return target, source


class BuilderDict(dict):
    """env['BUILDERS']: copied per environment, builders shared."""


class BuilderBase:
    def __init__(self, action=None, prefix='', suffix='', src_suffix='', target_factory=None,
                 source_factory=None, target_scanner=None, source_scanner=None, emitter=None,
                 multi=0, env=None, single_source=0, name=None, chdir=_null, is_explicit=1,
                 src_builder=None, ensure_suffix=False, kind=None, **overrides):
        if isinstance(action, dict):
            self.action = None
            self.actions = {k: _A.Action(v) for k, v in action.items()}
        else:
            self.action = _A.Action(action) if action is not None else None
            self.actions = None
        self.prefix = prefix
        self.suffix = suffix
        self.ensure_suffix = ensure_suffix
        if is_List(src_suffix):
            self.src_suffix = list(src_suffix)
        else:
            self.src_suffix = [src_suffix] if src_suffix else []
        self.target_factory = target_factory
        self.source_factory = source_factory
        if isinstance(emitter, dict):
            emitter = DictEmitter(emitter)
        elif is_String(emitter):
            if emitter[:1] != '$':
                raise UserError("Supplied emitter '%s' does not appear to refer to an Environment "
                                "variable" % emitter)
            emitter = EmitterProxy(emitter)
        elif is_List(emitter):
            emitter = ListEmitter(emitter)
        self.emitter = emitter
        self.multi = multi
        self.single_source = single_source
        self.name = name
        self.chdir = chdir
        if src_builder is None:
            src_builder = []
        elif not is_List(src_builder):
            src_builder = [src_builder]
        self.src_builder = src_builder
        self.overrides = overrides
        self.kind = kind
        self.source_scanner = source_scanner
        self.target_scanner = target_scanner
        self.env = env            # kept for scripts that read it; calls use the caller's env
        self.shared = None        # True/False for object builders

    def add_action(self, suffix, action, cmdstr=_A._null):
        if self.actions is None:
            self.actions = {}
        self.actions[suffix] = _A.Action(action, cmdstr) if cmdstr is not _A._null else _A.Action(action)
        if suffix not in self.src_suffix:
            self.src_suffix.append(suffix)

    def add_emitter(self, suffix, emitter):
        if not isinstance(self.emitter, DictEmitter):
            self.emitter = DictEmitter()
        self.emitter[suffix] = emitter

    def get_name(self, env):
        try:
            for k, v in env['BUILDERS'].items():
                if v is self:
                    return k
        except (AttributeError, KeyError, TypeError):
            pass
        return self.name or str(self.__class__)

    def _subst(self, env, s, slist=None):
        if callable(s):
            return s(env, slist or [])
        return env.subst(s) if s else ''

    def _memo(self, what, env, compute):
        memo = _call_memo[0]
        if memo is None:
            return compute()
        key = (what, id(self), id(env))
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (compute(), self, env)
        return hit[0]

    def get_prefix(self, env, sources=[]):
        if callable(self.prefix):
            return self._subst(env, self.prefix, sources)
        return self._memo('prefix', env, lambda: self._subst(env, self.prefix, sources))

    def get_suffix(self, env, sources=[]):
        if callable(self.suffix):
            return self._subst(env, self.suffix, sources)
        return self._memo('suffix', env, lambda: self._subst(env, self.suffix, sources))

    def src_suffixes(self, env):
        # (a copy: callers may change the list they get)
        return list(self._memo('src_suffixes', env, lambda: self._src_suffixes(env)))

    def _src_suffixes(self, env):
        out = [env.subst(s) for s in self.src_suffix]
        for b in self._src_builders(env):
            for s in b.src_suffixes(env):
                if s not in out:
                    out.append(s)
        return out

    def get_src_suffix(self, env):
        ss = self._memo('src_suffixes', env, lambda: self._src_suffixes(env))
        return ss[0] if ss else ''

    def _src_builders(self, env):
        out = []
        for b in self.src_builder:
            if is_String(b):
                b = env.get('BUILDERS', {}).get(b)
                if b is None:
                    continue
            out.append(b)
        return out

    # -- calling
    def __call__(self, env, target=None, source=_null, chdir=_null, **kw):
        if source is _null:
            source, target = target, None
        if chdir is _null:
            chdir = self.chdir
        if chdir is _null:
            chdir = None
        srcdir = kw.pop('srcdir', None) or kw.pop('src_dir', None)
        ov = dict(self.overrides)
        ov.update(kw)
        if ov:
            env = env.Override(ov)
        if is_String(chdir):
            chdir = env.subst(chdir)
        if srcdir is not None:
            d = _state.fs.Dir(env.subst(srcdir) if is_String(srcdir) else srcdir)
            source = [d.File(env.subst(s)) if is_String(s) else s for s in Util.flatten([source])]
        if _call_memo[0] is not None:
            return NodeList(self._execute(env, target, source, chdir))
        _call_memo[0] = {}
        try:
            return NodeList(self._execute(env, target, source, chdir))
        finally:
            _call_memo[0] = None

    def _execute(self, env, target, source, chdir=None):
        if source is None or (is_String(source) and not source):
            source = []  # (an empty string is no source, as in SCons)
        if self.src_builder:
            source = self._chain_sources(env, source)
        source = Util.flatten([source]) if source is not None else []
        if self.single_source and len(source) > 1 and target is None:
            out = []
            for s in source:
                out.extend(self._execute(env, None, [s], chdir))
            return out
        if self.single_source and len(source) > 1 and target is not None:
            tl = Util.flatten([target])
            if len(tl) == len(source):
                out = []
                for t, s in zip(tl, source):
                    out.extend(self._execute(env, [t], [s], chdir))
                return out
            raise UserError("More than one source given for single-source builder: targets=%s sources=%s"
                            % (list(map(str, tl)), list(map(str, source))))
        tlist, slist = self._create_nodes(env, target, source)
        self._make_task(env, tlist, slist, chdir)
        return tlist

    def _chain_sources(self, env, source):
        builders = self._src_builders(env)
        sdict = {}
        for b in builders:
            for s in b.src_suffixes(env):
                sdict.setdefault(s, b)
        suffixes = self.src_suffixes(env)
        lengths = sorted(set(len(s) for s in suffixes))
        own_suf = self.get_src_suffix(env)

        # the first of `suffixes` that a name ends with: by its tails' places in the list
        first_place = {}
        for i, s in enumerate(suffixes):
            first_place.setdefault(s, i)
        by_place = all(s.__class__ is str for s in suffixes)

        def match(name):
            if by_place and name.__class__ is str:
                best = None
                for l in lengths:
                    i = first_place.get(name[-l:])
                    if i is not None and (best is None or i < best):
                        best = i
                return None if best is None else suffixes[best]
            tails = [name[-l:] for l in lengths]
            for s in suffixes:
                if s in tails:
                    return s
            return None

        out = []
        # consecutive sources for the same source builder are made in one go (as one by one)
        run = []
        run_builder = None

        def flush():
            for tl in run_builder._execute_each(env, run):
                if len(tl) > 1:
                    tl = [t for t in tl if match(t.name)]
                out.extend(tl)
            del run[:]

        for s in Util.flatten([source]):
            if s is None:
                continue
            if is_String(s):
                if run and '$' in s:
                    flush()     # (what the substitution reads is as one by one)
                s = env.subst(s)
                m = match(s)
                if not m and '.' not in s:
                    s = Util.adjustixes(s, None, own_suf)
                    m = match(s)
            else:
                m = match(getattr(s, 'name', str(s)))
            if m and m in sdict:
                b = sdict[m]
                if run and b is not run_builder:
                    flush()
                run_builder = b
                run.append(s)
            else:
                if run:
                    flush()
                out.append(s)
        if run:
            flush()
        return out

    def _execute_each(self, env, sources):
        """[self._execute(env, None, [s]) for s in sources] (the targets made from each source),
        with what is the same for every source worked out once: a builder over a hundred
        sources (the object builder under StaticLibrary) spends its time here."""
        cls = type(env)
        if self.src_builder or self.source_factory is not None \
                or cls.subst is not _plain_subst or cls.arg2nodes is not _plain_arg2nodes:
            return [self._execute(env, None, [s]) for s in sources]
        fs = _state.fs
        src_suf = self.get_src_suffix(env)
        lookup = fs._lookup
        tfac = self.target_factory or fs.Entry
        # (remembered for the builder call anyway)
        fixed = not callable(self.prefix) and not callable(self.suffix) \
            and _call_memo[0] is not None
        pre = suf = None
        emitter = self.emitter
        out = []
        for s in sources:
            c = s.__class__
            if c is str:
                s = Util.adjustixes(s, None, src_suf)
                if '$' in s:
                    slist = env.arg2nodes([s], fs.Entry)
                else:
                    slist = [lookup(s, None, Entry)]
            elif isinstance(s, Node):
                slist = [s]
            else:
                out.append(self._execute(env, None, [s]))
                continue
            if pre is None or not fixed:
                pre = self.get_prefix(env, slist)
                suf = self.get_suffix(env, slist)
            if not slist:
                tlist = []
            elif slist[0].__class__ in _fs_classes:
                # (their names are str: splitext_str, the default)
                tlist = [slist[0].target_from_source(pre, suf)]
            else:
                tlist = [slist[0].target_from_source(pre, suf, splitext)]
            if emitter:
                t2, s2 = emitter(target=tlist, source=slist, env=env)
                tlist = _as_nodes(env, t2, tfac)
                slist = _as_nodes(env, s2, fs.Entry)
            self._make_task(env, tlist, slist, None)
            out.append(tlist)
        return out

    def _create_nodes(self, env, target, source):
        fs = _state.fs
        src_suf = self.get_src_suffix(env)
        source = [Util.adjustixes(s, None, src_suf) if is_String(s) else s for s in source]
        sfac = self.source_factory or fs.Entry
        slist = env.arg2nodes(source, sfac)
        pre = self.get_prefix(env, slist)
        suf = self.get_suffix(env, slist)
        if target is None:
            if not slist:
                tlist = []
            else:
                tlist = [slist[0].target_from_source(pre, suf, splitext)]
        else:
            tl = Util.flatten([target])
            tl = [Util.adjustixes(env.subst(t), pre, suf, self.ensure_suffix) if is_String(t) else t
                  for t in tl]
            tlist = env.arg2nodes(tl, self.target_factory or fs.Entry)
        if self.emitter:
            t2, s2 = self.emitter(target=tlist, source=slist, env=env)
            tlist = env.arg2nodes(t2, self.target_factory or fs.Entry)
            slist = env.arg2nodes(s2, sfac)
        return tlist, slist

    def _action_for(self, env, slist):
        if self.actions is not None:
            if not slist:
                raise UserError("No source files given to %s" % self.get_name(env))
            suf = slist[0].get_suffix()
            a = self.actions.get(suf)
            if a is None:
                for s in slist[1:]:
                    if s.get_suffix() != suf:
                        break
                raise UserError("While building `%s': Don't know how to build from a source file "
                                "with suffix `%s'.  Expected a suffix in this list: %s."
                                % ([], suf, list(self.actions.keys())))
            return a
        return self.action

    def _make_task(self, env, tlist, slist, chdir=None):
        for n in tlist:
            if type(n) is Entry:
                n.__class__ = File
        for n in slist:
            if type(n) is Entry:
                n.disambiguate()
        if self.shared is True or self.kind == 'shlib':
            for s in slist:
                b = s.builder
                if b is not None and getattr(b, 'shared', None) is False:
                    raise UserError("Source file: %s is static and is not compatible with shared target: %s"
                                    % (s, tlist[0] if tlist else ''))
        action = self._action_for(env, slist)
        reuse = None
        for t in tlist:
            if t.side_effect:
                raise UserError("Multiple ways to build the same target were specified for: %s" % t)
            if t.task is None:
                continue
            old = t.task
            if t.env is not None and t.env is not env and not (
                    getattr(t.env, '_subject', 0) is getattr(env, '_subject', 1) and
                    getattr(t.env, '_overrides', 0) == getattr(env, '_overrides', 1) and
                    not self.multi):
                if old.action is not None and action is not None and \
                        old.action.get_contents(tlist, slist, t.env) == action.get_contents(tlist, slist, env):
                    from SCons import Warnings
                    Warnings.warn(Warnings.DuplicateEnvironmentWarning,
                                  "Two different environments were specified for target %s,\n\tbut they "
                                  "appear to have the same action: %s" % (t, _genstring(old.action)))
                else:
                    raise UserError("Two environments with different actions were specified for the "
                                    "same target: %s" % t)
            if self.multi:
                if t.builder is not self:
                    raise UserError("Two different builders (%s and %s) were specified for the same "
                                    "target: %s" % (t.builder.get_name(env) if t.builder else 'None',
                                                    self.get_name(env), t))
                if list(old.targets) != list(tlist):
                    raise UserError("Two different target lists have a target in common: %s  (from %s "
                                    "and from %s)" % (t, list(map(str, old.targets)), list(map(str, tlist))))
            elif list(t.sources) != list(slist):
                raise UserError("Multiple ways to build the same target were specified for: %s  (from %s "
                                "and from %s)" % (t, list(map(str, t.sources)), list(map(str, slist))))
            reuse = old
        if reuse is not None and not self.multi:
            # the same target, sources and action again: the later call's environment wins
            reuse.env = env
            for t in tlist:
                t.env = env
            return reuse
        existing = tlist[0].task if tlist else None
        if existing is not None and self.multi and existing.builder is self:
            for s in slist:
                if s not in existing.sources:
                    existing.sources.append(s)
            for t in tlist:
                t.add_source(slist)
            return existing
        if action is None:
            raise UserError("Builder %s must have an action to build %s."
                            % (self.get_name(env), list(map(str, tlist))))
        cwd = _state.fs.getcwd()
        task = Task(tlist, list(slist), env, action, cwd, self, chdir=chdir, kind=self.kind)
        for t in tlist:
            t.task = task
            t.builder = self
            t.env = env
            t.cwd = cwd
            t.sources = list(slist)
            if len(tlist) > 1:
                t.target_peers = tlist
        _state.tasks.append(task)
        return task


def _plain_methods():
    from SCons.Environment import SubstitutionEnvironment
    return SubstitutionEnvironment.subst, SubstitutionEnvironment.arg2nodes


_plain_subst, _plain_arg2nodes = _plain_methods()


def _as_nodes(env, items, factory):
    """env.arg2nodes(items, factory), without its work when items is a list of nodes."""
    if items.__class__ is list:
        for x in items:
            if not isinstance(x, Node):
                break
        else:
            return list(items)
    return env.arg2nodes(items, factory)


def _genstring(action):
    return str(action)


def Builder(**kw):
    if 'generator' in kw:
        if 'action' in kw:
            raise UserError("You must not specify both an action and a generator.")
        kw['action'] = _A.CommandGeneratorAction(kw.pop('generator'), {})
    if 'src_builder' in kw and kw['src_builder'] is not None and not is_List(kw['src_builder']):
        kw['src_builder'] = [kw['src_builder']]
    return BuilderBase(**kw)


# ---------------------------------------------------------------- standard ones
def _shared_emitter(flag):
    from SCons.Node import Attrs

    def emitter(target, source, env):
        for t in target:
            a = t.__dict__.get('attributes')
            if a is None:
                a = t.attributes = Attrs()
            a.shared = flag
        return target, source
    return emitter


def make_object_builder(shared):
    b = BuilderBase(action={}, prefix='$SHOBJPREFIX' if shared else '$OBJPREFIX',
                    suffix='$SHOBJSUFFIX' if shared else '$OBJSUFFIX', single_source=1,
                    emitter=_shared_emitter(shared), kind='object',
                    name='SharedObject' if shared else 'StaticObject')
    b.actions = {}
    b.src_suffix = []
    b.shared = shared
    return b


def make_program_builder():
    return BuilderBase(action=_A.Action('$LINKCOM', '$LINKCOMSTR'), prefix='$PROGPREFIX',
                       suffix='$PROGSUFFIX', src_suffix='$OBJSUFFIX', src_builder='Object',
                       kind='link', name='Program')


class _StaticLibAction(_A.ActionBase):
    def __init__(self):
        self.ar = _A.Action('$ARCOM', '$ARCOMSTR')
        self.ranlib = _A.Action('$RANLIBCOM', '$RANLIBCOMSTR')

    def same_for_every_task(self, env):
        return self.ar.same_for_every_task(env) and self.ranlib.same_for_every_task(env)

    def records(self, env, target, source, lvars, cmdstr=_A._null):
        out = self.ar.records(env, target, source, lvars)
        if env.get('RANLIB'):
            out.extend(self.ranlib.records(env, target, source, lvars))
        return out


_static_lib_action = None


def make_static_lib_builder():
    global _static_lib_action
    if _static_lib_action is None:
        _static_lib_action = _StaticLibAction()
    return BuilderBase(action=_static_lib_action, prefix='$LIBPREFIX', suffix='$LIBSUFFIX',
                       src_suffix='$OBJSUFFIX', src_builder='StaticObject', kind='staticlib',
                       name='StaticLibrary')


def _link_with_symlinks(com, comstr):
    """The link command, then the versioned library's symlinks (SCons's LibSymlinksAction)."""
    from SCons.Tool.linkCommon import LibSymlinksAction
    return _A.ListAction([_A.Action(com, comstr), LibSymlinksAction()])


def make_shlib_builder():
    b = BuilderBase(action=_link_with_symlinks('$SHLINKCOM', '$SHLINKCOMSTR'),
                    prefix='$SHLIBPREFIX', suffix='$_SHLIBSUFFIX', src_suffix='$SHOBJSUFFIX',
                    src_builder='SharedObject', emitter='$SHLIBEMITTER', kind='shlib',
                    name='SharedLibrary')
    b.shared = True
    return b


def make_ldmodule_builder():
    b = BuilderBase(action=_link_with_symlinks('$LDMODULECOM', '$LDMODULECOMSTR'),
                    prefix='$LDMODULEPREFIX', suffix='$_LDMODULESUFFIX', src_suffix='$SHOBJSUFFIX',
                    src_builder='SharedObject', emitter='$LDMODULEEMITTER', kind='shlib',
                    name='LoadableModule')
    b.shared = True
    return b


def is_a_Builder(obj):
    return isinstance(obj, BuilderBase)


DictCmdGenerator = dict
