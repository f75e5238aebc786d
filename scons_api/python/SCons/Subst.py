"""Construction-variable substitution, with SCons's rules:

* string mode (env.subst): `$VAR`, `${VAR}`, `${python expression}`, lists
  joined with spaces, callables called with (target, source, env, for_signature);
* list mode (command lines): the result is split into lines of words, list
  values give one word per element, `$(`..`$)` marks text left out of the
  signature, `$$` is a literal `$`.
Undefined names expand to nothing (NameError/IndexError are allowed)."""
import builtins
import keyword
import re
from collections import UserList, UserString

from SCons.Util import to_String_for_subst, to_String_for_signature, type_test
from SCons.Errors import UserError

SUBST_CMD = 0
SUBST_RAW = 1
SUBST_SIG = 2

_exp = r'\$[\$\(\)]|\$[_a-zA-Z][\.\w]*|\${[^}]*}'
_dollar_exps = re.compile('(%s)' % _exp)
_separate_args = re.compile(r'(%s|\s+|[^\s$]+|\$)' % _exp)
_space_sep = re.compile(r'[\t ]+(?![^{]*})')
_strip_marks = re.compile(r'\$[()]')
_strip_split = re.compile(r'(?<!\$)(\$[()])')

_TS_NAMES = frozenset(('TARGET', 'TARGETS', 'SOURCE', 'SOURCES', 'CHANGED_SOURCES',
                       'CHANGED_TARGETS', 'UNCHANGED_SOURCES', 'UNCHANGED_TARGETS'))


class Literal:
    """A string that goes to the command line as-is (shell-escaped)."""

    def __init__(self, lstr):
        self.lstr = lstr

    def __str__(self):
        return self.lstr

    def escape(self, escape_func):
        return escape_func(self.lstr)

    def for_signature(self):
        return self.lstr

    def is_literal(self):
        return True

    def __eq__(self, other):
        return isinstance(other, Literal) and self.lstr == other.lstr

    def __hash__(self):
        return hash(self.lstr)


class SpecialAttrWrapper:
    def __init__(self, lstr, for_signature=None):
        self.lstr = lstr
        self.forsig = for_signature if for_signature else lstr

    def escape(self, escape_func):
        return escape_func(self.lstr)

    def for_signature(self):
        return self.forsig

    def is_literal(self):
        return True

    def __str__(self):
        return self.lstr


class CmdStringHolder(UserString):
    def __init__(self, cmd, literal=False):
        super().__init__(cmd)
        self.literal = literal

    def is_literal(self):
        return self.literal

    def escape(self, escape_func, quote_func=None):
        if self.literal:
            return escape_func(self.data)
        if ' ' in self.data or '\t' in self.data:
            return '"%s"' % self.data
        return self.data


_is_holder = type_test(CmdStringHolder)


def quote_spaces(arg):
    arg = str(arg)
    if ' ' in arg or '\t' in arg:
        return '"%s"' % arg
    return arg


def escape_list(mylist, escape_func):
    out = []
    for x in mylist:
        e = getattr(x, 'escape', None)
        out.append(e(escape_func) if e is not None else x)
    return out


class _NullNode:
    """What $TARGET is when there are no targets: empty, any attribute empty."""

    def __str__(self):
        return ''

    def __bool__(self):
        return False

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return ''

    def __call__(self, *args, **kw):
        return ''


_NULL = _NullNode()


class NodeListProxy(UserList):
    """$TARGETS / $SOURCES: a list of nodes; attribute access maps over them."""

    def __getattr__(self, name):
        if name.startswith('__') or name == 'data':
            raise AttributeError(name)
        return NodeListProxy([getattr(x, name) for x in self.data])

    def __str__(self):
        return ' '.join(map(str, self.data))

    def __call__(self, *args, **kwargs):
        return NodeListProxy([x(*args, **kwargs) for x in self.data])


def subst_dict(target, source):
    d = {}
    if target is None:
        d['TARGETS'] = d['TARGET'] = _NULL
    else:
        if not _is_seq(target):
            target = [target]
        tl = NodeListProxy(target)
        d['TARGETS'] = d['CHANGED_TARGETS'] = d['UNCHANGED_TARGETS'] = tl
        d['TARGET'] = target[0] if target else _NullNode()
    if source is None:
        d['SOURCES'] = d['SOURCE'] = _NULL
    else:
        if not _is_seq(source):
            source = [source]
        sl = NodeListProxy(source)
        d['SOURCES'] = d['CHANGED_SOURCES'] = d['UNCHANGED_SOURCES'] = sl
        d['SOURCE'] = source[0] if source else _NullNode()
    return d


_code_cache = {}


def _compile(key):
    c = _code_cache.get(key)
    if c is None:
        c = _code_cache[key] = compile(key, '<subst %s>' % key, 'eval')
    return c


class _Scope(dict):
    """The local names of one ${...} expression: lvars, then the env's variables.
    eval() adds __builtins__ to the globals it is given, so an Environment's
    own dictionary must not be those globals (its keys would change under a
    loop over env.Dictionary())."""
    __slots__ = ('g',)

    def __missing__(self, k):
        return self.g[k]


_EVAL_GLOBALS = {'__builtins__': __builtins__}


def _eval(key, gvars, lvars):
    scope = _Scope(lvars)
    scope.g = gvars
    return eval(_compile(key), _EVAL_GLOBALS, scope)


_sig_cache = {}


def callable_takes_subst_args(f):
    """True when f is called during substitution: its parameters that have no
    default (counting *args and **kw) together with any of target, source,
    env and for_signature are exactly those four."""
    key = id(getattr(f, '__func__', f)) if not isinstance(f, type) else id(f)
    r = _sig_cache.get(key)
    if r is not None:
        return r
    fn = f
    skip = 0
    if isinstance(f, type):
        fn = getattr(f, '__init__', None)
        skip = 1
    elif not hasattr(f, '__code__') and not hasattr(f, '__func__'):
        fn = getattr(f, '__call__', None)
        skip = 1
    elif hasattr(f, '__func__'):
        skip = 1
    fn = getattr(fn, '__func__', fn)
    code = getattr(fn, '__code__', None)
    if code is None:
        r = True
    else:
        npos = code.co_argcount
        nkw = code.co_kwonlyargcount
        names = code.co_varnames
        pos = names[:npos]
        kwonly = names[npos:npos + nkw]
        ndef = len(getattr(fn, '__defaults__', None) or ())
        kwdef = getattr(fn, '__kwdefaults__', None) or {}
        wanted = ('target', 'source', 'env', 'for_signature')
        got = set()
        for i, a in enumerate(pos):
            if i < skip:
                continue
            if a in wanted or i < npos - ndef:
                got.add(a)
        for a in kwonly:
            if a in wanted or a not in kwdef:
                got.add(a)
        extra = npos + nkw
        if code.co_flags & 0x04:
            got.add(names[extra])
            extra += 1
        if code.co_flags & 0x08:
            got.add(names[extra])
        r = got == set(wanted)
    _sig_cache[id(f)] = r
    return r


_ALLOWED = (NameError, IndexError)
_str_types = (str, UserString)
_seq_types = (list, tuple, UserList)
_is_str = type_test(_str_types)     # isinstance with ABCs is slow under RustPython
_is_seq = type_test(_seq_types)


_builtin_names = builtins.__dict__


def _undefined(key, gvars):
    """True when evaluating `key` could only raise an allowed NameError: an undefined variable
    (told without eval, whose exception is slow under RustPython). key is not in lvars/gvars."""
    if not key.isidentifier() or NameError not in _ALLOWED or keyword.iskeyword(key):
        return False
    b = gvars.get('__builtins__', _builtin_names)
    if b.__class__ is not dict:
        b = getattr(b, '__dict__', None)
        if b is None:
            return False
    return key not in b


def _raise(e, target, s):
    name = e.__class__.__name__
    raise UserError("%s `%s' trying to evaluate `%s'" % (name, e, s)) from e


# ---------------------------------------------------------------- string mode
class _StringSubber:
    def __init__(self, env, mode, conv, gvars):
        self.env = env
        self.mode = mode
        self.conv = conv
        self.gvars = gvars

    def expand(self, s, lvars):
        if s.__class__ is str or _is_str(s):
            if len(s) < 2 or s[0] != '$':
                return s
            s1 = s[1]
            if s1 == '$':
                return '$$'
            if s1 in '()':
                return s
            key = s[1:]
            if key[0] == '{':
                key = key[1:-1]
            if key in lvars:
                v = lvars[key]
            elif key in self.gvars:
                v = self.gvars[key]
            elif _undefined(key, self.gvars):
                return ''
            else:
                try:
                    v = _eval(key, self.gvars, lvars)
                except _ALLOWED:
                    return ''
                except Exception as e:
                    _raise(e, lvars.get('TARGETS'), s)
            if v is None:
                return ''
            if v.__class__ is str and '$' not in v:
                return v
            lv = lvars.copy()
            lv[key.partition('.')[0]] = ''
            return self.substitute(v, lv)
        if _is_seq(s):
            return [self.conv(self.substitute(x, lvars)) for x in s]
        if callable(s) and not hasattr(s, 'abspath'):
            if callable_takes_subst_args(s):
                s = s(target=lvars.get('TARGETS'), source=lvars.get('SOURCES'),
                      env=self.env, for_signature=(self.mode == SUBST_SIG))
            else:
                if self.mode == SUBST_RAW:
                    return s
                s = self.conv(s)
            return self.substitute(s, lvars)
        if s is None:
            return ''
        return s

    def substitute(self, args, lvars):
        if args.__class__ is str or (_is_str(args) and args.__class__ is not CmdStringHolder
                                     and not _is_holder(args)):
            args = str(args)
            if '$' not in args:
                return args
            conv = self.conv
            expand = self.expand
            parts = _dollar_exps.split(args)
            # parts: text, token, text, token, ...
            if len(parts) == 3 and not parts[0] and not parts[2]:
                r = expand(parts[1], lvars)
                return r if not _is_seq(r) else conv(r)
            out = []
            for i, p in enumerate(parts):
                if i & 1:
                    out.append(conv(expand(p, lvars)))
                elif p:
                    out.append(p)
            try:
                return ''.join(out)
            except TypeError:
                return ''.join(map(str, out))
        return self.expand(args, lvars)


def _subst_setup(env, mode, target, source, gvars, lvars, conv, overrides):
    """What scons_subst and scons_subst_list start from: the global and local variables
    (with $TARGET/$SOURCE and the overrides) and the conversion for the mode."""
    if gvars is None:
        gvars = env.gvars() if env is not None else {}
    if lvars is None:
        lvars = {}
    if conv is None:
        conv = to_String_for_signature if mode == SUBST_SIG else to_String_for_subst
    if 'TARGET' not in lvars:
        d = subst_dict(target, source)
        if d or overrides:
            lvars = dict(lvars)
            lvars.update(d)
            if overrides:
                lvars.update(overrides)
    return gvars, lvars, conv


def scons_subst(strSubst, env, mode=SUBST_RAW, target=None, source=None, gvars=None,
                lvars=None, conv=None, overrides=None):
    if strSubst.__class__ is str:
        if '$' not in strSubst:
            return strSubst
    elif strSubst.__class__ is CmdStringHolder or _is_holder(strSubst):
        return strSubst
    gvars, lvars, conv = _subst_setup(env, mode, target, source, gvars, lvars, conv, overrides)
    ss = _StringSubber(env, mode, conv, gvars)
    result = ss.substitute(strSubst, lvars)
    if result.__class__ is str or _is_str(result):
        result = str(result)
        if mode == SUBST_SIG:
            words = _remove_stripped(_strip_split.split(result))
            if words is None:
                raise UserError("Unbalanced $(/$) in: %s" % result)
            result = ' '.join(words)
        elif mode == SUBST_CMD:
            result = _strip_marks.sub('', result)
        if mode != SUBST_RAW:
            result = _space_sep.sub(' ', result).strip()
        result = result.replace('$$', '$')
    elif _is_seq(result):
        if mode == SUBST_CMD:
            result = [x for x in result if x not in ('$(', '$)')]
        elif mode == SUBST_SIG:
            r = _remove_stripped(result)
            if r is None:
                raise UserError("Unbalanced $(/$) in: %s" % result)
            result = r
    return result


def _remove_stripped(items):
    out = []
    depth = 0
    for x in items:
        if x == '$(':
            depth += 1
        elif x == '$)':
            depth -= 1
            if depth < 0:
                break
        elif depth == 0:
            out.append(x)
    return None if depth != 0 else out


# ------------------------------------------------------------------ list mode
class _Mark:
    """A `$(` or `$)` marker kept in a word list (docons keeps them so one pass
    gives both the command and its signature)."""
    __slots__ = ('text',)

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


OPEN = _Mark('$(')
CLOSE = _Mark(')$')
CLOSE.text = '$)'


class _ListSubber:
    def __init__(self, env, mode, conv, gvars, keep_marks=False):
        self.env = env
        self.mode = mode
        self.conv = conv
        self.gvars = gvars
        self.lines = [[]]
        self.keep_marks = keep_marks
        self.in_strip = False
        self.joining = False     # next word appends to the current one

    # -- word assembly
    def add(self, x):
        if self.in_strip and self.mode == SUBST_SIG:
            self.joining = True
            return
        line = self.lines[-1]
        if self.joining and line:
            cur = line[-1]
            if cur.__class__ is _Mark:
                # docons keeps the markers in the list; SCons would join to the
                # word before the marker (which it dropped); start a new word.
                pass
            else:
                cs = str(cur)
                if cs[-1:] == '\0':
                    _template_touched()
                if not cs or cs[-1] not in '<>|':
                    if x.__class__ is _Slot:
                        x = x.placed(self)
                    y = self.conv(cs + self.conv(x) if not isinstance(x, str) else cs + x)
                    line[-1] = CmdStringHolder(y, False) if isinstance(y, str) else y
                    return
        if x.__class__ is _Slot:
            x = x.placed(self)
            line.append(CmdStringHolder(x, None))
            self.joining = True
            return
        lit = getattr(x, 'is_literal', None)
        lit = lit() if lit is not None else None
        x = self.conv(x)
        if isinstance(x, str):
            x = CmdStringHolder(x, lit)
        line.append(x)
        self.joining = True

    def next_word(self):
        self.joining = False

    def next_line(self):
        self.lines.append([])
        self.joining = False

    def mark(self, m):
        if self.mode == SUBST_RAW:
            self.add(m.text)
        elif self.keep_marks:
            self.lines[-1].append(m)
        self.in_strip = m is OPEN

    def expand(self, s, lvars, within_list):
        if s.__class__ is str or _is_str(s):
            if len(s) < 2 or s[0] != '$':
                self.add(s)
                return
            s1 = s[1]
            if s1 == '$':
                self.add('$')
                return
            if s1 == '(':
                self.mark(OPEN)
                return
            if s1 == ')':
                self.mark(CLOSE)
                return
            key = s[1:]
            if key[0] == '{':
                key = key[1:-1]
            if key in lvars:
                v = lvars[key]
            elif key in self.gvars:
                v = self.gvars[key]
            else:
                v = self.evaluate(key, lvars, s)
                if v is _SKIP:
                    return
            if v is None:
                return
            if v.__class__ is str and v and '$' not in v and ' ' not in v and '\t' not in v \
                    and '\n' not in v:
                self.add(v)
                return
            lv = lvars.copy()
            lv[key.partition('.')[0]] = ''
            self.substitute(v, lv, 0)
            self.joining = True
        elif _is_seq(s):
            if s.__class__ is NodeListProxy:
                s = s.data      # (the same items, without UserList's item-by-item iteration)
            for a in s:
                if a.__class__ is _Slot and not self.joining \
                        and not (self.in_strip and self.mode == SUBST_SIG):
                    # (what add() does with a stand-in that starts a word, inline: $SOURCES
                    # of a hundred stand-ins is the usual case)
                    self.lines[-1].append(_holder(a.placed(self), None))
                else:
                    self.substitute(a, lvars, 1)
                self.joining = False
        elif callable(s) and not hasattr(s, 'abspath'):
            if _building[0] is not None:
                _template_touched()
            if callable_takes_subst_args(s):
                s = s(target=lvars.get('TARGETS'), source=lvars.get('SOURCES'),
                      env=self.env, for_signature=(self.mode == SUBST_SIG))
            else:
                if self.mode == SUBST_RAW:
                    self.add(s)
                    return
                s = self.conv(s)
            self.substitute(s, lvars, within_list)
        elif s is None:
            self.joining = True
        else:
            self.add(s)

    def evaluate(self, key, lvars, s):
        if _undefined(key, self.gvars):
            return _SKIP
        if _building[0] is not None and not _cacheable(key, self.gvars):
            _template_touched()
        cache = _expr_cache_for(self.gvars)
        if cache is not None:
            ck = (key, id(getattr(lvars.get('TARGET'), 'cwd', None)))
            hit = cache.get(ck)
            if hit is not None:
                return hit[0]
        try:
            v = _eval(key, self.gvars, lvars)
        except _ALLOWED:
            return _SKIP
        except Exception as e:
            _raise(e, lvars.get('TARGETS'), s)
        if cache is not None and _cacheable(key, self.gvars):
            cache[ck] = (v,)
        return v

    def substitute(self, args, lvars, within_list):
        if args.__class__ is str or (_is_str(args) and args.__class__ is not CmdStringHolder
                                     and not _is_holder(args)):
            args = str(args)
            for a in _separate_args.findall(args):
                c = a[0]
                if c in ' \t\n\r\f\v':
                    if '\n' in a:
                        self.next_line()
                    elif within_list:
                        self.add(a)
                    else:
                        self.joining = False
                else:
                    self.expand(a, lvars, within_list)
        else:
            self.expand(args, lvars, within_list)


_SKIP = object()

# --- expression cache (only while the graph is serialised: env are frozen) --
_frozen = [False]
_expr_caches = {}
_TRUSTED = {}


def register_trusted(name, func):
    """Functions whose result depends only on env and the target's directory."""
    _TRUSTED[name] = func


def freeze(on=True):
    _frozen[0] = on
    _expr_caches.clear()
    _templates.clear()
    _slot_lists.clear()


def _expr_cache_for(gvars):
    if not _frozen[0]:
        return None
    c = _expr_caches.get(id(gvars))
    if c is None:
        c = _expr_caches[id(gvars)] = ({}, gvars)
    return c[0]


_cacheable_memo = {}


def _cacheable(key, gvars):
    code = _compile(key)
    names = code.co_names
    if not names:
        return False
    f = _TRUSTED.get(names[0])
    if f is None or gvars.get(names[0]) is not f:
        return False
    # the other names must be env variables or target/source/env handles
    for n in names[1:]:
        if n not in gvars and n not in ('TARGET', 'SOURCE', 'TARGETS', 'SOURCES', '__env__',
                                        'affect_signature'):
            return False
    # arguments must not look inside TARGET/SOURCE (TARGET.dir etc.)
    if '.' in key.replace('...', ''):
        inner = key[key.find('(') + 1:]
        if re.search(r'\b(TARGETS?|SOURCES?)\.', inner):
            return False
    return True


def scons_subst_list(strSubst, env, mode=SUBST_RAW, target=None, source=None, gvars=None,
                     lvars=None, conv=None, overrides=None, keep_marks=False):
    gvars, lvars, conv = _subst_setup(env, mode, target, source, gvars, lvars, conv, overrides)
    ls = _ListSubber(env, mode, conv, gvars, keep_marks)
    ls.substitute(strSubst, lvars, 0)
    return ls.lines


# --- command-line templates (only while the graph is serialised: env are frozen) ---
# Most tasks of a builder differ only in their targets and sources: the command lines of
# (env, command, target folder, number of targets and sources) are substituted once with
# stand-ins (_Slot) for the nodes, and filled in per task. A template is made only when the
# stand-ins were merely placed as words (or parts of words) of the top-level line: anything
# else that looks at them (an attribute such as ${TARGET.dir}, str() in a function, a
# comparison), a callable value or an expression whose result is not known to depend only on
# env and the target folder makes the command substituted per task, as before.

class _NotTemplate(BaseException):
    """A template being made touched a stand-in (BaseException: no `except Exception` hides it)."""


_building = [None]      # the top-level _ListSubber while a template is made
_touched = [False]
_templates = {}
_TS_KEYS = frozenset(_TS_NAMES | {'__env__'})
_node_class = [None]


def _template_touched(*args, **kw):
    _touched[0] = True
    raise _NotTemplate()


class _Slot:
    """Stands for the i-th target or source node while a template is made."""
    __slots__ = ('marker', 'cwd')

    def __init__(self, i, cwd):
        self.marker = m = '\0%d\0' % i
        self.cwd = cwd
        _marker_places[m] = i
        marker_numbers[str(i)] = i

    def placed(self, subber):
        if subber is not _building[0]:
            _template_touched()
        return self.marker

    def __getattr__(self, name):
        _template_touched()

    __str__ = __repr__ = __format__ = __fspath__ = __bool__ = __len__ = __iter__ = \
        __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = __getitem__ = \
        __contains__ = __add__ = __radd__ = __mod__ = _template_touched


_marker_places = {}     # '\0N\0' -> N, for the stand-ins made so far
marker_numbers = {}     # 'N' -> N, likewise


_slot_lists = {}


def _slots(nt, ns, cwd):
    """The stand-ins for nt targets and ns sources of a task in folder cwd (the same lists for
    every command of a task shape: they are only read)."""
    key = (nt, ns, id(cwd))
    hit = _slot_lists.get(key)
    if hit is None:
        hit = _slot_lists[key] = ([_Slot(i, cwd) for i in range(nt)],
                                  [_Slot(nt + i, cwd) for i in range(ns)], cwd)
    return hit[0], hit[1]


def _compile_template(lines):
    """The words of a template with stand-ins, ready for _fill: a word without stand-ins as is;
    one that is a single stand-in as (index, literal); else (pieces, literal), pieces
    alternating text and stand-in indexes. None when a word has a NUL that is no stand-in."""
    out = []
    for line in lines:
        nl = []
        for w in line:
            if w.__class__ is CmdStringHolder and '\0' in w.data:
                i = _marker_places.get(w.data)
                if i is not None:
                    # (a word that is just a stand-in, the usual case)
                    nl.append((i, w.literal))
                    continue
                pieces = w.data.split('\0')
                if not len(pieces) & 1:
                    return None     # a NUL of the scripts' own: no template
                for i in range(1, len(pieces), 2):
                    if not pieces[i].isdigit():
                        return None
                    pieces[i] = int(pieces[i])
                if len(pieces) == 3 and not pieces[0] and not pieces[2]:
                    w = (pieces[1], w.literal)
                else:
                    w = (pieces, w.literal)
            nl.append(w)
        out.append(nl)
    return out


def _holder(data, literal, _new=object.__new__):
    """CmdStringHolder(data, literal) for a str data, without UserString.__init__."""
    h = _new(CmdStringHolder)
    h.data = data
    h.literal = literal
    return h


def _fill(lines, strs):
    out = []
    for line in lines:
        nl = []
        for w in line:
            if w.__class__ is tuple:
                a, lit = w
                if a.__class__ is int:
                    w = _holder(strs[a], lit)
                else:
                    w = _holder(''.join([strs[x] if x.__class__ is int else x for x in a]), lit)
            nl.append(w)
        out.append(nl)
    return out


def command_lines(cmd, env, target, source, lvars):
    """scons_subst_list(cmd, env, SUBST_CMD, lvars=lvars, keep_marks=True) for a task with
    these targets and sources (lvars: '__env__' and subst_dict(target, source)), from a
    template when it can be. In marker mode (_marker_mode, below) the template is filled
    with the stand-ins' markers instead of the nodes' paths."""
    gvars = env.gvars()
    if not _frozen[0] or _building[0] is not None or lvars.get('__env__') is not env \
            or not _TS_KEYS.issuperset(lvars) \
            or lvars.get('TARGETS').__class__ is not NodeListProxy \
            or lvars.get('SOURCES').__class__ is not NodeListProxy:
        return _per_task(cmd, env, gvars, lvars)
    Node = _node_class[0]
    if Node is None:
        from SCons.Node import Node
        _node_class[0] = Node
    nt = len(target)
    for n in target:
        if not isinstance(n, Node):
            return _per_task(cmd, env, gvars, lvars)
    for n in source:
        if not isinstance(n, Node):
            return _per_task(cmd, env, gvars, lvars)
    cwd = target[0].cwd if nt else None
    key = (id(env), id(gvars), cmd if cmd.__class__ is str else id(cmd), id(cwd), nt, len(source))
    hit = _templates.get(key)
    if hit is None:
        lines = None
        if '\0' not in str(cmd):
            tl, sl = _slots(nt, len(source), cwd)
            lv = {'__env__': env}
            lv.update(subst_dict(tl, sl))
            ls = _ListSubber(env, SUBST_CMD, to_String_for_subst, gvars, True)
            _building[0] = ls
            _touched[0] = False
            try:
                ls.substitute(cmd, lv, 0)
                if not _touched[0]:
                    lines = _compile_template(ls.lines)
            except _NotTemplate:
                pass
            finally:
                _building[0] = None
                _touched[0] = False
        # keep what the key's ids name alive while the key is in use
        hit = _templates[key] = (lines, env, gvars, cmd, cwd)
    lines = hit[0]
    if lines is None:
        return _per_task(cmd, env, gvars, lvars)
    if _marker_mode[0]:
        return _fill(lines, _markers(nt + len(source)))
    strs = [str(n) for n in target]
    strs.extend(str(n) for n in source)
    return _fill(lines, strs)


# Marker mode: the caller (SCons._docons, making a task's whole action records once for all the
# tasks of the same shape) asks for the lines with markers in place of the nodes' paths, and is
# told (_per_task_count) whether some command could not be made from a template.
_marker_mode = [False]
_per_task_count = [0]


_marker_lists = {}


def _markers(n):
    hit = _marker_lists.get(n)
    if hit is None:
        hit = _marker_lists[n] = ['\0%d\0' % i for i in range(n)]
    return hit


def _per_task(cmd, env, gvars, lvars):
    _per_task_count[0] += 1
    return scons_subst_list(cmd, env, SUBST_CMD, gvars=gvars, lvars=lvars, keep_marks=True)


def scons_subst_once(strSubst, env, key):
    """Expand only $key / ${key} in strSubst, with env's current value."""
    if isinstance(strSubst, str) and '$' not in strSubst:
        return strSubst
    matchlist = ('$' + key, '${' + key + '}')
    val = env.get(key, '')

    def sub_match(m):
        a = m.group(1)
        if a in matchlist:
            a = val
        if isinstance(a, _seq_types):
            return ' '.join(map(str, a))
        return str(a)

    if isinstance(strSubst, _seq_types):
        result = []
        for arg in strSubst:
            if isinstance(arg, _str_types):
                if arg in matchlist:
                    if isinstance(val, _seq_types):
                        result.extend(val)
                    else:
                        result.append(val)
                else:
                    result.append(_dollar_exps.sub(sub_match, arg))
            else:
                result.append(arg)
        return result
    if isinstance(strSubst, _str_types):
        return _dollar_exps.sub(sub_match, strSubst)
    return strSubst


def SetAllowableExceptions(*excepts):
    global _ALLOWED
    _ALLOWED = tuple(e for e in excepts if e is not None)


def raise_exception(exception, target, s):
    _raise(exception, target, s)
