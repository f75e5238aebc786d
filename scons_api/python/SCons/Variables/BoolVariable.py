"""BoolVariable: a yes/no build variable (converter to bool, validator)."""
from SCons.Errors import UserError

__all__ = ['BoolVariable']

TRUE_STRINGS = ('y', 'yes', 'true', 't', '1', 'on', 'all')
FALSE_STRINGS = ('n', 'no', 'false', 'f', '0', 'off', 'none')


def _text2bool(val):
    if isinstance(val, bool):
        return val
    low = val.lower()
    if low in TRUE_STRINGS:
        return True
    if low in FALSE_STRINGS:
        return False
    raise ValueError("Invalid value for boolean variable: %r" % (val,))


def _validator(key, val, env):
    if env[key] not in (True, False):
        raise UserError("Invalid value for boolean variable %r: %s" % (key, env[key]))


def BoolVariable(key, help, default):
    return (key, '%s (yes|no)' % help, default, _validator, _text2bool)
