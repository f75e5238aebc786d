"""Warnings: docons prints them to stderr."""
import sys


class SConsWarning(UserWarning):
    pass


class WarningOnByDefault(SConsWarning):
    pass


class DeprecatedWarning(SConsWarning):
    pass


class FutureDeprecatedWarning(SConsWarning):
    pass


class MandatoryDeprecatedWarning(DeprecatedWarning):
    pass


class DependencyWarning(SConsWarning):
    pass


class VisualCMissingWarning(WarningOnByDefault):
    pass


class MissingSConscriptWarning(WarningOnByDefault):
    pass


class NoParallelSupportWarning(WarningOnByDefault):
    pass


class DuplicateEnvironmentWarning(WarningOnByDefault):
    pass


class MisleadingKeywordsWarning(WarningOnByDefault):
    pass


class ReservedVariableWarning(WarningOnByDefault):
    pass


class PythonVersionWarning(DeprecatedWarning):
    pass


class LinkWarning(WarningOnByDefault):
    pass


class FortranCxxMixWarning(LinkWarning):
    pass


_enabled = []


def enableWarningClass(clazz):
    _enabled.append(clazz)


def suppressWarningClass(clazz):
    pass


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
    msg = " ".join(str(a) for a in args)
    sys.stderr.write("\nscons: warning: %s\n%s" % (msg, _user_frame()))
