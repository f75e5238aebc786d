"""Tools: the functions that put compilers, linkers and their builders into an
environment. docons knows the GNU toolchain found on Linux (gcc, g++,
gnulink, ar, gas) and the 'default' tool list built from them."""
import os
import subprocess

from SCons.Util import CLVar, is_String, WhereIs
from SCons.Errors import unsupported, UserError

CSuffixes = ['.c', '.m']
CXXSuffixes = ['.cpp', '.cc', '.cxx', '.c++', '.C++', '.mm', '.C']
ASSuffixes = ['.s', '.asm', '.ASM']
ASPPSuffixes = ['.spp', '.SPP', '.sx', '.S']

_version_cache = {}


def _compiler_version(prog):
    if prog in _version_cache:
        return _version_cache[prog]
    v = None
    try:
        from SCons import _inputs
        out = _inputs.run_probe([prog, '-dumpfullversion', '-dumpversion'],
                                WhereIs(prog) if not os.path.isabs(prog) else prog).stdout.strip()
        if out:
            v = out.split()[0]
    except Exception:
        v = None
    _version_cache[prog] = v
    return v


def platform_posix(env):
    from SCons.Platform import posix_escape
    env['ENV'] = {'PATH': '/usr/local/bin:/opt/bin:/bin:/usr/bin:/snap/bin'}
    env['OBJPREFIX'] = ''
    env['OBJSUFFIX'] = '.o'
    env['SHOBJPREFIX'] = '$OBJPREFIX'
    env['SHOBJSUFFIX'] = '$OBJSUFFIX'
    env['PROGPREFIX'] = ''
    env['PROGSUFFIX'] = ''
    env['LIBPREFIX'] = 'lib'
    env['LIBSUFFIX'] = '.a'
    env['SHLIBPREFIX'] = '$LIBPREFIX'
    env['SHLIBSUFFIX'] = '.so'
    env['LIBPREFIXES'] = ['$LIBPREFIX']
    env['LIBSUFFIXES'] = ['$LIBSUFFIX', '$SHLIBSUFFIX']
    env['LIBLITERALPREFIX'] = ':'
    env['HOST_OS'] = 'posix'
    env['HOST_ARCH'] = os.uname().machine
    env['PLATFORM'] = 'posix'
    env['SHELL'] = 'sh'
    env['ESCAPE'] = posix_escape
    env['TEMPFILEPREFIX'] = '@'
    env['MAXLINELENGTH'] = 128072
    env['__RPATH'] = '$_RPATH'
    env['SPAWN'] = _spawn
    env['PSPAWN'] = _spawn
    env['TARGET_ARCH'] = None
    env['TARGET_OS'] = None


def _spawn(sh, escape, cmd, args, env):
    """The default $SPAWN: `sh -c "args..."` with `env` as the whole environment."""
    import subprocess
    import sys
    for f in (sys.stdout, sys.stderr):
        f.flush()
    return subprocess.run([sh, '-c', ' '.join(args)], env=env).returncode


def _object_builders(env):
    from SCons import Builder
    bld = env['BUILDERS']
    if 'StaticObject' not in bld:
        bld['StaticObject'] = Builder.make_object_builder(shared=False)
        bld['Object'] = bld['StaticObject']
    if 'SharedObject' not in bld:
        bld['SharedObject'] = Builder.make_object_builder(shared=True)
    return bld['StaticObject'], bld['SharedObject']


def gen_cc(env):
    from SCons import Defaults as D
    static, shared = _object_builders(env)
    for s in CSuffixes:
        static.add_action(s, '$CCCOM', '$CCCOMSTR')
        shared.add_action(s, '$SHCCCOM', '$SHCCCOMSTR')
    env['_CCCOMCOM'] = '$CPPFLAGS $_CPPDEFFLAGS $_CPPINCFLAGS'
    env['FRAMEWORKS'] = CLVar('')
    env['FRAMEWORKPATH'] = CLVar('')
    env['CC'] = 'cc'
    env['CFLAGS'] = CLVar('')
    env['CCFLAGS'] = CLVar('')
    env['CCCOM'] = '$CC -o $TARGET -c $CFLAGS $CCFLAGS $_CCCOMCOM $SOURCES'
    env['SHCC'] = '$CC'
    env['SHCFLAGS'] = CLVar('$CFLAGS')
    env['SHCCFLAGS'] = CLVar('$CCFLAGS')
    env['SHCCCOM'] = '$SHCC -o $TARGET -c $SHCFLAGS $SHCCFLAGS $_CCCOMCOM $SOURCES'
    env['CPPDEFPREFIX'] = '-D'
    env['CPPDEFSUFFIX'] = ''
    env['INCPREFIX'] = '-I'
    env['INCSUFFIX'] = ''
    env['SHOBJSUFFIX'] = '.os'
    env['STATIC_AND_SHARED_OBJECTS_ARE_THE_SAME'] = 0
    env['CFILESUFFIX'] = '.c'


def gen_gcc(env):
    gen_cc(env)
    env['CC'] = env.Detect(['gcc', 'cc']) or 'gcc'
    env['SHCCFLAGS'] = CLVar('$CCFLAGS -fPIC')
    v = _compiler_version(env['CC'])
    if v:
        env['CCVERSION'] = v
    env['CCDEPFLAGS'] = '-MMD -MF ${TARGET}.d'
    env['NINJA_DEPFILE_PARSE_FORMAT'] = 'gcc'


def gen_cxx(env):
    static, shared = _object_builders(env)
    for s in CXXSuffixes:
        static.add_action(s, '$CXXCOM', '$CXXCOMSTR')
        shared.add_action(s, '$SHCXXCOM', '$SHCXXCOMSTR')
    env['CXX'] = 'c++'
    env['CXXFLAGS'] = CLVar('')
    env['CXXCOM'] = '$CXX -o $TARGET -c $CXXFLAGS $CCFLAGS $_CCCOMCOM $SOURCES'
    env['SHCXX'] = '$CXX'
    env['SHCXXFLAGS'] = CLVar('$CXXFLAGS')
    env['SHCXXCOM'] = '$SHCXX -o $TARGET -c $SHCXXFLAGS $SHCCFLAGS $_CCCOMCOM $SOURCES'
    env['CPPDEFPREFIX'] = '-D'
    env['CPPDEFSUFFIX'] = ''
    env['INCPREFIX'] = '-I'
    env['INCSUFFIX'] = ''
    env['SHOBJSUFFIX'] = '.os'
    env['OBJSUFFIX'] = '.o'
    env['STATIC_AND_SHARED_OBJECTS_ARE_THE_SAME'] = 0
    env['CXXFILESUFFIX'] = '.cc'


def gen_gxx(env):
    gen_cxx(env)
    env['CXX'] = env.Detect(['g++', 'c++']) or 'g++'
    env['SHCXXFLAGS'] = CLVar('$CXXFLAGS')
    v = _compiler_version(env['CXX'])
    if v:
        env['CXXVERSION'] = v


_mixed_link_warned = []


def smart_link(source, target, env, for_signature):
    """$LINK: $CXX when any object was compiled from C++ (warning once when Fortran objects
    are linked with it), $FORTRAN for Fortran objects, else $CC."""
    from SCons.Util import splitext
    from SCons.Tool.fortran import isfortran
    cxx = False
    for s in source or []:
        srcs = getattr(s, 'sources', None)
        if srcs and splitext(str(srcs[0]))[1] in CXXSuffixes:
            cxx = True
            break
    fortran = isfortran(env, source)
    if cxx and fortran:
        if not _mixed_link_warned:
            _mixed_link_warned.append(True)
            from SCons import Warnings
            Warnings.warn(Warnings.FortranCxxMixWarning,
                          "Using $CXX to link Fortran and C++ code together.\n"
                          "    This may generate a buggy executable if the '%s'\n"
                          "    compiler does not know how to deal with Fortran runtimes."
                          % env.subst('$CXX'))
        return '$CXX'
    if fortran:
        return '$FORTRAN'
    return '$CXX' if cxx else '$CC'


def gen_link(env):
    from SCons import Builder
    bld = env['BUILDERS']
    if 'Program' not in bld:
        bld['Program'] = Builder.make_program_builder()
    if 'SharedLibrary' not in bld:
        bld['SharedLibrary'] = Builder.make_shlib_builder()
    if 'LoadableModule' not in bld:
        bld['LoadableModule'] = Builder.make_ldmodule_builder()
    env['SHLINK'] = '$LINK'
    env['SHLINKFLAGS'] = CLVar('$LINKFLAGS -shared')
    env['SHLINKCOM'] = '$SHLINK -o $TARGET $SHLINKFLAGS $__SHLIBVERSIONFLAGS $__RPATH $SOURCES $_LIBDIRFLAGS $_LIBFLAGS'
    env['SHLIBSUFFIX'] = '.so'
    env['_SHLIBSUFFIX'] = '${SHLIBSUFFIX}${_SHLIBVERSION}'
    env['_SHLIBVERSION'] = "${'.' + SHLIBVERSION  if SHLIBVERSION else ''}"
    env['_SHLIBVERSIONFLAGS'] = '$SHLIBVERSIONFLAGS -Wl,-soname=$_SHLIBSONAME'
    env['SHLIBSONAMEFLAGS'] = '-Wl,-soname=$_SHLIBSONAME'
    from SCons.Tool import linkCommon
    linkCommon.setup(env)
    env['LDMODULE'] = '$SHLINK'
    env['LDMODULEPREFIX'] = '$SHLIBPREFIX'
    env['LDMODULESUFFIX'] = '$SHLIBSUFFIX'
    env['_LDMODULESUFFIX'] = '${LDMODULESUFFIX}${_LDMODULEVERSION}'
    env['LDMODULEFLAGS'] = '$SHLINKFLAGS'
    env['LDMODULECOM'] = '$LDMODULE -o $TARGET $LDMODULEFLAGS $__LDMODULEVERSIONFLAGS $__RPATH $SOURCES $_LIBDIRFLAGS $_LIBFLAGS '
    env['LDMODULEVERSION'] = '$SHLIBVERSION'
    env['LDMODULENOVERSIONSYMLINKS'] = '$SHLIBNOVERSIONSYMLINKS'
    env['_LDMODULEVERSION'] = "${'.' + LDMODULEVERSION  if LDMODULEVERSION else ''}"
    env['SMARTLINK'] = smart_link
    env['LINK'] = '$SMARTLINK'
    env['LINKFLAGS'] = CLVar('')
    env['LINKCOM'] = '$LINK -o $TARGET $LINKFLAGS $__RPATH $SOURCES $_LIBDIRFLAGS $_LIBFLAGS'
    env['LIBDIRPREFIX'] = '-L'
    env['LIBDIRSUFFIX'] = ''
    env['_LIBFLAGS'] = '${_stripixes(LIBLINKPREFIX, LIBS, LIBLINKSUFFIX, LIBPREFIXES, LIBSUFFIXES, __env__, LIBLITERALPREFIX)}'
    env['LIBLINKPREFIX'] = '-l'
    env['LIBLINKSUFFIX'] = ''
    env['RPATHPREFIX'] = '-Wl,-rpath='
    env['RPATHSUFFIX'] = ''
    env['_RPATH'] = '${_concat(RPATHPREFIX, RPATH, RPATHSUFFIX, __env__)}'


def gen_ar(env):
    from SCons import Builder
    bld = env['BUILDERS']
    if 'StaticLibrary' not in bld:
        bld['StaticLibrary'] = Builder.make_static_lib_builder()
        bld['Library'] = bld['StaticLibrary']
    env['AR'] = 'ar'
    env['ARFLAGS'] = CLVar('rc')
    env['ARCOM'] = '$AR $ARFLAGS $TARGET $SOURCES'
    env['LIBPREFIX'] = 'lib'
    env['LIBSUFFIX'] = '.a'
    if env.Detect('ranlib'):
        env['RANLIB'] = 'ranlib'
        env['RANLIBFLAGS'] = CLVar('')
        env['RANLIBCOM'] = '$RANLIB $RANLIBFLAGS $TARGET'


def gen_as(env):
    static, shared = _object_builders(env)
    for s in ASSuffixes:
        static.add_action(s, '$ASCOM', '$ASCOMSTR')
        shared.add_action(s, '$ASCOM', '$ASCOMSTR')
    for s in ASPPSuffixes:
        static.add_action(s, '$ASPPCOM', '$ASPPCOMSTR')
        shared.add_action(s, '$ASPPCOM', '$ASPPCOMSTR')
    env['AS'] = env.Detect(['as', 'gas']) or 'as'
    env['ASFLAGS'] = CLVar('')
    env['ASCOM'] = '$AS $ASFLAGS -o $TARGET $SOURCES'
    env['ASPPFLAGS'] = '$ASFLAGS'
    env['ASPPCOM'] = '$CC $ASPPFLAGS $CPPFLAGS $_CPPDEFFLAGS $_CPPINCFLAGS -c -o $TARGET $SOURCES'


def gen_filesystem(env):
    from SCons.Tool import filesystem
    filesystem.generate(env)


def gen_textfile(env):
    from SCons.Tool import textfile
    textfile.generate(env)


def gen_install(env):
    pass


def gen_gfortran(env):
    from SCons.Tool import fortran
    fortran.generate_gfortran(env)


def gen_default(env):
    names = ['gnulink', 'gcc', 'g++', 'gfortran', 'gas', 'ar', 'filesystem', 'textfile']
    for n in names:
        _TOOLS[n](env)
    env.AppendUnique(TOOLS=names)


_TOOLS = {
    'default': gen_default,
    'gcc': gen_gcc, 'cc': gen_cc,
    'g++': gen_gxx, 'gxx': gen_gxx, 'cxx': gen_cxx, 'c++': gen_cxx,
    'gnulink': gen_link, 'link': gen_link,
    'ar': gen_ar,
    'gas': gen_as, 'as': gen_as,
    'filesystem': gen_filesystem, 'textfile': gen_textfile,
    'install': gen_install,
    'gfortran': gen_gfortran,
}


def gen_zip(env):
    from SCons import Builder, Action
    import zipfile
    bld = env['BUILDERS']
    if 'Zip' not in bld:
        from SCons import _state
        bld['Zip'] = Builder.Builder(action=Action.Action('$ZIPCOM', '$ZIPCOMSTR'),
                                     source_factory=_state.fs.Entry, suffix='$ZIPSUFFIX',
                                     multi=True)
    env['ZIP'] = 'zip'
    env['ZIPFLAGS'] = CLVar('')
    env['ZIPCOM'] = Action.Action(_zip_files, '$ZIPCOMSTR',
                                  varlist=['ZIPCOMPRESSION', 'ZIPROOT', 'ZIP_OVERRIDE_TIMESTAMP'])
    env['ZIPCOMPRESSION'] = zipfile.ZIP_DEFLATED
    env['ZIPSUFFIX'] = '.zip'
    env['ZIPROOT'] = CLVar('')


def _zip_files(target, source, env):
    """The Zip builder's action: every source file (folders walked) into target[0],
    named relative to $ZIPROOT."""
    import zipfile
    compression = env.get('ZIPCOMPRESSION', zipfile.ZIP_STORED)
    root = str(env.get('ZIPROOT', ''))
    stamp = env.get('ZIP_OVERRIDE_TIMESTAMP')
    files = []
    for s in source:
        if s.isdir():
            for dirpath, _dirs, names in os.walk(str(s)):
                files.extend(p for p in (os.path.join(dirpath, n) for n in names) if os.path.isfile(p))
        else:
            files.append(str(s))
    with zipfile.ZipFile(str(target[0]), mode='w', compression=compression) as zf:
        for name in files:
            info = zipfile.ZipInfo.from_file(name, os.path.relpath(name, root))
            if stamp:
                info.date_time = stamp
            info.compress_type = compression
            with open(name, 'rb') as f:
                zf.writestr(info, f.read())


_TOOLS['zip'] = gen_zip

# Folders searched for tool modules after a Tool's own toolpath (site_scons/site_tools).
DefaultToolpath = []


def _find_tool_file(name, toolpath):
    """name.py, or the package name/__init__.py, in the first folder of toolpath that has it."""
    rel = name.replace('.', os.sep)
    for d in toolpath:
        path = os.path.join(d, rel + '.py')
        if os.path.isfile(path):
            return path
        path = os.path.join(d, rel, '__init__.py')
        if os.path.isfile(path):
            return path
    return None


def _load_tool_module(name, path, toolpath):
    """Import a tool module from a file, with toolpath on sys.path while it runs
    (tools import their helper modules); a file already loaded is reused."""
    import sys
    import importlib.util
    old = sys.modules.get(name)
    if old is not None and getattr(old, '__file__', None) == path:
        return old
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    saved = sys.path
    sys.path = list(toolpath) + sys.path
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path = saved
    return module


class Tool:
    """A tool found by name: a module (name.py) in toolpath or site_tools, else one of
    docons's built-in tools. Calling it on an environment applies it."""

    def __new__(cls, name, toolpath=None, **kw):
        if isinstance(name, Tool):
            return name
        return super().__new__(cls)

    def __init__(self, name, toolpath=None, **kw):
        if isinstance(name, Tool):
            return
        self.name = str(name)
        self.toolpath = list(toolpath or []) + DefaultToolpath
        self.init_kw = kw
        path = _find_tool_file(self.name, self.toolpath)
        if path is not None:
            module = _load_tool_module(self.name, path, self.toolpath)
            self.generate = module.generate
            self.exists = module.exists
            if hasattr(module, 'options'):
                unsupported("tool modules with options() (tool '%s')" % self.name)
            return
        gen = _TOOLS.get(self.name)
        if gen is None:
            unsupported("the '%s' tool" % self.name)
        self.generate = lambda env, *a, **k: gen(env)
        self.exists = lambda env: True

    def __call__(self, env, *args, **kw):
        if self.init_kw:
            merged = dict(self.init_kw)
            merged.update(kw)
            kw = merged
        env.AppendUnique(TOOLS=[self.name])
        self.generate(env, *args, **kw)

    def __str__(self):
        return self.name

    def __eq__(self, other):
        if isinstance(other, Tool):
            return self.name == other.name
        if isinstance(other, str):
            return self.name == other
        return NotImplemented

    def __hash__(self):
        return hash(self.name)


def apply_tools(env, tools, toolpath):
    """Environment(tools=, toolpath=) and Clone(tools=): remember toolpath, apply each
    tool (a name, a Tool, a function, or a (name, kwargs) pair)."""
    if toolpath is not None:
        env['toolpath'] = toolpath
    for tool in tools or []:
        if not tool:
            continue
        if isinstance(tool, (list, tuple)):
            env.Tool(tool[0], **(dict(tool[1]) if len(tool) > 1 else {}))
        else:
            env.Tool(tool)


def FindTool(tools, env):
    for t in tools:
        if t in _TOOLS:
            return t
    return None


def tool_list(platform, env):
    return ['default']
