"""The filesystem tool (CopyTo, CopyAs builders), as SCons's."""
import os
import shutil
import stat

import SCons.Action
import SCons.Builder
import SCons.Errors


def copyFunc(dest, source, env):
    if os.path.isdir(source):
        if os.path.exists(dest):
            if not os.path.isdir(dest):
                raise SCons.Errors.UserError("cannot overwrite non-directory `%s' with a directory `%s'"
                                             % (dest, source))
        else:
            parent = os.path.split(dest)[0]
            if parent and not os.path.exists(parent):
                os.makedirs(parent)
        shutil.copytree(source, dest, dirs_exist_ok=True)
    else:
        shutil.copy2(source, dest)
        st = os.stat(source)
        os.chmod(dest, stat.S_IMODE(st.st_mode) | stat.S_IWRITE)
    return 0


def copyto_emitter(target, source, env):
    n_target = []
    for t in target:
        n_target = n_target + [t.File(str(s)) for s in source]
    return (n_target, source)


def copy_action_func(target, source, env):
    assert len(target) == len(source), "\ntarget: %s\nsource: %s" % (list(map(str, target)),
                                                                    list(map(str, source)))
    for t, s in zip(target, source):
        if copyFunc(t.get_path(), s.get_path(), env):
            return 1
    return 0


def copy_action_str(target, source, env):
    return env.subst_target_source(env['COPYSTR'], 0, target, source)


copy_action = SCons.Action.Action(copy_action_func, copy_action_str)
copyToBuilder, copyAsBuilder = None, None


def generate(env):
    from SCons import _state
    global copyToBuilder, copyAsBuilder
    if 'CopyTo' in env['BUILDERS'] and 'CopyAs' in env['BUILDERS']:
        return
    if copyToBuilder is None:
        copyToBuilder = SCons.Builder.Builder(action=copy_action, target_factory=lambda n: _state.fs.Dir(n),
                                              source_factory=lambda n: _state.fs.Entry(n), multi=1,
                                              emitter=[copyto_emitter], name='CopyTo')
    if copyAsBuilder is None:
        copyAsBuilder = SCons.Builder.Builder(action=copy_action, target_factory=lambda n: _state.fs.Entry(n),
                                              source_factory=lambda n: _state.fs.Entry(n), name='CopyAs')
    env['BUILDERS']['CopyTo'] = copyToBuilder
    env['BUILDERS']['CopyAs'] = copyAsBuilder
    env['COPYSTR'] = 'Copy file(s): "$SOURCES" to "$TARGETS"'
