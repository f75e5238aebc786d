"""Build variables: `Variables()` collects variable declarations (name, help, default,
validator, converter), `Update` fills an environment from files and KEY=VALUE arguments,
`Save` writes the non-default ones back, `GenerateHelpText` describes them for `-h`.
The typed helpers (Bool/Enum/List/Path/PackageVariable) live in their own modules."""
import functools
import os
import sys

from SCons.Errors import UserError
from SCons.Util import is_Sequence, is_String, to_String

from .BoolVariable import BoolVariable
from .EnumVariable import EnumVariable
from .ListVariable import ListVariable
from .PackageVariable import PackageVariable
from .PathVariable import PathVariable

__all__ = ['Variables', 'BoolVariable', 'EnumVariable', 'ListVariable', 'PackageVariable',
           'PathVariable']


class Variable:
    """One declared variable."""
    __slots__ = ('key', 'aliases', 'help', 'default', 'validator', 'converter', 'do_subst')

    def __init__(self, key, aliases, help, default, validator, converter, do_subst):
        self.key = key
        self.aliases = aliases
        self.help = help
        self.default = default
        self.validator = validator
        self.converter = converter
        self.do_subst = do_subst

    def __lt__(self, other):
        return self.key < other.key

    def __str__(self):
        return "(%r, %r, %r, %r, %r, %r, %r)" % (self.key, self.aliases, self.help, self.default,
                                                 self.validator, self.converter, self.do_subst)


class Variables:
    def __init__(self, files=None, args=None, is_global=False):
        self.options = []
        self.args = args if args is not None else {}
        if not is_Sequence(files):
            files = [files] if files else []
        self.files = files
        self.unknown = {}
        self.defaulted = []

    def _do_add(self, key, help="", default=None, validator=None, converter=None, **kw):
        if is_Sequence(key):
            name, aliases = key[0], list(key[1:])
        else:
            name, aliases = key, []
        if not name.isidentifier():
            raise UserError("Illegal Variables key %r" % (name,))
        option = Variable(name, aliases, help, default, validator, converter,
                          kw.pop('subst', True))
        self.options.append(option)
        for n in aliases + [name]:
            self.unknown.pop(n, None)

    def keys(self):
        return [o.key for o in self.options]

    def Add(self, key, *args, **kw):
        if is_Sequence(key) and not args and \
                not {'help', 'default', 'validator', 'converter'} & set(kw):
            return self._do_add(*key, **kw)
        return self._do_add(key, *args, **kw)

    def AddVariables(self, *optlist):
        for opt in optlist:
            self._do_add(*opt)

    def _option_for(self, name):
        for o in self.options:
            if name == o.key or name in o.aliases:
                return o
        return None

    def _take(self, values, source):
        for name, value in source.items():
            o = self._option_for(name)
            if o is None:
                self.unknown[name] = value
                continue
            values[o.key] = value
            if o.key in self.defaulted:
                self.defaulted.remove(o.key)

    def Update(self, env, args=None):
        values = {o.key: o.default for o in self.options if o.default is not None}
        self.defaulted = list(values)
        for filename in self.files:
            if not os.path.exists(filename):
                continue
            read = {}
            folder = os.path.dirname(os.path.abspath(filename))
            sys.path.insert(0, folder)
            try:
                with open(filename) as f:
                    code = compile(f.read(), filename, 'exec')
                read['__name__'] = filename
                exec(code, {}, read)
            finally:
                del sys.path[0]
            del read['__name__']
            self._take(values, read)
        self._take(values, self.args if args is None else args)
        for o in self.options:
            if o.key in values:
                env[o.key] = values[o.key]
        for o in self.options:
            if o.converter is None or o.key not in values:
                continue
            value = env.subst('${%s}' % o.key) if o.do_subst else env[o.key]
            try:
                try:
                    env[o.key] = o.converter(value)
                except TypeError:
                    env[o.key] = o.converter(value, env)
            except ValueError as e:
                raise UserError("Error converting option: %r\n%s" % (o.key, e))
        for o in self.options:
            if o.validator is None or o.key not in values:
                continue
            value = env[o.key]
            if o.do_subst and is_String(value):
                value = env.subst('${%s}' % o.key)
            o.validator(o.key, value, env)

    def UnknownVariables(self):
        return self.unknown

    def Save(self, filename, env):
        try:
            with open(filename, 'w') as fh:
                for o in self.options:
                    if o.key not in env:
                        continue
                    value = env[o.key]
                    prepare = getattr(value, 'prepare_to_store', None)
                    if prepare is not None:
                        value = prepare()
                    else:
                        try:
                            eval(repr(value))
                        except Exception:
                            value = to_String(value)
                    default = env.subst(to_String(o.default))
                    if o.converter:
                        try:
                            default = o.converter(default)
                        except TypeError:
                            default = o.converter(default, env)
                    if str(env.subst('$' + o.key)) != str(default):
                        fh.write('%s = %r\n' % (o.key, value))
        except OSError as e:
            raise UserError('Error writing options to file: %s\n%s' % (filename, e))

    def GenerateHelpText(self, env, sort=False):
        if callable(sort):
            options = sorted(self.options, key=functools.cmp_to_key(lambda a, b: sort(a.key, b.key)))
        elif sort is True:
            options = sorted(self.options)
        else:
            options = self.options
        out = []
        for o in options:
            actual = env.subst('${%s}' % o.key) if o.key in env else None
            text = self.FormatVariableHelpText(env, o.key, o.help, o.default, actual, o.aliases)
            if text:
                out.append(text)
        return ''.join(out)

    fmt = '\n%s: %s\n    default: %s\n    actual: %s\n'
    aliasfmt = '\n%s: %s\n    default: %s\n    actual: %s\n    aliases: %s\n'

    def FormatVariableHelpText(self, env, key, help, default, actual, aliases=None):
        aliases = [a for a in (aliases or []) if a != key]
        if aliases:
            return self.aliasfmt % (key, help, default, actual, aliases)
        return self.fmt % (key, help, default, actual)
