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


_enabled = []


def enableWarningClass(clazz):
    _enabled.append(clazz)


def suppressWarningClass(clazz):
    pass


def warn(clazz, *args):
    msg = " ".join(str(a) for a in args)
    sys.stderr.write("\nscons: warning: %s\n" % msg)
