"""Entry point for the Rust side: run the SConstruct, return the graph as JSON
(see scons_api/FORMAT.md)."""
import json
import os
import sys

from SCons import _native  # noqa: F401  (first: Rust versions of os.path hot spots)
from SCons import _inputs, _state, Subst, Util, Warnings
from SCons.Util import splitext_str as _splitext


def _decider_of(env):
    """An environment's decider; one that never had Decider() uses the default environment's."""
    d = getattr(env, 'decide_source', None)
    if d is None:
        de = _state.default_env
        d = getattr(de, 'decide_source', None) if de is not None else None
    return 'content' if d is None else d


class _Unbuffered:
    """sys.stdout/stderr as SCons has them: every write is flushed (so the output of the scripts,
    of Python actions and of the commands the engine runs comes out in order)."""

    def __init__(self, stream):
        self.__dict__['stream'] = stream

    def write(self, text):
        n = self.stream.write(text)
        self.stream.flush()
        return n

    def writelines(self, lines):
        self.stream.writelines(lines)
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def __setattr__(self, name, value):
        setattr(self.stream, name, value)
from SCons.Environment import decider_record


def read(request, data=False):
    """The graph as JSON text; with `data`, as the plain dict (the Rust side converts it itself,
    faster than json.dumps under RustPython, and sorts the `inputs` lists)."""
    if isinstance(request, str):
        request = json.loads(request)
    request = dict(request)
    top = os.path.normpath(os.path.abspath(request['top']))
    request['top'] = top
    _state.reset(request)
    Warnings.setup(_state.options.get('warn'))
    if request.get('argv'):
        sys.argv[:] = request['argv']
    if request.get('python'):
        sys.executable = request['python']
    from SCons import Script
    from SCons.Script.SConscript import _run, call_stack
    from SCons.Action import python_actions
    Script._reset_globals()
    from SCons import Tool
    del Tool.DefaultToolpath[:]
    del call_stack[:]
    del python_actions[:]
    from SCons import SConf
    SConf.reset()
    Subst.freeze(False)
    if not isinstance(sys.stdout, _Unbuffered):
        sys.stdout = _Unbuffered(sys.stdout)
    if not isinstance(sys.stderr, _Unbuffered):
        sys.stderr = _Unbuffered(sys.stderr)
    old_cwd = os.getcwd()
    old_path = list(sys.path)
    exit_status = None
    _inputs.start()
    echo = not request.get('quiet')
    out_tee, err_tee = _inputs.Tee(sys.stdout, echo), _inputs.Tee(sys.stderr, echo)
    sys.stdout, sys.stderr = out_tee, err_tee
    try:
        os.chdir(top)
        from SCons.Script.SiteDir import load_site_dirs
        load_site_dirs(top, _state.options.get('site_dir'))
        sc = request.get('sconstruct') or os.path.join(top, 'SConstruct')
        node = _state.fs.File(sc)
        _run(node, {}, {}, None)
        from SCons.Script import SConsOptions
        SConsOptions.check_leftover()
        SConf.config_h_tasks()
    except SystemExit as e:
        code = e.code
        exit_status = code if isinstance(code, int) else (0 if code is None else 1)
        if code is not None and not isinstance(code, int):
            sys.stderr.write(str(code) + '\n')
    finally:
        sys.stdout, sys.stderr = out_tee.stream, err_tee.stream
        _inputs.stop()
        os.chdir(old_cwd)
        sys.path[:] = old_path
    Subst.freeze(True)
    try:
        os.chdir(top)
        writer = _Writer(compact=data and _native.native is not None)
        out = writer.write(exit_status)
        if writer.compact:
            out['task_shapes'] = _compact_shapes(writer.shapes)
        import atexit
        if atexit._ncallbacks():
            # they run after the build, with this interpreter
            _inputs.volatile.append('atexit functions')
        out['inputs'] = _inputs.manifest(sort=not data)
        out['stdout'] = out_tee.text()
        out['stderr'] = err_tee.text()
    finally:
        Subst.freeze(False)
        os.chdir(old_cwd)
    return out if data else json.dumps(out)


def run_action(aid):
    """The engine's callback: run the Python function action with record id `aid` (see FORMAT.md)
    in the top folder. Returns (status, error text): status 0 is success."""
    from SCons.Action import python_actions
    act, target, source, env = python_actions[aid]
    top = _state.request['top']
    old = os.getcwd()
    try:
        os.chdir(top)
        return act.execute(target, source, env)
    finally:
        os.chdir(old)


def callback(kind, args):
    """The engine asks, after the scripts ran: 'decide' (a Python Decider) or 'scan' (a
    Python Scanner). Returns JSON."""
    args = json.loads(args)
    if kind == 'option_help':
        # -H: SCons's own options, without reading any script.
        from SCons.Script import SConsOptions
        return json.dumps(SConsOptions.format_help())
    fs = _state.fs
    old_cwd = os.getcwd()
    os.chdir(fs.top_abspath)
    try:
        if kind == 'explicit_exit':
            code, _state.explicit_exit = _state.explicit_exit, None
            return json.dumps(code if code is None or isinstance(code, int) else 1)
        if kind == 'build_done':
            from SCons.Errors import BuildError
            _state.build_failures[:] = [
                BuildError(node=_state.aliases.get(f['node']) or _entry(f['node']),
                           errstr=f['errstr'], status=f['status'], exitstatus=2)
                for f in args['failures']]
            import atexit
            atexit._run_exitfuncs()
            return 'null'
        if kind == 'progress':
            path = args['node']
            node = _state.aliases.get(path) or _entry(path)
            _state.progress_function(node)
            return 'null'
        if kind == 'decide':
            function = _state.python_deciders[args['function']]
            prev = args.get('prev')
            prev_ni = _NodeInfo(prev) if prev is not None else None
            changed = function(_entry(args['dependency']), _entry(args['target']), prev_ni,
                               None)
            return json.dumps(bool(changed))
        if kind == 'scan':
            scanner, env, cwd = _state.scan_calls[args['scanner']]
            node = fs.File(os.path.join(fs.top_abspath, args['node']))
            try:
                found = scanner(node, env, scanner.path(env, cwd))
            except SystemExit as e:
                from SCons.Action import explicit_exit
                from SCons.Errors import UserError
                raise UserError(explicit_exit(e))
            return json.dumps([_node_path(n) for n in found])
        raise ValueError("unknown callback %r" % (kind,))
    finally:
        os.chdir(old_cwd)


def _local_defaults(targets):
    """-U: only the Default() targets built from an SConscript in the launch folder (those
    no builder made are kept: the engine sorts them out), as SCons filters them."""
    if _state.options.get('climb_up') != 3:
        return targets
    launch = _state.fs.Dir(_state.launch_dir)
    out = []
    for t in targets:
        cwd = getattr(t, 'cwd', None)
        if cwd is None or cwd.srcnode() is launch:
            out.append(t)
    return out


def _action_text(action):
    """str(action), as SCons keeps it for --debug=explain; '' when the action has no text
    of its own (the engine then uses the command lines)."""
    if type(action).__str__ is object.__str__:
        return ''
    try:
        return str(action)
    except Exception:
        return ''


def _entry(path):
    return _state.fs.Entry(os.path.join(_state.fs.top_abspath, path))


class _NodeInfo:
    """What was recorded for a dependency (a decider's prev_ni)."""

    def __init__(self, d):
        self.csig = d.get('csig')
        self.timestamp = d.get('timestamp')
        self.size = d.get('size')


def _node_path(n):
    if Util.is_String(n):
        n = _state.fs.File(n)
    return n.path


def _env_strings(env):
    e = env.get('ENV') or {}
    out = {}
    for k, v in e.items():
        if isinstance(v, str):
            out[str(k)] = v
        elif Util.is_List(v):
            out[str(k)] = os.pathsep.join(map(str, Util.flatten(v)))
        else:
            out[str(k)] = str(v)
    return out


def _file_classes(_memo=[]):
    """File and Entry: the node classes whose get_suffix() is their name's suffix."""
    if not _memo:
        from SCons.Node.FS import File, Entry
        _memo.append((File, Entry))
    return _memo[0]


_RECORD_KEYS = frozenset(('kind', 'cmd', 'show', 'sig', 'ignore_errors'))


class _Writer:
    def __init__(self, compact=False):
        self.ids = {}
        self.nodes = []
        self.node_objs = []
        self.tasks = []
        self.copied = set()
        self.env_cache = {}
        self.scan_paths = {}    # (id(env), id(folder)) -> (CPPPATH, path, env, folder, record)
        self.suffix_sets = {}   # id($CPPSUFFIXES) -> (it, what `in` asks)
        self.record_templates = {}  # task shape -> (template or None, what the key names)
        self.action_texts = {}  # id(action) -> (text, action)
        self.fs = _state.fs
        self.folder_variants = {}  # folder node -> fs._variant_of(folder)
        self.shapes = []        # what the compact task records share (see plain_task)
        self.shape_ids = {}     # (action, env, folder, builder, counts) -> index in shapes, or -1
        # str(node) is node.path for these while the top folder is the current one
        from SCons.Node.FS import File, Entry, Dir
        self.plain_nodes = (File, Entry, Dir) if self.fs._cwd is self.fs.Top else ()
        self.compact = compact
        self.native_nodes = getattr(_native.native, 'plain_task_nodes', None) \
            if self.plain_nodes else None
        self.native_state = (self.fs._native_state, self.ids, self.node_objs, self.plain_nodes)

    def nid(self, n):
        i = self.ids.get(n)
        if i is None:
            i = self.ids[n] = len(self.node_objs)
            self.node_objs.append(n)
        return i

    def map_source(self, s):
        """Sources in a variant dir that nothing builds come from the source dir."""
        if s.task is not None or s.kind != 'file' and s.kind != 'dir':
            return s
        if s.kind == 'dir':
            return s
        hit = self.variant_of(s)
        if hit is None:
            return s
        src = s.srcnode()
        if src is s:
            return s
        v, d, dup = hit
        if not dup:
            return self.map_source(src)
        if s not in self.copied:
            self.copied.add(s)
            real = self.map_source(src)
            self.tasks.append({'targets': [self.nid(s)], 'sources': [self.nid(real)], 'deps': [],
                               'actions': [{'kind': 'copy', 'show': '', 'sig': 'duplicate'}],
                               'scanner': None, 'env': {}, 'decider': 'content', 'chdir': None})
        return s

    def variant_of(self, n):
        """fs._variant_of(n), remembered per folder (the variant dirs are all known by now)."""
        vmap = self.fs._variant_map
        if not vmap:
            return None
        hit = vmap.get(n.abspath)
        if hit is not None:
            return hit
        d = n._dir
        if d is None:
            return None
        try:
            return self.folder_variants[d]
        except KeyError:
            hit = self.folder_variants[d] = self.fs._variant_of(d)
            return hit

    def env_info(self, env):
        """(env, its ENV as strings, its decider, its CacheDir folder), once per environment."""
        key = id(env)
        r = self.env_cache.get(key)
        if r is None:
            r = self.env_cache[key] = (env, _env_strings(env), _decider_of(env),
                                       getattr(env, '_cache_dir', _state.cache_dir))
        return r

    def scanner(self, task, env, sources, shared=False):
        """The task's scanner record; with `shared`, one record object may serve many tasks."""
        suffixes = env.get('CPPSUFFIXES') or []
        known = self.suffix_sets.get(id(suffixes))
        if known is None or known[0] is not suffixes:
            # (a set answers `in` as the list does when all are str)
            plain = suffixes.__class__ in (list, tuple) \
                and all(x.__class__ is str for x in suffixes)
            known = self.suffix_sets[id(suffixes)] = (suffixes, frozenset(suffixes) if plain
                                                      else suffixes)
        suffixes = known[1]
        file_classes = _file_classes()
        for s in sources:
            if s.kind == 'file' and (_splitext(s.name)[1] if s.__class__ in file_classes
                                     else s.get_suffix()) in suffixes:
                break
        else:
            return None
        cpppath = env.get('CPPPATH') or []
        # the same for every task of (env, folder) unless $CPPPATH names the target
        key = (id(env), id(task.cwd))
        hit = self.scan_paths.get(key)
        if hit is not None and hit[0] is cpppath:
            if shared:
                return hit[4]
            return {'kind': 'C', 'path': list(hit[1])}
        from SCons.Defaults import _subst_path
        items = _subst_path(env, cpppath, task.targets[0] if task.targets else None, None)
        dirs = self.fs.RDirs(items, task.cwd, all_variants=True)
        path = [d.path for d in dirs]
        if not any(Util.is_String(p) and '$' in p for p in Util.flatten(cpppath)):
            self.scan_paths[key] = (cpppath, path, env, task.cwd,
                                    {'kind': 'C', 'path': list(path)})
        return {'kind': 'C', 'path': path}

    def lib_deps(self, task, env):
        libs = env.get('LIBS')
        if not libs:
            return []
        libpath = env.get('LIBPATH') or []
        from SCons.Defaults import _subst_path
        dirs = self.fs.RDirs(_subst_path(env, libpath, task.targets[0], None), task.cwd)
        prefixes = [env.subst(p) for p in Util.flatten(env.get('LIBPREFIXES') or [''])] or ['']
        suffixes = [env.subst(s) for s in Util.flatten(env.get('LIBSUFFIXES') or [''])] or ['']
        out = []
        for lib in Util.flatten(libs if Util.is_List(libs) else [libs]):
            if not Util.is_String(lib):
                out.append(lib)
                continue
            lib = env.subst(lib)
            if not lib:
                continue
            for lib1 in lib.split():
                if lib1.startswith(':'):
                    continue
                for p in prefixes:
                    for sfx in suffixes:
                        name = Util.adjustixes(lib1, p, sfx)
                        for d in dirs:
                            ap = os.path.normpath(os.path.join(d.abspath, name))
                            n = self.fs.lookup_abs(ap)
                            # built (a task's target or a side effect, as a versioned
                            # library's links), or on disk
                            if (n is not None and (n.task is not None
                                                   or getattr(n, 'side_effect', 0))) \
                                    or os.path.isfile(ap):
                                n = n or self.fs.File(ap)
                                if n not in out:
                                    out.append(n)
                                break
        return out

    def chdir(self, task, targets):
        """(folder for the engine, text SCons shows) for a task whose builder call or action
        has chdir=, else None. A string is a folder relative to the top; a Dir node names its
        own folder; any other true value means the first target's folder."""
        from SCons.Node.FS import Base
        d = task.chdir if task.chdir is not None else task.action.chdir
        if not d:
            return None
        if isinstance(d, Base):
            return d.path, d.abspath
        if Util.is_String(d):
            return d, d
        folder = targets[0].dir
        return folder.path, str(folder)

    def folder_actions(self, n):
        """AddPreAction/AddPostAction on a folder no task builds: SCons runs them (around its
        silent mkdir) when the folder is created for a target inside it."""
        from SCons.Script import DefaultEnvironment
        env = DefaultEnvironment()
        tl, sl = [n], []
        lv = {'__env__': env}
        lv.update(Subst.subst_dict(tl, sl))
        pre, post = [], []
        for a in n.pre_actions:
            pre.extend(a.records(env, tl, sl, lv))
        for a in n.post_actions:
            post.extend(a.records(env, tl, sl, lv))
        return pre, post

    def write_task(self, task):
        if task.chdir is None and self.plain_nodes:
            rec = self.plain_task(task)
            if rec is not None:
                self.tasks.append(rec if self.compact else _expand_task(rec, self.shapes,
                                                                        self.node_objs))
                return
        env, envd, decider, cache_dir = self.env_info(task.env)
        tl = task.targets
        map_source = self.map_source
        sl = [s if s.task is not None else map_source(s) for s in task.sources]
        pre, post = [], []
        for t in tl:
            td = t.__dict__
            for a in td.get('pre_actions', ()):
                if a not in pre:
                    pre.append(a)
            for a in td.get('post_actions', ()):
                if a not in post:
                    post.append(a)
        implicit = None
        if pre or post:
            lv = {'__env__': env}
            lv.update(Subst.subst_dict(tl, sl))
            actions = []
            for a in pre:
                actions.extend(a.records(env, tl, sl, lv))
            actions.extend(task.action.records(env, tl, sl, lv))
            for a in post:
                actions.extend(a.records(env, tl, sl, lv))
        else:
            actions, implicit = self.action_records(task.action, env, tl, sl)
        chdir = self.chdir(task, tl) if task.chdir is not None or task.action.chdir else None
        if chdir is not None:
            for a in actions:
                if a['show']:
                    a['show'] = 'os.chdir(%r)\n%s' % (chdir[1], a['show'])
                    if a['kind'] == 'command':
                        a['after'] = 'os.chdir(%r)' % self.fs.top_abspath
        deps = []
        requires = []
        side_effects = []
        for t in tl:
            td = t.__dict__
            for d in td.get('depends', ()):
                if d not in deps:
                    deps.append(d)
        kind = task.kind
        if kind == 'link' or kind == 'shlib':
            for d in self.lib_deps(task, env):
                if d not in deps and d not in task.sources:
                    deps.append(d)
        scanner = self.scanner(task, env, sl) if kind != 'install' and kind != 'alias' else None
        for t in tl:
            td = t.__dict__
            for p in td.get('prerequisites', ()):
                if p not in requires:
                    requires.append(p)
            for se in td.get('side_effects', ()):
                if se not in side_effects:
                    side_effects.append(se)
        if implicit is None:
            from SCons.Action import command_implicit_deps
            implicit = command_implicit_deps(env, actions, tl, sl)
        decider, decider_function = decider_record(decider)
        nid = self.nid
        self.tasks.append({
            'targets': [nid(t) for t in tl],
            'sources': [nid(s) for s in sl],
            'deps': [nid(map_source(d)) for d in deps],
            'actions': actions,
            'scanner': scanner,
            'env': envd,
            'decider': decider,
            'decider_function': decider_function,
            'chdir': chdir[0] if chdir is not None else None,
            'requires': [nid(map_source(p)) for p in requires],
            'side_effects': [nid(se) for se in side_effects],
            'implicit': [nid(n) for n in implicit],
            # Install's builder has its own empty source scanner: nothing it copies is scanned
            'python_scanners': (self.python_scanners(task, env, sl)
                                if kind != 'install' and kind != 'alias' else []),
            'cache_dir': cache_dir,
            'action_text': self.action_text(task.action),
        })

    # --- compact records -----------------------------------------------------------------------
    # A task without pre/post actions, extra dependencies, chdir, link libraries or Python
    # scanners, whose commands come from a template (see below) and whose nodes' paths have no
    # space or tab, is written as the tuple (shape, target ids, source ids, scanner, implicit
    # ids): the shape holds the rest of its record and the command templates, whose markers are
    # the nodes' paths. scons_api/src/lib.rs (expand_compact_tasks) turns it into the record;
    # _expand_task does the same in Python (under CPython).

    def plain_task(self, task):
        kind = task.kind
        if kind == 'link' or kind == 'shlib' or kind == 'install' or kind == 'alias':
            return None
        tl = task.targets
        native_nodes = self.native_nodes
        if native_nodes is not None and tl.__class__ is list and task.sources.__class__ is list:
            # (the same checks and the ids, in Rust; None when Python must look)
            hit = native_nodes(self.native_state, tl, task.sources)
            if hit is None:
                return None
            targets, sources, sl = hit
        else:
            plain = self.plain_nodes
            for t in tl:
                td = t.__dict__
                if t.__class__ not in plain or 'pre_actions' in td or 'post_actions' in td \
                        or 'depends' in td or 'prerequisites' in td or 'side_effects' in td:
                    return None
            map_source = self.map_source
            sl = [s if s.task is not None else map_source(s) for s in task.sources]
            for n in sl:
                if n.__class__ not in plain:
                    return None
            targets = sources = None
        env = task.env
        action = task.action
        cwd = tl[0].cwd if tl else None
        key = (id(action), id(env), id(cwd), id(task.builder), len(tl), len(sl))
        shape = self.shape_ids.get(key)
        if shape is None:
            shape = self.shape_ids[key] = self.make_shape(task, env, tl, sl)
        if shape < 0:
            return None
        if targets is None:
            paths = [n.path for n in tl]
            paths.extend([n.path for n in sl])
            for p in paths:
                if ' ' in p or '\t' in p:
                    return None
        scanner = self.scanner(task, env, sl, shared=True)
        nid = self.nid
        if targets is None:
            targets = [nid(t) for t in tl]
            sources = [nid(s) for s in sl]
        implicit = self.shapes[shape]['implicit']
        if implicit:
            implicit = [nid(n) for n in implicit if n not in tl and n not in sl]
        return (shape, targets, sources, scanner, implicit)

    def make_shape(self, task, env, tl, sl):
        """The index of the shape of the tasks like this one (same action, env, target folder,
        builder and counts of targets and sources), or -1 when they are written in full."""
        action = task.action
        builder = task.builder
        if action.chdir or builder is None or getattr(builder, 'source_scanner', None) is not None \
                or getattr(builder, 'target_scanner', None) is not None or env.get('SCANNERS'):
            return -1
        template = self.cached_template(action, env, tl, sl)
        if template is None or template[1] is None:
            return -1
        cwd = tl[0].cwd if tl else None
        env, envd, decider, cache_dir = self.env_info(env)
        decider, decider_function = decider_record(decider)
        self.shapes.append({
            'template': template[0],
            'implicit': template[1],
            'record': {'env': envd, 'decider': decider, 'decider_function': decider_function,
                       'cache_dir': cache_dir, 'action_text': self.action_text(action)},
            'keep': (action, env, cwd, builder),
        })
        return len(self.shapes) - 1

    def action_text(self, action):
        key = id(action)
        hit = self.action_texts.get(key)
        if hit is None or hit[1] is not action:
            hit = self.action_texts[key] = (_action_text(action), action)
        return hit[0]

    # --- action records by task shape -------------------------------------------------------
    # The tasks of one builder call (and of one environment) mostly run the same commands but
    # for their targets' and sources' paths: their records are made once per (action, env,
    # target folder, number of targets, number of sources) with markers for the paths, and
    # filled in per task. Only when every command came from a Subst template and the action
    # calls no Python with the nodes (see ActionBase.same_for_every_task); a path with a space
    # or a tab (quoted on the command line) is done per task.

    def cached_template(self, action, env, tl, sl):
        """`record_template`, made once per (action, env, target folder, number of targets,
        number of sources)."""
        cwd = tl[0].cwd if tl else None
        key = (id(action), id(env), id(cwd), len(tl), len(sl))
        hit = self.record_templates.get(key)
        if hit is None:
            # (the key's objects are kept alive while the key is in use)
            hit = self.record_templates[key] = (self.record_template(action, env, tl, sl),
                                                action, env, cwd)
        return hit[0]

    def action_records(self, action, env, tl, sl):
        """(records, implicit dependencies or None) for a task without pre/post actions."""
        template = self.cached_template(action, env, tl, sl)
        if template is not None:
            strs = [str(n) for n in tl]
            strs.extend([str(n) for n in sl])
            for x in strs:
                if ' ' in x or '\t' in x:
                    break
            else:
                return self.fill_records(template, strs, tl, sl)
        lv = {'__env__': env}
        lv.update(Subst.subst_dict(tl, sl))
        return action.records(env, tl, sl, lv), None

    def record_template(self, action, env, tl, sl):
        if not action.same_for_every_task(env):
            return None
        from SCons.Action import python_actions, command_implicit_deps
        lv = {'__env__': env}
        lv.update(Subst.subst_dict(tl, sl))
        made = len(python_actions)
        per_task = Subst._per_task_count[0]
        Subst._marker_mode[0] = True
        try:
            records = action.records(env, tl, sl, lv)
        finally:
            Subst._marker_mode[0] = False
        if Subst._per_task_count[0] != per_task or len(python_actions) != made:
            return None
        out = []
        for r in records:
            if r.get('kind') != 'command' or not _RECORD_KEYS.issuperset(r) \
                    or r['cmd'][:1] == '\0':
                return None
            pieces = []
            for f in ('cmd', 'show', 'sig'):
                v = r[f]
                if '\0' in v:
                    v = v.split('\0')
                    if not len(v) & 1:
                        return None
                    # the markers' numbers (a NUL of the scripts' own: no template)
                    numbers = Subst.marker_numbers
                    places = [numbers.get(x) for x in v[1::2]]
                    if None in places:
                        return None
                    v[1::2] = places
                pieces.append(v)
            pieces.append(bool(r.get('ignore_errors')))
            out.append(pieces)
        implicit = command_implicit_deps(env, records, [], [], markers=True)
        return out, implicit

    @staticmethod
    def fill_records(template, strs, tl, sl):
        out = []
        for cmd, show, sig, ignore in template[0]:
            if cmd.__class__ is list:
                cmd = ''.join([strs[x] if x.__class__ is int else x for x in cmd])
            if show.__class__ is list:
                show = ''.join([strs[x] if x.__class__ is int else x for x in show])
            if sig.__class__ is list:
                sig = ''.join([strs[x] if x.__class__ is int else x for x in sig])
            rec = {'kind': 'command', 'cmd': cmd, 'show': show, 'sig': sig}
            if ignore:
                rec['ignore_errors'] = True
            out.append(rec)
        implicit = template[1]
        if implicit is not None and implicit:
            implicit = [n for n in implicit if n not in tl and n not in sl]
        return out, implicit

    def python_scanners(self, task, env, sources):
        builder = task.builder
        if builder is not None and getattr(builder, 'source_scanner', None) is None \
                and getattr(builder, 'target_scanner', None) is None and not env.get('SCANNERS'):
            return []   # (the usual case, told without scanners_for)
        from SCons.Scanner import scanners_for
        out = []
        for sc, hits in scanners_for(env, task.builder, sources):
            _state.scan_calls.append((sc, env, task.cwd))
            out.append({'id': len(_state.scan_calls) - 1, 'sources': [self.nid(s) for s in hits],
                        'recursive': sc.recursive})
        ts = getattr(task.builder, 'target_scanner', None)
        if ts is not None:
            _state.scan_calls.append((ts, env, task.cwd))
            out.append({'id': len(_state.scan_calls) - 1, 'recursive': ts.recursive,
                        'sources': [self.nid(t) for t in task.targets], 'targets': True})
        return out

    def node_record(self, n):
        kind = n.kind
        d = {'path': n.path if kind == 'file' or kind == 'dir' else str(n.path), 'kind': kind}
        nd = n.__dict__
        flags = nd.get('flags')
        if flags:
            for f in ('precious', 'always_build', 'noclean', 'nocache', 'pseudo'):
                if flags.get(f):
                    d[f] = True
        clean = nd.get('clean')
        if clean:
            d['clean'] = [self.nid(c) for c in clean]
        ignore = nd.get('ignore')
        if ignore:
            d['ignore'] = [self.nid(c) for c in ignore]
        depends = nd.get('depends')
        if n.task is None and depends and kind == 'file':
            d['depends'] = [self.nid(self.map_source(x)) for x in depends]
        if kind == 'dir' and n.task is None and (nd.get('pre_actions') or nd.get('post_actions')):
            d['folder_pre_actions'], d['folder_post_actions'] = self.folder_actions(n)
        if n.decider is not None:
            name, function = decider_record(n.decider)
            d['decider'] = {'name': name, 'function': function}
        return d

    def write(self, exit_status):
        from SCons import Script
        if exit_status is None:
            for task in _state.tasks:
                self.write_task(task)
            # A side effect is "built" by every task that makes it: naming it builds them all.
            side = {}
            for task in _state.tasks:
                for t in task.targets:
                    for se in t.__dict__.get('side_effects', ()):
                        side.setdefault(se, [])
                        if t not in side[se]:
                            side[se].append(t)
            for se, makers in side.items():
                self.tasks.append({'targets': [self.nid(se)], 'sources': [self.nid(t) for t in makers],
                                   'deps': [], 'actions': [], 'scanner': None, 'env': {},
                                   'decider': 'content', 'chdir': None})
            for name, al in _state.aliases.items():
                if al.task is not None:
                    continue  # an alias with actions: written with the tasks
                deps = [self.nid(d) for d in al.depends]
                requires = [self.nid(self.map_source(p)) for p in al.prerequisites]
                self.tasks.append({'targets': [self.nid(al)],
                                   'sources': [self.nid(self.map_source(s)) for s in al.sources],
                                   'deps': deps, 'actions': [], 'scanner': None, 'env': {},
                                   'decider': 'content', 'chdir': None, 'requires': requires})
        for n in _state.depended:
            if n.task is None and n.kind == 'file' and n not in self.ids:
                self.nid(n)
        defaults = None
        if _state.default_targets is not None:
            defaults = [self.nid(n) for n in _local_defaults(_state.default_targets)]
        bt = Script._build_targets_for_engine()
        option_help = None
        if _state.options.get('help') and _state.help_text is None:
            from SCons.Script import SConsOptions
            option_help = SConsOptions.format_help()
        for n in _state.clean_targets:
            self.nid(n)
        for n in _state.pre_post_nodes:
            if n.kind == 'dir' and n.task is None:
                self.nid(n)
        i = 0
        nodes = []
        node_objs = self.node_objs
        plain_records = getattr(_native.native, 'node_records', None)
        while i < len(node_objs):
            # the records of the plain nodes from here on made in Rust, up to the first node
            # that has more to say (whose record may add nodes)
            if plain_records is not None:
                batch = plain_records(node_objs, i)
                nodes.extend(batch)
                i += len(batch)
                if i == len(node_objs):
                    break
            nodes.append(self.node_record(node_objs[i]))
            i += 1
        return {
            'nodes': nodes,
            'tasks': self.tasks,
            'default_targets': defaults,
            'build_targets': bt,
            'help_text': _state.help_text,
            'option_help': option_help,
            'options': _jsonable(_state.options),
            'variant_dirs': [{'variant': v.path, 'src': s.path, 'duplicate': d}
                             for v, s, d in self.fs.variant_dirs],
            'exit': exit_status,
            'warnings': Warnings.engine_warnings(),
            'progress': _state.progress,
            'sconscripts': [n.path for n in _state.script_nodes],
        }


def _fill_template(pieces, paths):
    if pieces.__class__ is list:
        return ''.join([paths[x] if x.__class__ is int else x for x in pieces])
    return pieces


def _expand_task(rec, shapes, node_objs):
    """The task record a compact one stands for (as scons_api/src/lib.rs makes it)."""
    shape_id, targets, sources, scanner, implicit = rec
    shape = shapes[shape_id]
    paths = [node_objs[i].path for i in targets]
    paths.extend([node_objs[i].path for i in sources])
    actions = []
    for cmd, show, sig, ignore in shape['template']:
        a = {'kind': 'command', 'cmd': _fill_template(cmd, paths),
             'show': _fill_template(show, paths), 'sig': _fill_template(sig, paths)}
        if ignore:
            a['ignore_errors'] = True
        actions.append(a)
    out = {'targets': targets, 'sources': sources, 'deps': [], 'actions': actions,
           'scanner': scanner, 'chdir': None, 'requires': [], 'side_effects': [],
           'implicit': implicit, 'python_scanners': []}
    out.update(shape['record'])
    return out


def _compact_shapes(shapes):
    """The shapes as plain data for lib.rs."""
    return [{'template': s['template'], 'record': s['record']} for s in shapes]


def _jsonable(o):
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if o is None or isinstance(o, (bool, int, float, str)):
        return o
    return str(o)
