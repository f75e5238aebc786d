"""EnumVariable: a build variable with one of a fixed set of values (optional aliases map,
case handling)."""
from SCons.Errors import UserError

__all__ = ['EnumVariable']


def _check(key, val, allowed):
    if val not in allowed:
        raise UserError("Invalid value for enum variable %r: %r. Valid values are: %s"
                        % (key, val, allowed))


def EnumVariable(key, help, default, allowed_values, map=None, ignorecase=0):
    map = map or {}
    help = '%s (%s)' % (help, '|'.join(allowed_values))
    if ignorecase:
        def validator(k, v, env):
            _check(k, v.lower(), allowed_values)
    else:
        def validator(k, v, env):
            _check(k, v, allowed_values)
    if ignorecase == 2:
        def converter(v):
            return map.get(v.lower(), v).lower()
    elif ignorecase == 1:
        def converter(v):
            return map.get(v.lower(), v)
    else:
        def converter(v):
            return map.get(v, v)
    return (key, help, default, validator, converter)
