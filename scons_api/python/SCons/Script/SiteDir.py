"""site_scons folders: site_scons/site_init.py runs before the SConstruct (its names
join the SConstruct's globals) and site_scons/site_tools is searched for tools."""
import os
import re
import sys

from SCons.Errors import UserError

_DUNDER = []   # the pattern of __dunder__ names, compiled on first use (slow under RustPython)


def _dunder(name):
    if not _DUNDER:
        _DUNDER.append(re.compile(r"__[^_]+__"))
    return _DUNDER[0].match(name)


def load_site_dirs(top, site_dir):
    """site_dir: None (the usual places), False (--no-site-dir) or a folder name (--site-dir)."""
    if site_dir is None:
        for d in ('/usr/share/scons', os.path.expanduser('~/.scons'), top):
            _load(os.path.join(d, 'site_scons'), False)
    elif site_dir:
        _load(os.path.join(top, site_dir), True, os.path.join('.', site_dir))


def _load(site_dir, must_exist, shown=None):
    if not os.path.exists(site_dir):
        if must_exist:
            raise UserError("site dir %s not found." % (shown or site_dir))
        return
    sys.path.insert(0, os.path.abspath(site_dir))
    tools = os.path.join(site_dir, 'site_tools')
    if os.path.exists(tools):
        from SCons import Tool
        Tool.DefaultToolpath.insert(0, os.path.abspath(tools))
    init = os.path.join(site_dir, 'site_init.py')
    if os.path.exists(init):
        _run_site_init(init)


def _run_site_init(path):
    """Run site_init.py with SCons.Script's names, then publish what it defined there."""
    script = sys.modules['SCons.Script']
    names = {'__file__': path, '__name__': 'site_init', '__doc__': None}
    for k, v in script.__dict__.items():
        if not _dunder(k):
            names[k] = v
    try:
        with open(path) as f:
            code = compile(f.read(), 'site_init', 'exec')
        exec(code, names)
    except Exception:
        sys.stderr.write("*** Error loading site_init file %s:\n" % path)
        raise
    for k, v in names.items():
        if not _dunder(k):
            script.__dict__[k] = v
    script._EXPORTED = None
