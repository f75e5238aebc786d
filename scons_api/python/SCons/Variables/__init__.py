"""Build variables (Variables()): not supported by docons yet."""
from SCons.Errors import unsupported


def Variables(*args, **kw):
    unsupported("Variables()")
