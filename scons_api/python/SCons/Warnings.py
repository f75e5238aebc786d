"""Warnings: SCons's warning classes, which are on (defaults, `--warn=`, SetOption('warn')), and
printing them to stderr. The engine's own warnings (target-not-built, dependency) are switched
by the classes' state here: see `engine_warnings`."""
import sys

from SCons.Errors import UserError


class SConsWarning(UserError):
    pass


class WarningOnByDefault(SConsWarning):
    pass


class LinkWarning(WarningOnByDefault):
    pass


class CacheVersionWarning(WarningOnByDefault):
    pass


class CacheWriteErrorWarning(SConsWarning):
    pass


class CacheCleanupErrorWarning(SConsWarning):
    pass


class CorruptSConsignWarning(WarningOnByDefault):
    pass


class DependencyWarning(SConsWarning):
    pass


class DevelopmentVersionWarning(WarningOnByDefault):
    pass


class DuplicateEnvironmentWarning(WarningOnByDefault):
    pass


class FortranCxxMixWarning(LinkWarning):
    pass


class FutureReservedVariableWarning(WarningOnByDefault):
    pass


class MisleadingKeywordsWarning(WarningOnByDefault):
    pass


class MissingSConscriptWarning(WarningOnByDefault):
    pass


class NoObjectCountWarning(WarningOnByDefault):
    pass


class NoParallelSupportWarning(WarningOnByDefault):
    pass


class ReservedVariableWarning(WarningOnByDefault):
    pass


class StackSizeWarning(WarningOnByDefault):
    pass


class TargetNotBuiltWarning(SConsWarning):
    pass


class VisualCMissingWarning(WarningOnByDefault):
    pass


class VisualVersionMismatch(WarningOnByDefault):
    pass


class VisualStudioMissingWarning(SConsWarning):
    pass


class FutureDeprecatedWarning(SConsWarning):
    pass


class DeprecatedWarning(SConsWarning):
    pass


class MandatoryDeprecatedWarning(DeprecatedWarning):
    pass


class PythonVersionWarning(DeprecatedWarning):
    pass


class DeprecatedOptionsWarning(MandatoryDeprecatedWarning):
    pass


class DeprecatedDebugOptionsWarning(MandatoryDeprecatedWarning):
    pass


# (class, on) pairs, the latest first: the first class a warning is an instance of decides.
_enabled = []
_warningAsException = False


def suppressWarningClass(clazz):
    _enabled.insert(0, (clazz, False))


def enableWarningClass(clazz):
    _enabled.insert(0, (clazz, True))


def warningAsException(flag=True):
    global _warningAsException
    old, _warningAsException = _warningAsException, flag
    return old


def is_enabled(clazz):
    for cls, flag in _enabled:
        if issubclass(clazz, cls):
            return flag
    return False


def setup(specs):
    """A new run: SCons's default warnings, then the `--warn` specs."""
    _enabled[:] = []
    enableWarningClass(WarningOnByDefault)
    enableWarningClass(DeprecatedWarning)
    process_warn_strings(specs or [])


def process_warn_strings(arguments):
    """`--warn=` specs, each `name` or `no-name` (`all`: every warning), name `some-type`
    standing for class SomeTypeWarning, as SCons reads them."""
    for arg in arguments:
        enable = True
        if arg.startswith('no-') and arg not in ('no-object-count', 'no-parallel-support'):
            enable = False
            arg = arg[3:]
        if arg == 'all':
            name = 'SConsWarning'
        else:
            name = arg.replace('-', ' ').title().replace(' ', '').replace('Scons', 'SCons') + 'Warning'
        clazz = globals().get(name)
        if not (isinstance(clazz, type) and issubclass(clazz, SConsWarning)):
            sys.stderr.write("No warning type: %r\n" % (arg,))
        elif enable:
            enableWarningClass(clazz)
        elif issubclass(clazz, MandatoryDeprecatedWarning):
            sys.stderr.write("Can not disable mandataory warning: %r\n" % (arg,))
        else:
            suppressWarningClass(clazz)


def engine_warnings():
    """The warnings the engine gives itself that are on (FORMAT.md `warnings`)."""
    return [name for name, clazz in (('target-not-built', TargetNotBuiltWarning),
                                     ('dependency', DependencyWarning)) if is_enabled(clazz)]


def _user_frame():
    """The innermost frame of a user's script (as SCons names it after a warning)."""
    f = sys._getframe(2)
    while f is not None:
        name = f.f_code.co_filename
        if name.startswith('/') and '/SCons/' not in name:
            return 'File "%s", line %d, in %s\n' % (name, f.f_lineno, f.f_code.co_name)
        f = f.f_back
    return ''


def warn(clazz, *args):
    if not is_enabled(clazz):
        return
    if _warningAsException:
        raise clazz(args)
    msg = " ".join(str(a) for a in args)
    sys.stderr.write("\nscons: warning: %s\n%s" % (msg, _user_frame()))
