"""SCons.Script.Main: the option and exit functions scripts import from here."""
from SCons.Script import GetOption, SetOption, AddOption, Exit  # noqa: F401
from SCons.Script.SConsOptions import format_help as _format_help


def PrintHelp(file=None, local_only=False):
    import sys
    (file or sys.stdout).write(_format_help(local_only))


import os

from SCons.Script import GetOption, SetOption, AddOption, Exit  # noqa: F401


def _is_scons_frame(filename):
    # frozen modules are named by module ('SCons.Script.Main'); on-disk ones by path
    return filename == 'SCons' or filename.startswith('SCons.') or \
        (os.sep + 'SCons' + os.sep) in filename


def find_deepest_user_frame(tb):
    """The deepest entry of an extracted traceback (list of frame summaries)
    that is not in the SCons package; the deepest entry if all are."""
    tb.reverse()
    for frame in tb:
        if not _is_scons_frame(frame[0]):
            return frame
    return tb[0]
