"""File-system nodes: File, Dir, Entry, with '#'-relative lookup, one node
object per path, and the variant-dir (build dir) mapping to source dirs."""
import fnmatch
import os

from SCons import _inputs
from SCons._native import join_norm as _join_norm, native as _native_mod
from SCons._inputs import path_kind as _path_kind, KIND_FILE, KIND_DIR
from SCons.Node import Node
from SCons.Errors import UserError
from SCons.Util import splitext_str as _splitext

_norm = os.path.normpath
_dirname = os.path.dirname


def _parent_path(abspath):
    """os.path.dirname of a normalised absolute path (without its cost for the usual ones)."""
    i = abspath.rfind('/')
    if i > 0 and abspath[i - 1] != '/':
        return abspath[:i]
    return _dirname(abspath)


class Base(Node):
    kind = 'file'

    _src = None

    def __init__(self, fs, abspath, parent):
        # (Node.__init__ sets nothing: no call)
        self.fs = fs
        self.abspath = abspath
        self._dir = parent
        self.name = abspath[abspath.rfind('/') + 1:] if parent is not None else abspath
        prefix = fs.top_prefix
        if abspath == fs.top_abspath:
            self.path = '.'
        elif abspath.startswith(prefix):
            self.path = abspath[len(prefix):]
        else:
            self.path = abspath

    # --- identity / naming ----------------------------------------------
    def __str__(self):
        # as SCons's get_path(): relative to the SConscript folder being read when inside it
        cwd = self.fs._cwd
        if cwd is self.fs.Top or cwd is None:
            return self.path
        if self is cwd:
            return '.'
        prefix = cwd.abspath.rstrip(os.sep) + os.sep
        if self.abspath.startswith(prefix):
            return self.abspath[len(prefix):]
        return self.path

    def str_for_display(self):
        return '"' + self.__str__() + '"'

    @property
    def dir(self):
        return self._dir if self._dir is not None else self

    def up(self):
        return self._dir

    def get_path(self, dir=None):
        if dir is None:
            return self.path
        return self.rel_path(dir) if False else os.path.relpath(self.abspath, dir.abspath)

    def rel_path(self, other):
        return os.path.relpath(other.abspath, self.abspath if isinstance(self, Dir) else self.dir.abspath)

    def get_abspath(self):
        return self.abspath

    def get_labspath(self):
        return self.abspath

    def for_signature(self):
        return self.name

    def get_internal_path(self):
        return self.path

    def get_tpath(self):
        return self.path

    def get_path_elements(self):
        out = []
        n = self
        while n is not None:
            out.insert(0, n)
            n = n._dir
        return out

    def get_suffix(self):
        return _splitext(self.name)[1]

    # attributes that ${TARGET.xxx} uses
    @property
    def suffix(self):
        return _splitext(self.name)[1]

    @property
    def file(self):
        return self.name

    @property
    def filebase(self):
        return _splitext(self.name)[0]

    @property
    def base(self):
        return _splitext(self.path)[0]

    @property
    def posix(self):
        return self.path.replace(os.sep, '/')

    @property
    def windows(self):
        return self.path.replace('/', '\\')

    @property
    def relpath(self):
        return self.path

    @property
    def srcpath(self):
        return self.srcnode()

    @property
    def srcdir(self):
        return self.srcnode().dir

    @property
    def rsrcpath(self):
        return self.srcnode()

    @property
    def rsrcdir(self):
        return self.srcnode().dir

    def is_under(self, dir):
        n = self
        while n is not None:
            if n is dir:
                return True
            n = n._dir
        return False

    _src_gen = 0

    def srcnode(self):
        """The node in the source tree that this (variant-dir) node mirrors."""
        s = self._src
        if s is None or self._src_gen != self.fs._src_gen:
            s = self._src = self.fs._map_to_src(self)
            self._src_gen = self.fs._src_gen
        return s

    def srcdir_list(self):
        s = self.srcnode()
        return [] if s is self else [s]

    def exists(self):
        if os.path.exists(self.abspath):
            return True
        s = self.srcnode()
        return s is not self and os.path.exists(s.abspath)

    rexists = exists

    def isfile(self):
        return os.path.isfile(self.abspath)

    def isdir(self):
        return os.path.isdir(self.abspath)

    def islink(self):
        return os.path.islink(self.abspath)

    def getmtime(self):
        return os.path.getmtime(self._ondisk())

    def getsize(self):
        return os.path.getsize(self._ondisk())

    def _ondisk(self):
        if not os.path.exists(self.abspath):
            s = self.srcnode()
            if s is not self and os.path.exists(s.abspath):
                return s.abspath
        return self.abspath

    def Entry(self, name):
        return self.fs.Entry(name, self._lookup_dir())

    def File(self, name):
        return self.fs.File(name, self._lookup_dir())

    def Dir(self, name, create=True):
        return self.fs.Dir(name, self._lookup_dir())

    def _lookup_dir(self):
        return self.dir

    def target_from_source(self, prefix, suffix, splitext=_splitext):
        return self.fs.Entry(prefix + splitext(self.name)[0] + suffix, self.dir)

    def must_be_same(self, klass):
        pass


class Entry(Base):
    """A path not yet known to be a file or a directory."""
    kind = 'file'

    def disambiguate(self, must_exist=None):
        if os.path.isdir(self._ondisk()):
            self.__class__ = Dir
            self._init_dir()
        else:
            self.__class__ = File
        return self

    def get_contents(self):
        return self.disambiguate().get_contents()

    def get_text_contents(self):
        return self.disambiguate().get_text_contents()


class File(Base):
    kind = 'file'

    def get_contents(self):
        with open(self._ondisk(), 'rb') as f:
            return f.read()

    def get_text_contents(self):
        data = self.get_contents()
        for enc in ('utf-8', 'latin-1'):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                pass
        return data.decode('utf-8', 'replace')

    def get_content_hash(self):
        import hashlib
        return hashlib.md5(self.get_contents()).hexdigest()

    get_csig = get_content_hash

    def Dirs(self, pathlist):
        return [self.dir.Dir(p) for p in pathlist]


class Dir(Base):
    kind = 'dir'

    def __init__(self, fs, abspath, parent):
        Base.__init__(self, fs, abspath, parent)
        self._init_dir()

    def _init_dir(self):
        self.entries = getattr(self, 'entries', None) or {}

    def _lookup_dir(self):
        return self

    def get_contents(self):
        return '\n'.join(sorted(n.name for n in self.entries.values())).encode()

    def get_text_contents(self):
        return self.get_contents().decode()

    def srcdir_list(self):
        s = self.srcnode()
        return [] if s is self else [s]

    def get_all_rdirs(self):
        return [self]

    def Rfindalldirs(self, pathlist):
        return self.fs.RDirs(pathlist, self)

    def glob(self, pathname, ondisk=True, source=False, strings=False, exclude=None):
        return self.fs.glob(pathname, self, ondisk, source, strings, exclude)

    def walk(self, func, arg):
        from SCons.Errors import unsupported
        unsupported("Dir.walk()")


class FS:
    """The node registry: one node object per absolute path."""

    def __init__(self, top):
        top = _norm(os.path.abspath(top))
        self.top_abspath = top
        self.top_prefix = top if top.endswith('/') else top + '/'
        self._nodes = {}
        self.Top = self._dir_node(top)
        self.SConstruct_dir = self.Top
        self._cwd = self.Top
        self.variant_dirs = []     # (variant Dir, src Dir, duplicate)
        self._variant_map = {}     # variant abspath -> that tuple
        self.duplicate_nodes = {}  # variant File -> src File for duplicate=1
        self.default_duplicate = True
        self._src_gen = 0         # bumped by VariantDir: Base._src computed before is stale
        # what the native lookup works on (these objects keep their identity)
        self._native_state = (self._nodes, self._variant_map, _inputs.kinds, _inputs._recording,
                              self, Entry, File, Dir, self.top_abspath, self.top_prefix)

    def getcwd(self):
        return self._cwd

    def chdir(self, dir, change_os_dir=False):
        self._cwd = dir
        if change_os_dir:
            os.chdir(dir.abspath)

    # --- lookup -----------------------------------------------------------
    def _abspath(self, name, directory):
        if isinstance(name, Base):
            return name.abspath
        if not isinstance(name, str):
            name = str(name)
        if name.startswith('#'):
            name = name[1:].lstrip('/')
            base = self.top_abspath
        elif name[:1] == '/':
            return _norm(name)
        else:
            if directory is None:
                directory = self._cwd
            elif isinstance(directory, str):
                directory = self.Dir(directory)
            base = directory.abspath
        if not name:
            return base
        return _join_norm(base, name)

    def _dir_node(self, abspath):
        n = self._nodes.get(abspath)
        if n is not None:
            if n.__class__ is Dir:
                return n
            if type(n) is Entry:
                n.__class__ = Dir
                n._init_dir()
            elif not isinstance(n, Dir):
                raise TypeError("Tried to lookup File '%s' as a Dir." % n.path)
            return n
        parent_path = _parent_path(abspath)
        parent = None if parent_path == abspath else self._dir_node(parent_path)
        n = Dir(self, abspath, parent)
        self._nodes[abspath] = n
        if parent is not None:
            parent.entries[n.name] = n
        return n

    def _node(self, abspath, klass):
        n = self._nodes.get(abspath)
        if n is not None:
            if klass is Entry or isinstance(n, klass):
                return n
            if type(n) is Entry:
                if klass is Dir:
                    n.__class__ = Dir
                    n._init_dir()
                else:
                    n.__class__ = klass
                return n
            if klass is Dir:
                raise TypeError("Tried to lookup File '%s' as a Dir." % n.path)
            raise TypeError("Tried to lookup Dir '%s' as a File." % n.path)
        if klass is Dir:
            return self._dir_node(abspath)
        parent = self._dir_node(_parent_path(abspath))
        if klass is Entry:
            kind = self._entry_kind(abspath, parent)
            if kind == KIND_DIR:
                return self._dir_node(abspath)
            if kind == KIND_FILE:
                klass = File
        n = klass(self, abspath, parent)
        self._nodes[abspath] = n
        parent.entries[n.name] = n
        return n

    def _entry_kind(self, abspath, parent):
        """What a new Entry at abspath (in folder parent) is by what is on disk: here, else
        (in a variant dir) in the source dir (whose node is made). A path_kind answer."""
        kind = _path_kind(abspath)
        if not kind and self._variant_map:
            src = self._entry_src(abspath, parent)
            if src is not None:
                kind = src[1]
        return kind

    def _entry_src(self, abspath, parent):
        """_map_to_src for an Entry at abspath (in folder parent) not made yet: (the path of the
        source-dir node it maps to, path_kind of that path), the node being made; None outside
        variant dirs."""
        vmap = self._variant_map
        hit = vmap.get(abspath)
        d = parent
        while hit is None and d is not None:
            hit = vmap.get(d.abspath)
            d = d._dir
        if hit is None:
            return None
        v, s, dup = hit
        rel = abspath[len(v.abspath):].lstrip('/')
        ap = _join_norm(s.abspath, rel) if rel else s.abspath
        if self._nodes.get(ap) is not None:
            return ap, _path_kind(ap)
        # a new Entry there: as _node(ap, Entry), keeping the answer for ap itself
        src_parent = self._dir_node(_parent_path(ap))
        if self._nodes.get(ap) is not None:
            return ap, _path_kind(ap)
        here = _path_kind(ap)
        kind = here
        if not kind:
            further = self._entry_src(ap, src_parent)
            if further is not None:
                kind = further[1]
        if kind == KIND_DIR:
            self._dir_node(ap)
        else:
            n = (File if kind == KIND_FILE else Entry)(self, ap, src_parent)
            self._nodes[ap] = n
            src_parent.entries[n.name] = n
        return ap, here

    def _lookup(self, name, directory, klass):
        if name.__class__ is str:
            c = name[:1]
            if c and c != '#' and c != '/':
                # a relative path (the usual case), without _abspath's checks
                if directory is None:
                    directory = self._cwd
                elif isinstance(directory, str):
                    directory = self.Dir(directory)
                if klass is not Dir and _native_lookup is not None:
                    # (the same, done in Rust: scons_api/src/node_lookup.rs)
                    n = _native_lookup(self._native_state, directory, name, klass is File)
                    if n is not None:
                        return n
                ap = _join_norm(directory.abspath, name)
            else:
                ap = self._abspath(name, directory)
            n = self._nodes.get(ap)
            if n is not None and (klass is Entry or n.__class__ is klass):
                return n
            return self._node(ap, klass)
        if isinstance(name, Node):
            if klass is File and type(name) is Entry:
                name.__class__ = File
            elif klass is Dir and type(name) is Entry:
                name.__class__ = Dir
                name._init_dir()
            return name
        return self._node(self._abspath(name, directory), klass)

    def Entry(self, name, directory=None, create=1):
        return self._lookup(name, directory, Entry)

    def File(self, name, directory=None, create=1):
        return self._lookup(name, directory, File)

    def Dir(self, name, directory=None, create=True):
        return self._lookup(name, directory, Dir)

    def RDirs(self, pathlist, cwd=None, all_variants=False):
        """Each path as a Dir, followed by its source dir when it lies in a
        variant dir with duplicate=0 (or any variant dir, for all_variants)."""
        if cwd is None:
            cwd = self._cwd
        result = []
        for p in pathlist:
            if isinstance(p, Node):
                d = p
            else:
                d = self.Dir(p, cwd)
            result.append(d)
            while True:
                hit = self._variant_of(d)
                if hit is None or (hit[2] and not all_variants):
                    break
                s = d.srcnode()
                if s is d:
                    break
                result.append(s)
                d = s
        return result

    def lookup_abs(self, abspath):
        return self._nodes.get(abspath)

    # --- variant dirs -------------------------------------------------------
    def VariantDir(self, variant_dir, src_dir, duplicate=1):
        if not isinstance(src_dir, Node):
            src_dir = self.Dir(src_dir)
        if not isinstance(variant_dir, Node):
            variant_dir = self.Dir(variant_dir)
        if src_dir is variant_dir:
            return
        if variant_dir.is_under(src_dir) and False:
            pass
        for v, s, d in self.variant_dirs:
            if v is variant_dir:
                if s is not src_dir:
                    raise UserError("'%s' already has a source directory: '%s'." % (v.path, s.path))
                return
        self.variant_dirs.append((variant_dir, src_dir, bool(duplicate)))
        self._variant_map[variant_dir.abspath] = self.variant_dirs[-1]
        # nodes cached before may now map differently (srcnode() compares generations)
        self._src_gen += 1

    def _variant_of(self, node):
        """(variant Dir, src Dir, duplicate) for the innermost variant dir holding node."""
        vmap = self._variant_map
        if not vmap:
            return None
        n = node
        while n is not None:
            hit = vmap.get(n.abspath)
            if hit is not None:
                return hit
            n = n._dir
        return None

    def _map_to_src(self, node):
        hit = self._variant_of(node)
        if hit is None:
            return node
        v, s, d = hit
        rel = node.abspath[len(v.abspath):].lstrip('/')
        ap = _join_norm(s.abspath, rel) if rel else s.abspath
        n = self._nodes.get(ap)
        if n is None:
            if isinstance(node, Dir):
                n = self._dir_node(ap)
            else:
                n = self._node(ap, type(node))
        return n

    # --- Glob ----------------------------------------------------------------
    def glob(self, pattern, cwd=None, ondisk=True, source=False, strings=False, exclude=None):
        from SCons.Util import is_List
        if cwd is None:
            cwd = self._cwd
        if isinstance(pattern, Node):
            pattern = str(pattern)
        if pattern.startswith('#'):
            cwd = self.Top
            pattern = pattern[1:].lstrip('/')
        elif os.path.isabs(pattern):
            cwd = self._dir_node('/')
            pattern = pattern.lstrip('/')
        parts = [p for p in pattern.split('/') if p not in ('', '.')]
        matches = self._glob_parts(cwd, parts, ondisk, source)
        if exclude:
            if not is_List(exclude):
                exclude = [exclude]
            excl = []
            for e in exclude:
                excl.extend(self.glob(str(e), cwd, ondisk, source, True, None))
            excl = set(excl)
            matches = [m for m in matches if os.path.relpath(m.abspath, cwd.abspath) not in excl]
        if strings:
            return [os.path.relpath(m.abspath, cwd.abspath) for m in matches]
        return matches

    def _glob_parts(self, d, parts, ondisk, source):
        if not parts:
            return [d]
        first, rest = parts[0], parts[1:]
        magic = any(c in first for c in '*?[')
        if not magic:
            if first == '..':
                cands = [d.up() or d]
            else:
                ap = _norm(os.path.join(d.abspath, first))
                n = self._nodes.get(ap)
                if n is None:
                    probe = [d] + d.srcdir_list()
                    if not any(os.path.exists(os.path.join(x.abspath, first)) for x in probe):
                        return []
                    n = self._node(ap, Entry if rest == [] else Dir)
                cands = [n]
        else:
            names = set()
            for name, n in d.entries.items():
                if fnmatch.fnmatchcase(name, first):
                    names.add(name)
            if ondisk:
                dirs = [d] + d.srcdir_list()
                for x in dirs:
                    try:
                        listing = _inputs.list_matching(x.abspath, first)
                    except OSError:
                        continue
                    for name in listing:
                        if (name.startswith('.') and not first.startswith('.')):
                            continue
                        if fnmatch.fnmatchcase(name, first):
                            names.add(name)
            cands = []
            for name in sorted(names):
                if name.startswith('.') and not first.startswith('.'):
                    continue
                ap = _norm(os.path.join(d.abspath, name))
                n = self._nodes.get(ap)
                if n is None:
                    n = self._node(ap, Entry)
                cands.append(n)
            if source:
                cands = [c.srcnode() for c in cands]
        if not rest:
            return cands
        out = []
        for c in cands:
            if isinstance(c, Entry) and not isinstance(c, (File, Dir)):
                c.disambiguate()
            if isinstance(c, Dir):
                out.extend(self._glob_parts(c, rest, ondisk, source))
        return out


_native_lookup = getattr(_native_mod, 'fs_lookup', None)


def get_default_fs():
    from SCons import _state
    return _state.fs


def default_fs():
    return get_default_fs()
