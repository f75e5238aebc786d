"""The Fortran tools: gfortran and the dialects it compiles (FORTRAN, F77, F90, F95,
F03, F08), each with its suffixes, its compile and preprocess-then-compile command
variables, and the emitter that adds the .mod files a source's MODULE statements make.
(Fortran INCLUDE/USE scanning is not done: .F sources get the C include scanner.)"""
import re

from SCons import _state
from SCons.Util import CLVar, case_sensitive_suffixes

# (dialect, plain suffixes, preprocessed suffixes, has modules)
_DIALECTS = (
    ('FORTRAN', ['.f', '.for', '.ftn'], ['.fpp', '.FPP'], True),
    ('F77', ['.f77'], [], False),
    ('F90', ['.f90'], [], True),
    ('F95', ['.f95'], [], True),
    ('F03', ['.f03'], [], True),
    ('F08', ['.f08'], [], True),
)

_module_re = []   # compiled on first use (slow under RustPython, rarely needed)


def _module_pattern():
    if not _module_re:
        _module_re.append(re.compile(r'(?i)^\s*MODULE\s+(?!PROCEDURE|SUBROUTINE|FUNCTION|PURE|ELEMENTAL)(\w+)',
                                     re.M))
    return _module_re[0]


def _module_targets(target, source, env):
    """The .mod files the first source's MODULE statements make, added to the targets."""
    node = source[0].rfile() if hasattr(source[0], 'rfile') else source[0]
    if not node.exists() and not node.is_derived():
        print("Could not locate " + str(node.name))
        return [], []
    names = []
    for m in _module_pattern().findall(node.get_text_contents()):
        if m not in names:
            names.append(m)
    suffix = env.subst('$FORTRANMODSUFFIX', target=target, source=source)
    moddir = env.subst('$FORTRANMODDIR', target=target, source=source)
    for m in names:
        target.append(_state.fs.File(m.lower() + suffix, moddir or None))
    return target, source


def _with_modules(base):
    """The object builder's emitter, run after the module emitter for Fortran sources."""
    from SCons.Util import splitext_str as splitext
    from SCons.Node.FS import File

    def emitter(target, source, env):
        suffixes = env.get('FORTRANSUFFIXES') or ()
        # (a File's path ends with its name: its suffix without making the path)
        first = source[0] if source else None
        if source and splitext(first.name if first.__class__ is File else str(first))[1] \
                in suffixes:
            target, source = _module_targets(target, source, env)
            if not target:
                return target, source
        return base(target, source, env) if base else (target, source)
    emitter._fortran = True
    return emitter


def _add_dialect(env, static, shared, dialect, suffixes, ppsuffixes, mods):
    suffixes = list(env.get(dialect + 'FILESUFFIXES', suffixes))
    ppsuffixes = list(env.get(dialect + 'PPFILESUFFIXES', ppsuffixes))
    upper = [s.upper() for s in suffixes]
    if case_sensitive_suffixes(suffixes[0], suffixes[0].upper()):
        ppsuffixes.extend(upper)
    else:
        suffixes.extend(upper)
    env.AppendUnique(FORTRANSUFFIXES=suffixes + ppsuffixes)
    for s in suffixes:
        static.add_action(s, '$%sCOM' % dialect, '$%sCOMSTR' % dialect)
        shared.add_action(s, '$SH%sCOM' % dialect, '$SH%sCOMSTR' % dialect)
    for s in ppsuffixes:
        static.add_action(s, '$%sPPCOM' % dialect, '$%sPPCOMSTR' % dialect)
        shared.add_action(s, '$SH%sPPCOM' % dialect, '$SH%sPPCOMSTR' % dialect)
    d = dialect
    if d + 'FLAGS' not in env:
        env[d + 'FLAGS'] = CLVar('')
    if 'SH%sFLAGS' % d not in env:
        env['SH%sFLAGS' % d] = CLVar('$%sFLAGS' % d)
    if 'INC%sPREFIX' % d not in env:
        env['INC%sPREFIX' % d] = '$INCPREFIX'
    if 'INC%sSUFFIX' % d not in env:
        env['INC%sSUFFIX' % d] = '$INCSUFFIX'
    env['_%sINCFLAGS' % d] = ('${_concat(INC%s, %sPATH, INC%s, __env__, RDirs, TARGET, SOURCE, '
                              'affect_signature=False)}' % (d + 'PREFIX', d, d + 'SUFFIX'))
    mod = ' $_FORTRANMODFLAG' if mods else ''
    inc = '$_%sINCFLAGS%s $SOURCES' % (d, mod)
    env[d + 'COM'] = '$%s -o $TARGET -c $FORTRANCOMMONFLAGS $%sFLAGS %s' % (d, d, inc)
    env[d + 'PPCOM'] = ('$%s -o $TARGET -c $FORTRANCOMMONFLAGS $%sFLAGS $CPPFLAGS $_CPPDEFFLAGS %s'
                        % (d, d, inc))
    env['SH%sCOM' % d] = '$SH%s -o $TARGET -c $FORTRANCOMMONFLAGS $SH%sFLAGS %s' % (d, d, inc)
    env['SH%sPPCOM' % d] = ('$SH%s -o $TARGET -c $FORTRANCOMMONFLAGS $SH%sFLAGS $CPPFLAGS '
                            '$_CPPDEFFLAGS %s' % (d, d, inc))


def generate_gfortran(env):
    from SCons.Tool import _object_builders
    static, shared = _object_builders(env)
    for dialect, suffixes, ppsuffixes, mods in _DIALECTS:
        _add_dialect(env, static, shared, dialect, suffixes, ppsuffixes, mods)
    for b in (static, shared):
        if not getattr(b.emitter, '_fortran', False):
            b.emitter = _with_modules(b.emitter)
    env['FORTRANMODPREFIX'] = ''
    env['FORTRANMODSUFFIX'] = '.mod'
    env['FORTRANMODDIR'] = ''
    env['FORTRANMODDIRPREFIX'] = ''
    env['FORTRANMODDIRSUFFIX'] = ''
    env['_FORTRANMODFLAG'] = ('$( ${_concat(FORTRANMODDIRPREFIX, FORTRANMODDIR, '
                              'FORTRANMODDIRSUFFIX, __env__, RDirs, TARGET, SOURCE)} $)')
    compiler = env.Detect(['gfortran']) or 'gfortran'
    posix = env.get('PLATFORM') not in ('cygwin', 'win32')
    for d, _s, _p, _m in _DIALECTS:
        if d not in env:
            env[d] = compiler
        if 'SH' + d not in env:
            env['SH' + d] = '$' + d
        if posix:
            env['SH%sFLAGS' % d] = CLVar('$%sFLAGS -fPIC' % d)
        env['INC%sPREFIX' % d] = '-I'
        env['INC%sSUFFIX' % d] = ''
    env['FORTRANMODDIRPREFIX'] = '-J'


def isfortran(env, source):
    """True when a source (or the first source of an object) has a Fortran suffix."""
    suffixes = env.get('FORTRANSUFFIXES')
    if not suffixes or not source:
        return False
    from SCons.Util import splitext
    for s in source:
        srcs = getattr(s, 'sources', None)
        if srcs and splitext(str(srcs[0]))[1] in suffixes:
            return True
    return False
