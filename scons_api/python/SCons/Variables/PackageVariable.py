"""PackageVariable: a build variable that is yes/no or a path to a package."""
import functools
import os

from SCons.Errors import UserError

__all__ = ['PackageVariable']

ENABLE_STRINGS = ('1', 'yes', 'true', 'on', 'enable', 'search')
DISABLE_STRINGS = ('0', 'no', 'false', 'off', 'disable')


def _converter(val, default):
    low = str(val).lower() if isinstance(val, bool) else val.lower()
    if low in DISABLE_STRINGS:
        return False
    if low in ENABLE_STRINGS:
        return True if default in ENABLE_STRINGS + DISABLE_STRINGS else default
    return val


def _validator(key, val, env, searchfunc):
    if env[key] is True:
        if searchfunc:
            env[key] = searchfunc(key, val)
    elif env[key] and not os.path.exists(val):
        raise UserError('Path does not exist for variable %r: %r' % (key, val))


def PackageVariable(key, help, default, searchfunc=None):
    help = '\n    '.join((help, '( yes | no | /path/to/%s )' % key))
    return (key, help, default, functools.partial(_validator, searchfunc=searchfunc),
            functools.partial(_converter, default=default))
