"""Construction environments: the variable dictionary and its methods."""
import os
from collections import deque

from SCons import Util
from SCons.Util import is_List, is_Dict, is_String, is_Tuple, is_Scalar, semi_deepcopy
from SCons.Errors import UserError, unsupported
from SCons import Subst
from SCons import _state

_RESERVED = frozenset(('CHANGED_SOURCES', 'CHANGED_TARGETS', 'SOURCE', 'SOURCES', 'TARGET',
                       'TARGETS', 'UNCHANGED_SOURCES', 'UNCHANGED_TARGETS'))
_absent = object()
_BUILDER_KW = frozenset(('chdir', 'srcdir', 'src_dir', 'target', 'source'))


def _no_reserved(kw):
    return {k: v for k, v in kw.items() if k not in _RESERVED}


def _delete_duplicates(seq, keep_last):
    out = []
    items = reversed(seq) if keep_last else seq
    for x in items:
        if x not in out:
            out.append(x)
    if keep_last:
        out.reverse()
    return out


def _add_cppdefines(d, val, prepend=False, unique=False, delete_existing=False):
    def conv(v):
        if is_Tuple(v):
            return list(v)
        if is_String(v):
            parts = v.split('=')
            return [v, None] if len(parts) == 1 else parts
        return v

    def find(item, defines):
        if item in defines:
            return item
        c = conv(item)
        for x in defines:
            if c == conv(x):
                return x
        return False

    def add(item, defines):
        if unique:
            m = find(item, defines)
            if m is not False and m is not None and delete_existing:
                defines.remove(m)
            elif m is not False and m is not None:
                return
        if prepend:
            defines.appendleft(item)
        else:
            defines.append(item)

    if 'CPPDEFINES' not in d:
        d['CPPDEFINES'] = val.split() if is_String(val) else val
        return
    cur = d['CPPDEFINES']
    if isinstance(cur, deque):
        pass
    elif is_String(cur):
        cur = deque(cur.split())
    elif is_Tuple(cur):
        if len(cur) > 2:
            raise UserError("Invalid tuple in CPPDEFINES: %r, must be a two-tuple" % (cur,))
        cur = deque([cur])
    elif is_List(cur):
        q = deque()
        for x in cur:
            if is_Dict(x):
                q.extend(x.items())
            else:
                q.append(x)
        cur = q
    elif is_Dict(cur):
        cur = deque(cur.items())
    else:
        cur = deque(cur)
    d['CPPDEFINES'] = cur
    if is_Dict(val):
        for item in val.items():
            add(item, cur)
    elif is_String(val):
        for v in val.split():
            add(v, cur)
    elif is_Tuple(val):
        if len(val) == 0 or len(val) > 2:
            raise UserError("Invalid tuple added to CPPDEFINES: %r, must be a two-tuple" % (val,))
        if len(val) == 1:
            val = (val[0], None)
        if not is_Scalar(val[0]) or not is_Scalar(val[1]):
            raise UserError("Invalid tuple added to CPPDEFINES: %r, values must be scalar" % (val,))
        add(val, cur)
    elif is_List(val):
        tmp = []
        for item in val:
            if unique:
                m = find(item, cur)
                if m is not False and m is not None:
                    if delete_existing:
                        cur.remove(m)
                        tmp.append(item)
                    continue
            tmp.append(item)
        if prepend:
            cur.extendleft(tmp)
        else:
            cur.extend(tmp)
    else:
        add(val, cur)


class BuilderWrapper:
    """env.Program(...) : a builder bound to an environment."""

    def __init__(self, env, builder, name):
        self.env = env
        self.builder = builder
        self.name = name

    def __call__(self, target=None, source=_absent, *args, **kw):
        if source is _absent:
            source, target = target, None
        return self.builder(self.env, target, source, *args, **kw)

    def __repr__(self):
        return '<BuilderWrapper %s>' % self.name


class MethodWrapper:
    def __init__(self, obj, method, name=None):
        self.object = obj
        self.method = method
        self.name = name or method.__name__

    def __call__(self, *args, **kw):
        return self.method(self.object, *args, **kw)


class SubstitutionEnvironment:
    """The part of an environment that only knows about variables."""

    def __init__(self, **kw):
        self._dict = dict(kw)
        self.added_methods = {}

    # -- dictionary protocol
    def __getitem__(self, key):
        return self._dict[key]

    def __setitem__(self, key, value):
        if key in _RESERVED:
            from SCons.Warnings import warn, ReservedVariableWarning
            warn(ReservedVariableWarning, "Ignoring attempt to set reserved variable `%s'" % key)
            return
        if key not in self._dict and not key.isidentifier():
            raise UserError("Illegal construction variable %r" % (key,))
        if key == 'BUILDERS':
            from SCons.Builder import BuilderDict
            value = BuilderDict(value)
        self._dict[key] = value

    def __delitem__(self, key):
        del self._dict[key]

    def __contains__(self, key):
        return key in self._dict

    def __eq__(self, other):
        return isinstance(other, SubstitutionEnvironment) and self._dict == other._dict

    __hash__ = object.__hash__

    def get(self, key, default=None):
        return self._dict.get(key, default)

    def has_key(self, key):
        return key in self._dict

    def keys(self):
        return self._dict.keys()

    def values(self):
        return self._dict.values()

    def items(self):
        return self._dict.items()

    def setdefault(self, key, default=None):
        return self._dict.setdefault(key, default)

    def gvars(self):
        return self._dict

    def lvars(self):
        return {}

    def Dictionary(self, *args):
        if not args:
            return self._dict
        vals = [self._dict[k] for k in args]
        return vals[0] if len(vals) == 1 else vals

    def Dump(self, key=None, format='pretty'):
        import pprint
        if key:
            return pprint.pformat(self._dict[key])
        return pprint.pformat(self._dict)

    # -- substitution
    def subst(self, string, raw=0, target=None, source=None, conv=None, executor=None, overrides=None):
        if string.__class__ is str and '$' not in string:
            return string   # what scons_subst gives, without its set-up (a hot path)
        lvars = {'__env__': self}
        if overrides:
            lvars.update(overrides)
        mode = Subst.SUBST_RAW if raw == 1 else (Subst.SUBST_SIG if raw == 2 else Subst.SUBST_CMD)
        return Subst.scons_subst(string, self, mode, target, source, self.gvars(), lvars, conv)

    def subst_kw(self, kw, raw=0, target=None, source=None):
        return {k: self.subst(v, raw, target, source) for k, v in kw.items()}

    def subst_list(self, string, raw=0, target=None, source=None, conv=None, executor=None, overrides=None):
        lvars = {'__env__': self}
        if overrides:
            lvars.update(overrides)
        mode = Subst.SUBST_RAW if raw == 1 else (Subst.SUBST_SIG if raw == 2 else Subst.SUBST_CMD)
        return Subst.scons_subst_list(string, self, mode, target, source, self.gvars(), lvars, conv)

    def subst_path(self, path, target=None, source=None):
        if not is_List(path):
            path = [path]
        out = []
        for p in path:
            if is_String(p):
                p = self.subst(p, target=target, source=source, conv=lambda x: x)
                if is_List(p):
                    # SCons keeps a lone object; several become one space-joined string
                    p = Util.flatten(p)
                    p = p[0] if len(p) == 1 else ' '.join(str(x) for x in p)
            out.append(p)
        return out

    def subst_target_source(self, string, raw=0, target=None, source=None, conv=None, executor=None):
        return self.subst(string, raw, target, source, conv)

    def arg2nodes(self, args, node_factory=None, lookup_list=None, **kw):
        if node_factory is None:
            node_factory = _state.fs.File
        if args is None:
            return []
        if not is_List(args):
            args = [args]
        out = []
        for a in Util.flatten(args):
            if is_String(a):
                a = self.subst(a, raw=1)
                if is_List(a):
                    out.extend(node_factory(x) if is_String(x) else x for x in Util.flatten(a))
                    continue
                if not is_String(a):
                    out.append(a)
                    continue
                out.append(node_factory(a))
            elif a is None:
                continue
            else:
                out.append(a)
        return out

    def AddMethod(self, function, name=None):
        import types
        name = name or function.__name__
        self.added_methods[name] = function
        setattr(self, name, types.MethodType(function, self))

    def Override(self, overrides):
        if not overrides:
            return self
        o = _no_reserved(overrides)
        if not o:
            return self
        merges = o.pop('parse_flags', None)
        ov = {k: Subst.scons_subst_once(v, self, k) for k, v in o.items()}
        env = OverrideEnvironment(self, ov)
        if merges:
            env.MergeFlags(merges)
        return env

    def ParseFlags(self, *flags):
        from SCons.Defaults import parse_flags
        return parse_flags(self, flags)

    def backtick(self, command):
        """Run command (with $ENV) and return its standard output as text."""
        import subprocess
        from SCons._docons import _env_strings
        if is_List(command):
            command = ' '.join(map(str, command))
        p = subprocess.run(['/bin/sh', '-c', command], env=_env_strings(self),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode:
            raise OSError("'%s' exited %d" % (command, p.returncode))
        return p.stdout.decode('utf-8', 'replace')

    def ParseConfig(self, command, function=None, unique=True):
        """Run a *-config command and merge the flags it prints (or hand them to function)."""
        if function is None:
            def function(env, cmd, unique=unique):
                return env.MergeFlags(cmd, unique)
        if is_List(command):
            command = ' '.join(map(str, command))
        return function(self, self.backtick(self.subst(command)), unique)

    def MergeFlags(self, args, unique=True):
        if not is_Dict(args):
            args = self.ParseFlags(args)
        if not unique:
            self.Append(**args)
            return None
        for key, value in args.items():
            if not value:
                continue
            value = Util.Split(value) if not is_Dict(value) and not isinstance(value, deque) else value
            try:
                orig = self[key]
            except KeyError:
                orig = value
            else:
                if not orig:
                    orig = value
                elif value:
                    if key == 'CPPDEFINES':
                        self.AppendUnique(CPPDEFINES=value, delete_existing=True)
                        continue
                    orig = list(Util.Split(orig) if is_String(orig) else orig) + list(value)
            t = []
            if key[-4:] == 'PATH':
                for v in orig:
                    if v not in t:
                        t.append(v)
            else:
                for v in reversed(list(orig)):
                    if v not in t:
                        t.insert(0, v)
            self[key] = t
        return None


def _decider_function(function):
    """Register a Python decider; the engine calls it back by this id."""
    from SCons import _state
    _state.python_deciders.append(function)
    return len(_state.python_deciders) - 1


def decider_record(decider):
    """(name, function id) for a task or node decider value."""
    if isinstance(decider, int):
        return 'content', decider
    return decider, None


class Base(SubstitutionEnvironment):
    """A construction environment (what Environment() returns)."""

    def __init__(self, platform=None, tools=None, toolpath=None, variables=None,
                 parse_flags=None, **kw):
        from SCons import Defaults, Tool
        self.added_methods = {}
        self._dict = Defaults.base_variables()
        # None: the default environment's decider, looked up when the graph is written
        self.decide_source = None
        self.decide_target = None
        if platform is not None and not (is_String(platform) and platform == 'posix'):
            if callable(platform):
                platform(self)
            else:
                unsupported("Environment(platform=%r)" % (platform,))
        Tool.platform_posix(self)
        # like SCons: the given variables first (tools may use them), then the tools,
        # then the given variables again (they win over what the tools set)
        if 'options' in kw:
            # the old name of `variables=`, still accepted
            variables = kw.pop('options')
        if 'BUILDERS' in kw:
            self['BUILDERS'] = kw.pop('BUILDERS')
        self.Replace(**kw)
        keys = list(kw)
        if variables is not None:
            keys.extend(variables.keys())
            variables.Update(self)
        save = {k: self._dict[k] for k in keys if k in self._dict}
        if tools is None:
            tools = self._dict.get('TOOLS', None) or ['default']
        else:
            self._dict['TOOLS'] = []
        Tool.apply_tools(self, tools, toolpath)
        self._dict.update(save)
        if parse_flags:
            self.MergeFlags(parse_flags)

    def __getattr__(self, name):
        if name.startswith('__') or name in ('_dict', 'added_methods'):
            raise AttributeError(name)
        b = self._dict.get('BUILDERS', {}).get(name)
        if b is not None:
            return BuilderWrapper(self, b, name)
        raise AttributeError("'%s' object has no attribute '%s'" % (self.__class__.__name__, name))

    # -- modifying variables
    def Replace(self, **kw):
        kw = _no_reserved(kw)
        if 'BUILDERS' in kw:
            self['BUILDERS'] = kw.pop('BUILDERS')
        self._dict.update(kw)

    def SetDefault(self, **kw):
        for k, v in kw.items():
            if k not in self._dict:
                self._dict[k] = v

    def Append(self, **kw):
        d = self._dict
        for key, val in _no_reserved(kw).items():
            if key == 'CPPDEFINES':
                _add_cppdefines(d, val)
                continue
            if key not in d:
                d[key] = val
                continue
            orig = d[key]
            upd = getattr(orig, 'update', None)
            if upd is None:
                try:
                    d[key] = orig + val
                except (KeyError, TypeError):
                    app = getattr(orig, 'append', None)
                    if app is None:
                        if orig:
                            val.insert(0, orig)
                        d[key] = val
                    elif val:
                        app(val)
                continue
            if is_List(val):
                for v in val:
                    orig[v] = None
            else:
                try:
                    upd(val)
                except (AttributeError, TypeError, ValueError):
                    if is_Dict(val):
                        for k, v in val.items():
                            orig[k] = v
                    else:
                        orig[val] = None

    def Prepend(self, **kw):
        d = self._dict
        for key, val in _no_reserved(kw).items():
            if key == 'CPPDEFINES':
                _add_cppdefines(d, val, prepend=True)
                continue
            if key not in d:
                d[key] = val
                continue
            orig = d[key]
            upd = getattr(orig, 'update', None)
            if upd is None:
                try:
                    d[key] = val + orig
                except (KeyError, TypeError):
                    app = getattr(val, 'append', None)
                    if app is None:
                        if val:
                            orig.insert(0, val)
                    else:
                        if orig:
                            app(orig)
                        d[key] = val
                continue
            if is_List(val):
                for v in val:
                    orig[v] = None
            else:
                try:
                    upd(val)
                except (AttributeError, TypeError, ValueError):
                    if is_Dict(val):
                        for k, v in val.items():
                            orig[k] = v
                    else:
                        orig[val] = None

    def _add_unique(self, kw, delete_existing, prepend):
        d = self._dict
        for key, val in _no_reserved(kw).items():
            if key == 'CPPDEFINES':
                _add_cppdefines(d, val, prepend=prepend, unique=True, delete_existing=delete_existing)
                continue
            if is_List(val):
                val = _delete_duplicates(val, delete_existing if not prepend else not delete_existing)
            if key not in d or d[key] in ('', None):
                d[key] = val
            elif is_Dict(d[key]) and is_Dict(val):
                d[key].update(val)
            elif is_List(val):
                dk = d[key]
                if not is_List(dk):
                    dk = [dk]
                if delete_existing:
                    dk = [x for x in dk if x not in val]
                else:
                    val = [x for x in val if x not in dk]
                d[key] = (val + dk) if prepend else (dk + val)
            else:
                dk = d[key]
                if is_List(dk):
                    if delete_existing:
                        dk = [x for x in dk if x != val]
                        d[key] = ([val] + dk) if prepend else (dk + [val])
                    elif val not in dk:
                        d[key] = ([val] + dk) if prepend else (dk + [val])
                else:
                    if delete_existing:
                        dk = [x for x in dk if x not in val]
                    d[key] = (val + dk) if prepend else (dk + val)

    def AppendUnique(self, delete_existing=False, **kw):
        self._add_unique(kw, delete_existing, False)

    def PrependUnique(self, delete_existing=False, **kw):
        self._add_unique(kw, delete_existing, True)

    def AppendENVPath(self, name, newpath, envname='ENV', sep=os.pathsep, delete_existing=True):
        env = self._dict.setdefault(envname, {})
        env[name] = Util.AppendPath(env.get(name, ''), newpath, sep, delete_existing)

    def PrependENVPath(self, name, newpath, envname='ENV', sep=os.pathsep, delete_existing=True):
        env = self._dict.setdefault(envname, {})
        env[name] = Util.PrependPath(env.get(name, ''), newpath, sep, delete_existing)

    def Clone(self, tools=[], toolpath=None, variables=None, parse_flags=None, **kw):
        from SCons import Tool
        clone = object.__new__(self.__class__)
        clone.__dict__.update({k: v for k, v in self.__dict__.items()
                               if k not in self.added_methods})
        clone._dict = semi_deepcopy(self._dict)
        if 'BUILDERS' in clone._dict:
            from SCons.Builder import BuilderDict
            clone._dict['BUILDERS'] = BuilderDict(self._dict['BUILDERS'])
        clone.added_methods = {}
        for name, f in self.added_methods.items():
            clone.AddMethod(f, name)
        new = {k: Subst.scons_subst_once(v, self, k) for k, v in kw.items()}
        clone.Replace(**new)
        if variables is not None:
            variables.Update(clone)
        Tool.apply_tools(clone, tools, toolpath)
        clone.Replace(**new)
        if parse_flags:
            clone.MergeFlags(parse_flags)
        return clone

    def Copy(self, *args, **kw):
        return self.Clone(*args, **kw)

    def Touch(self, *args, **kw):
        from SCons.Defaults import Touch
        return Touch(*args, **kw)

    # -- tools & programs
    def Tool(self, tool, toolpath=None, **kw):
        """Find tool (a name) and apply it; a function is just called."""
        from SCons import Tool, _state
        if is_String(tool):
            tool = self.subst(tool)
            if toolpath is None:
                toolpath = self.get('toolpath', [])
            toolpath = [_state.fs.Dir(self.subst(p)).srcnode().abspath for p in toolpath]
            tool = Tool.Tool(tool, toolpath, **kw)
        tool(self)
        return tool

    def WhereIs(self, prog, path=None, pathext=None, reject=None):
        if path is None:
            path = self._dict.get('ENV', {}).get('PATH', '')
        elif is_String(path):
            path = self.subst(path)
        if is_List(prog):
            for p in prog:
                r = self.WhereIs(p, path, pathext, reject)
                if r:
                    return r
            return None
        return Util.WhereIs(self.subst(prog), path, pathext, reject)

    def Detect(self, progs):
        if not is_List(progs):
            progs = [progs]
        for p in progs:
            if self.WhereIs(p):
                return p
        return None

    def Decider(self, function):
        names = {'MD5': 'content', 'content': 'content', 'timestamp-newer': 'timestamp-newer',
                 'make': 'timestamp-newer', 'timestamp-match': 'timestamp-match',
                 'MD5-timestamp': 'content-timestamp', 'content-timestamp': 'content-timestamp'}
        if callable(function):
            self.decide_source = self.decide_target = _decider_function(function)
            return
        if function not in names:
            raise UserError("Unknown Decider value %r" % (function,))
        self.decide_source = self.decide_target = names[function]

    def Platform(self, platform):
        from SCons.Platform import Platform
        Platform(platform)(self)

    def Literal(self, string):
        return Subst.Literal(string)

    def Split(self, arg):
        if is_List(arg):
            return [self.subst(a) if is_String(a) else a for a in arg]
        if is_String(arg):
            return self.subst(arg).split()
        return [arg]

    def Flatten(self, seq):
        return Util.flatten(seq)

    def get_factory(self, factory, default='File'):
        from SCons import _state
        if factory is None:
            return getattr(_state.fs, default)
        return factory

    def get_builder(self, name):
        return self._dict.get('BUILDERS', {}).get(name)

    def get_scanner(self, skey):
        return None

    def scanner_map_delete(self, kw=None):
        pass

    def _update(self, other):
        self._dict.update(other)

    # -- file system
    def File(self, name, *args, **kw):
        from SCons.Script import _nodes_call
        return _nodes_call('File', self, name, *args, **kw)

    def Dir(self, name, *args, **kw):
        from SCons.Script import _nodes_call
        return _nodes_call('Dir', self, name, *args, **kw)

    def Entry(self, name, *args, **kw):
        from SCons.Script import _nodes_call
        return _nodes_call('Entry', self, name, *args, **kw)

    def FindFile(self, file, dirs):
        from SCons import _state
        file = self.subst(file)
        for d in Util.flatten(dirs):
            d = _state.fs.Dir(self.subst(d) if is_String(d) else d)
            for cand in [d] + d.srcdir_list():
                p = os.path.join(cand.abspath, file)
                if os.path.exists(p) or _state.fs.lookup_abs(os.path.normpath(p)) is not None:
                    return _state.fs.File(os.path.join(d.abspath, file))
        return None

    def Value(self, value, built_value=None, name=None):
        from SCons.Node.Python import ValueWithMemo
        return ValueWithMemo(value, built_value, name)

    def GetBuildPath(self, files):
        from SCons import _state
        r = [str(_state.fs.Entry(self.subst(f) if is_String(f) else f)) for f in Util.flatten([files])]
        return r[0] if not is_List(files) else r

    # -- graph declarations are shared with the global functions
    def __getattribute_proxy(name):
        def method(self, *args, **kw):
            from SCons.Script import _env_method
            return _env_method(name, self, *args, **kw)
        method.__name__ = name
        return method

    for _n in ('Alias', 'AlwaysBuild', 'Clean', 'Command', 'Default', 'Depends', 'Ignore',
               'Precious', 'NoClean', 'NoCache', 'Glob', 'SConscript', 'Install', 'InstallAs',
               'VariantDir', 'SideEffect', 'Requires', 'Execute', 'CacheDir', 'Configure',
               'Repository', 'SConsignFile', 'SourceCode', 'Local',
               'InstallVersionedLib', 'Pseudo', 'Action', 'Builder', 'Scanner', 'Export',
               'Import', 'Return', 'Help', 'GetOption', 'SetOption', 'EnsurePythonVersion',
               'EnsureSConsVersion', 'GetSConsVersion', 'Exit', 'GetLaunchDir', 'SConscriptChdir',
               'FindSourceFiles', 'FindInstalledFiles', 'AddPreAction', 'AddPostAction', 'Touch',
               'FindPathDirs'):
        locals()[_n] = __getattribute_proxy(_n)
    del _n


class OverrideEnvironment(Base):
    """A view of an environment with some variables replaced (builder-call overrides)."""

    def __init__(self, subject, overrides):
        self.__dict__['_subject'] = subject
        self.__dict__['_overrides'] = dict(overrides)
        self.__dict__['added_methods'] = {}
        self.__dict__['_gvars'] = None

    def __getattr__(self, name):
        if not name.startswith('__'):
            b = self.get('BUILDERS', {}).get(name)
            if b is not None:
                return BuilderWrapper(self, b, name)
        return getattr(self.__dict__['_subject'], name)

    @property
    def decide_source(self):
        return self._subject.decide_source

    @property
    def decide_target(self):
        return self._subject.decide_target

    @property
    def _dict(self):
        d = dict(self._subject._dict)
        d.update(self._overrides)
        return d

    def __getitem__(self, key):
        try:
            return self._overrides[key]
        except KeyError:
            return self._subject[key]

    def __setitem__(self, key, value):
        self._overrides[key] = value
        self.__dict__['_gvars'] = None

    def __delitem__(self, key):
        self._overrides.pop(key, None)
        self.__dict__['_gvars'] = None

    def __contains__(self, key):
        return key in self._overrides or key in self._subject

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        return self._dict.keys()

    def items(self):
        return self._dict.items()

    def Dictionary(self, *args):
        d = self._dict
        if not args:
            return d
        vals = [d[k] for k in args]
        return vals[0] if len(vals) == 1 else vals

    def gvars(self):
        g = self.__dict__['_gvars']
        if g is None or not Subst._frozen[0]:
            g = self._dict
            self.__dict__['_gvars'] = g
        return g

    def _write(self, method, kw):
        # apply a modification on a private copy of the overridden values
        tmp = Base.__new__(Base)
        tmp.__dict__['_dict'] = self._dict
        tmp.__dict__['added_methods'] = {}
        method(tmp, **kw)
        base = self._subject._dict
        for k, v in tmp._dict.items():
            if k in self._overrides or base.get(k, _absent) is not v:
                self._overrides[k] = v
        self.__dict__['_gvars'] = None

    def Replace(self, **kw):
        self._write(Base.Replace, kw)

    def Append(self, **kw):
        self._write(Base.Append, kw)

    def Prepend(self, **kw):
        self._write(Base.Prepend, kw)

    def AppendUnique(self, delete_existing=False, **kw):
        self._write(Base.AppendUnique, dict(kw, delete_existing=delete_existing))

    def PrependUnique(self, delete_existing=False, **kw):
        self._write(Base.PrependUnique, dict(kw, delete_existing=delete_existing))

    def SetDefault(self, **kw):
        for k, v in kw.items():
            if k not in self:
                self[k] = v

    def Clone(self, **kw):
        env = Base.__new__(Base)
        env.__dict__.update(self._subject.__dict__)
        env.__dict__['_dict'] = self._dict
        return Base.Clone(env, **kw)



Environment = Base


def NoSubstitutionProxy(subject):
    return subject
