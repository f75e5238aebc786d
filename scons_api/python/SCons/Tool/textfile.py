"""The textfile tool: the Textfile and Substfile builders.

Textfile writes its sources one after another (strings become Value nodes, nodes give their text),
separated by $LINESEPARATOR; Substfile does the same for files (default suffix `.in` on sources).
Both replace the keys of $SUBST_DICT in the text. The action shows `Creating 'target'`, and its
signature covers the variables that change the output.
"""

import SCons.Action
import SCons.Builder
from SCons.Errors import UserError
from SCons.Node import Node
from SCons.Node.Python import Value, ValueWithMemo
from SCons.Util import is_Dict, is_Sequence, is_String

DEFAULT_SEPARATOR = '\n'


def _separator(env):
    sep = env['LINESEPARATOR']
    if sep is None:
        return DEFAULT_SEPARATOR
    if is_String(sep):
        return sep
    if isinstance(sep, Value):
        return sep.get_text_contents()
    raise UserError('unexpected type/class for LINESEPARATOR: %r' % (sep,))


def _replacements(env):
    """The (key, text) pairs of $SUBST_DICT, values substituted; None when it is not set."""
    if 'SUBST_DICT' not in env:
        return None
    table = env['SUBST_DICT']
    if is_Dict(table):
        pairs = list(table.items())
    elif is_Sequence(table):
        pairs = list(table)
    else:
        raise UserError('SUBST_DICT must be dict or sequence')
    out = []
    for key, value in pairs:
        if callable(value):
            value = value()
        out.append((key, env.subst(value, raw=1) if is_String(value) else str(value)))
    return out


def _write(target, source, env):
    sep = _separator(env)
    pairs = _replacements(env)
    pieces = []
    for node in source:
        text = node.get_text_contents()
        for key, value in pairs or ():
            text = text.replace(key, value)
        pieces.append(text)
    path = target[0].get_path()
    try:
        with open(path, 'w', newline='', encoding=env.get('FILE_ENCODING', 'utf-8')) as f:
            f.write(sep.join(pieces))
    except OSError as e:
        raise UserError("Can't write target file %s [%s]" % (target[0], e))


def _show(target, source, env):
    return "Creating '%s'" % target[0]


def _flatten_into(out, items):
    for item in items:
        if is_Sequence(item):
            _flatten_into(out, item)
        else:
            out.append(item if isinstance(item, Node) else ValueWithMemo(item))


def _one_target(target, source, env):
    if len(target) != 1:
        raise UserError("Only one target file allowed")
    sources = []
    _flatten_into(sources, source)
    return target, sources


def _builder(kind, **kw):
    varlist = ['SUBST_DICT', 'LINESEPARATOR', kind + 'PREFIX', kind + 'SUFFIX']
    return SCons.Builder.Builder(
        action=SCons.Action.Action(_write, _show, varlist=varlist),
        emitter=_one_target,
        prefix='$' + kind + 'PREFIX',
        suffix='$' + kind + 'SUFFIX',
        **kw)


_textfile = _builder('TEXTFILE', source_factory=ValueWithMemo)
_substfile = _builder('SUBSTFILE', source_factory=None, src_suffix=['.in'])


def generate(env) -> None:
    env['LINESEPARATOR'] = DEFAULT_SEPARATOR
    env['BUILDERS']['Textfile'] = _textfile
    env['TEXTFILEPREFIX'] = ''
    env['TEXTFILESUFFIX'] = '.txt'
    env['BUILDERS']['Substfile'] = _substfile
    env['SUBSTFILEPREFIX'] = ''
    env['SUBSTFILESUFFIX'] = ''
    env['FILE_ENCODING'] = env.get('FILE_ENCODING', 'utf-8')


def exists(env) -> bool:
    return True
