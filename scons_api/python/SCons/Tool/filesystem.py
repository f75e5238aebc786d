"""The filesystem tool: the CopyTo (into a folder) and CopyAs (under a new name) builders.

Both copy files with their times and make the copy writable; a folder is copied as a tree, into
an existing folder when there is one. The action shows $COPYSTR.
"""
import os
import stat

import SCons.Action
import SCons.Builder
from SCons.Errors import UserError


def copy_one(dest, source):
    """Copy file or folder `source` to `dest`."""
    import shutil   # (here: importing it is slow under RustPython)
    if not os.path.isdir(source):
        shutil.copy2(source, dest)
        mode = stat.S_IMODE(os.stat(source).st_mode)
        os.chmod(dest, mode | stat.S_IWRITE)
        return
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise UserError("cannot overwrite non-directory `%s' with a directory `%s'" % (dest, source))
    parent = os.path.dirname(dest)
    if parent:
        os.makedirs(parent, exist_ok=True)
    shutil.copytree(source, dest, dirs_exist_ok=True)


def _copy_all(target, source, env):
    if len(target) != len(source):
        raise UserError("CopyTo/CopyAs: %d targets for %d sources" % (len(target), len(source)))
    for t, s in zip(target, source):
        copy_one(t.get_path(), s.get_path())
    return 0


def _show(target, source, env):
    return env.subst_target_source(env['COPYSTR'], 0, target, source)


def _into_folder(target, source, env):
    """CopyTo: each source keeps its name inside the target folder."""
    return [t.File(str(s)) for t in target for s in source], source


_copy = SCons.Action.Action(_copy_all, _show)
_builders = {}


def generate(env):
    from SCons import _state
    if 'CopyTo' in env['BUILDERS'] and 'CopyAs' in env['BUILDERS']:
        return
    if not _builders:
        entry = lambda name: _state.fs.Entry(name)  # noqa: E731
        _builders['CopyTo'] = SCons.Builder.Builder(
            action=_copy, target_factory=lambda name: _state.fs.Dir(name), source_factory=entry,
            multi=1, emitter=[_into_folder], name='CopyTo')
        _builders['CopyAs'] = SCons.Builder.Builder(
            action=_copy, target_factory=entry, source_factory=entry, name='CopyAs')
    env['BUILDERS'].setdefault('CopyTo', _builders['CopyTo'])
    env['BUILDERS'].setdefault('CopyAs', _builders['CopyAs'])
    env['COPYSTR'] = 'Copy file(s): "$SOURCES" to "$TARGETS"'


def exists(env):
    return True
