"""Versioned shared libraries and loadable modules (SHLIBVERSION, LDMODULEVERSION), as
SCons's linkCommon: the versioned file name, the soname, and the symlinks (soname and
unversioned name -> the library) made after the link and re-made by InstallVersionedLib.

The symlinks are side effects of the library (cleaned with it); the engine makes them with a
"symlink" action (scons_api/FORMAT.md)."""
from SCons.Errors import UserError
from SCons.Action import ActionBase, _null


# ---------------------------------------------------------------- naming
def _strip_stem(name, prefix, suffix):
    if suffix and name.endswith(suffix):
        name = name[:-len(suffix)]
    if prefix and name.startswith(prefix) and name != prefix:
        name = name[len(prefix):]
    return name


def _get_shlib_stem(target, source, env, for_signature):
    """The library's name without $SHLIBPREFIX and $_SHLIBSUFFIX (libfoo.so.1.2 -> foo)."""
    return _strip_stem(str(target.name), env.subst('$SHLIBPREFIX'), env.subst('$_SHLIBSUFFIX'))


def _get_ldmodule_stem(target, source, env, for_signature):
    # as SCons: the prefix goes first, then the suffix, from the node's whole path
    name = str(target)
    prefix, suffix = env.subst('$LDMODULEPREFIX'), env.subst('$_LDMODULESUFFIX')
    if name.startswith(prefix):
        name = name[len(prefix):]
    if name.endswith(suffix):
        name = name[:-len(suffix)]
    return name


def _get_shlib_dir(target, source, env, for_signature):
    """The library's folder with a trailing '/', or '' at the top."""
    d = str(target.dir)
    return '' if not d or d == '.' else d + '/'


def _soversion(version_var):
    def soversion(target, source, env, for_signature):
        if 'SOVERSION' in env:
            return '.$SOVERSION'
        if version_var in env:
            return '.' + env.subst('$' + version_var).split('.')[0]
        return ''
    return soversion


def _shlib_soname(target, source, env, for_signature):
    if 'SONAME' in env:
        if 'SOVERSION' in env:
            raise UserError("Ambiguous library .so naming, both SONAME: %s and SOVERSION: %s are "
                            "defined. Only one can be defined for a target library."
                            % (env['SONAME'], env['SOVERSION']))
        return '$SONAME'
    return '$SHLIBPREFIX$_get_shlib_stem${SHLIBSUFFIX}$_SHLIBSOVERSION'


def _ldmodule_soname(target, source, env, for_signature):
    if 'SONAME' in env:
        return '$SONAME'
    return '$LDMODULEPREFIX$_get_ldmodule_stem${LDMODULESUFFIX}$_LDMODULESOVERSION'


def setup(env):
    """The naming variables of SharedLibrary and LoadableModule (gnulink)."""
    env['_get_shlib_stem'] = _get_shlib_stem
    env['_get_shlib_dir'] = _get_shlib_dir
    env['_SHLIBSOVERSION'] = _soversion('SHLIBVERSION')
    env['_SHLIBSONAME'] = _shlib_soname
    env['SHLIBNAME'] = '${_get_shlib_dir}${SHLIBPREFIX}$_get_shlib_stem${_SHLIBSUFFIX}'
    env['SHLIB_NOVERSION_SYMLINK'] = '${_get_shlib_dir}${SHLIBPREFIX}$_get_shlib_stem${SHLIBSUFFIX}'
    env['SHLIB_SONAME_SYMLINK'] = '${_get_shlib_dir}$_SHLIBSONAME'
    env['SHLIBEMITTER'] = [lib_emitter, shlib_symlink_emitter]
    env['_get_ldmodule_stem'] = _get_ldmodule_stem
    env['_LDMODULESOVERSION'] = _soversion('LDMODULEVERSION')
    env['_LDMODULESONAME'] = _ldmodule_soname
    env['LDMODULENAME'] = '${LDMODULEPREFIX}$_get_ldmodule_stem${_LDMODULESUFFIX}'
    env['LDMODULE_NOVERSION_SYMLINK'] = \
        '$_get_shlib_dir${LDMODULEPREFIX}$_get_ldmodule_stem${LDMODULESUFFIX}'
    env['LDMODULE_SONAME_SYMLINK'] = '$_get_shlib_dir$_LDMODULESONAME'
    env['_LDMODULEVERSIONFLAGS'] = '$LDMODULEVERSIONFLAGS -Wl,-soname=$_LDMODULESONAME'
    env['LDMODULEEMITTER'] = [lib_emitter, ldmod_symlink_emitter]


# ---------------------------------------------------------------- emitters
def lib_emitter(target, source, env):
    for t in target:
        if isinstance(t, str):
            t = env.File(t)
        t.attributes.shared = True
    return target, source


def EmitLibSymlinks(env, symlinks, libnode):
    """Each link is a side effect of what it points to, and is cleaned with it."""
    nodes = list(dict.fromkeys([link for link, _ in symlinks] + [libnode]))
    for link, linktgt in symlinks:
        env.SideEffect(link, linktgt)
        env.Clean(linktgt, [n for n in nodes if n is not linktgt])


def _symlink_emitter(var_prefix):
    def emitter(target, source, env):
        if env.subst('$%sNOVERSIONSYMLINKS' % var_prefix) in ('1', 'True', 'true'):
            return target, source
        if not env.subst('$%sVERSION' % var_prefix):
            return target, source
        libnode = target[0]
        soname = env.File(env.subst('$%s_SONAME_SYMLINK' % var_prefix, target=target, source=source))
        noversion = env.File(env.subst('$%s_NOVERSION_SYMLINK' % var_prefix, target=target,
                                       source=source))
        symlinks = []
        if soname is not libnode:
            symlinks.append((soname, libnode))
        symlinks.append((noversion, libnode))
        EmitLibSymlinks(env, symlinks, libnode)
        # InstallVersionedLib re-makes these links next to the installed copy
        libnode.attributes.shliblinks = symlinks
        return target, source
    return emitter


shlib_symlink_emitter = _symlink_emitter('SHLIB')
ldmod_symlink_emitter = _symlink_emitter('LDMODULE')


# ---------------------------------------------------------------- the symlink action
def symlink_record(symlinks, show):
    """The engine action that (re)makes `symlinks`, [(link node, node it points to)]: each
    link holds the path of its target relative to the link's folder."""
    links = [[link.path, link.dir.rel_path(linktgt)] for link, linktgt in symlinks]
    return {'kind': 'symlink', 'links': links, 'show': show,
            'sig': 'symlinks ' + ' '.join('%s->%s' % (a, b) for a, b in links)}


def _symlinks_text(target):
    """SCons's text for the action: each target's links, or None when there are none."""
    text = None
    for t in target:
        links = getattr(t.attributes, 'shliblinks', None)
        if links:
            text = (text + '\n') if text else ''
            text += 'Create symlinks for: %r\n    ' % t.path
            text += '\n    '.join('%r->%r' % (k.path, v.path) for k, v in links)
    return text


class LibSymlinksAction(ActionBase):
    """Runs after the link of SharedLibrary/LoadableModule: makes the targets' links."""

    def __str__(self):
        return 'LibSymlinksActionFunction(target, source, env)'

    def records(self, env, target, source, lvars, cmdstr=_null):
        links = [pair for t in target for pair in (getattr(t.attributes, 'shliblinks', None) or [])]
        if not links:
            return []
        return [symlink_record(links, _symlinks_text(target))]


def install_links(dest, source):
    """The links to make next to `dest`, an installed copy of the versioned library `source`."""
    out = []
    d = dest.dir
    for link, linktgt in getattr(source.attributes, 'shliblinks', None) or []:
        out.append((d.File(link.name), d.File(linktgt.name)))
    return out


class InstallSymlinksAction(ActionBase):
    """After InstallVersionedLib's copy: the library's links next to the installed copy
    (silent, as SCons's)."""

    def __init__(self, links):
        self.links = links

    def __str__(self):
        return 'installShlibLinks(target, source, env)'

    def records(self, env, target, source, lvars, cmdstr=_null):
        return [symlink_record(self.links, '')]
