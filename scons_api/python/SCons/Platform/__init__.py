"""Platforms: docons runs on POSIX only."""
from SCons.Errors import unsupported


def posix_escape(arg):
    """Quote an argument for /bin/sh (used for Literal() strings)."""
    arg = arg.replace('\\', '\\\\')
    for c in '"$':
        arg = arg.replace(c, '\\' + c)
    return '"' + arg + '"'


class PlatformSpec:
    def __init__(self, name, generate):
        self.name = name
        self.generate = generate

    def __call__(self, env):
        self.generate(env)

    def __str__(self):
        return self.name


def platform_default():
    return 'posix'


def Platform(name=None):
    if name is None:
        name = 'posix'
    if name not in ('posix', 'linux', 'linux2'):
        unsupported("Platform(%r)" % (name,))
    from SCons.Tool import platform_posix
    return PlatformSpec('posix', platform_posix)
