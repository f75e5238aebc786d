"""SCons.Script.Main: the option and exit functions scripts import from here."""
from SCons.Script import GetOption, SetOption, AddOption, Exit  # noqa: F401
from SCons.Script.SConsOptions import format_help as _format_help


def PrintHelp(file=None, local_only=False):
    import sys
    (file or sys.stdout).write(_format_help(local_only))
