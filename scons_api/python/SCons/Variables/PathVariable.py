"""PathVariable: a build variable naming a path, with validators for what must exist."""
import os

from SCons.Errors import UserError
from SCons.Util import is_List

__all__ = ['PathVariable']


class _PathVariableClass:
    @staticmethod
    def PathAccept(key, val, env):
        return

    @staticmethod
    def PathIsDir(key, val, env):
        if os.path.isdir(val):
            return
        what = 'is a file' if os.path.isfile(val) else 'does not exist'
        raise UserError('Directory path for variable %r %s: %s' % (key, what, val))

    @staticmethod
    def PathIsDirCreate(key, val, env):
        if os.path.isdir(val):
            return
        try:
            os.makedirs(val, exist_ok=True)
        except FileExistsError:
            raise UserError('Path for variable %r is a file, not a directory: %s' % (key, val))
        except OSError:
            raise UserError('Path for variable %r could not be created: %s' % (key, val))

    @staticmethod
    def PathIsFile(key, val, env):
        if os.path.isfile(val):
            return
        what = 'is a directory' if os.path.isdir(val) else 'does not exist'
        raise UserError('File path for variable %r %s: %s' % (key, what, val))

    @staticmethod
    def PathExists(key, val, env):
        if not os.path.exists(val):
            raise UserError('Path for variable %r does not exist: %s' % (key, val))

    def __call__(self, key, help, default, validator=None):
        name = key[0] if is_List(key) or isinstance(key, tuple) else key
        return (key, '%s ( /path/to/%s )' % (help, name), default,
                validator or self.PathExists, None)


PathVariable = _PathVariableClass()
