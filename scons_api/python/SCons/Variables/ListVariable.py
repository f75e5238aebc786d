"""ListVariable: a build variable holding a comma-separated subset of allowed names
('all' and 'none' included)."""
import collections
import functools

from SCons.Errors import UserError
from SCons.Util import is_List

__all__ = ['ListVariable']


class _ListVariable(collections.UserList):
    def __init__(self, initlist=None, allowedElems=None):
        super().__init__([x for x in (initlist or []) if x])
        self.allowedElems = sorted(allowedElems or [])

    def __eq__(self, other):
        return NotImplemented

    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = None

    def __str__(self):
        if not self.data:
            return 'none'
        self.data.sort()
        if self.data == self.allowedElems:
            return 'all'
        return ','.join(self)

    def prepare_to_store(self):
        return str(self)


def _converter(val, allowedElems, mapdict):
    if val == 'none':
        names = []
    elif val == 'all':
        names = allowedElems
    else:
        names = [mapdict.get(v, v) for v in val.split(',') if v]
    return _ListVariable(names, allowedElems)


def _validator(key, val, env):
    allowed = env[key].allowedElems
    words = val.data if isinstance(val, _ListVariable) else val.split()
    bad = [v for v in words if v not in allowed]
    if bad:
        raise UserError("Invalid value(s) for variable %r: %r. Valid values are: %s"
                        % (key, ','.join(bad), ','.join(allowed + ['all', 'none'])))


def ListVariable(key, help, default, names, map=None, validator=None):
    if is_List(default):
        default = ','.join(default)
    help = '\n    '.join((help, '(all|none|comma-separated list of names)',
                          'allowed names: %s' % ' '.join(names)))
    converter = functools.partial(_converter, allowedElems=names, mapdict=map or {})
    return (key, help, default, validator or _validator, converter)
