"""Command-line options as the scripts see them: `AddOption` (project options, parsed with
optparse from the words the engine did not recognise), `GetOption`/`SetOption` values, and the
`-h` option help text. The engine parses SCons's own options; their values arrive in the request
and live in `_state.options`, which is also the optparse values object's attribute dict."""
import optparse
import re

from SCons import _state
from SCons.Errors import UserError

USAGE = "usage: scons [OPTIONS] [VARIABLES] [TARGETS]"


class SConsOption(optparse.Option):
    """optparse option plus `settable` and `nargs='?'` (an optional attached value)."""
    ATTRS = optparse.Option.ATTRS + ['settable']
    CONST_ACTIONS = optparse.Option.CONST_ACTIONS + optparse.Option.TYPED_ACTIONS

    def _check_optional_value(self):
        if self.nargs == '?' and self._short_opts:
            raise UserError("option %s: nargs='?' is incompatible with short options"
                            % self._short_opts[0])

    CHECK_METHODS = list(optparse.Option.CHECK_METHODS) + [_check_optional_value]

    def convert_value(self, opt, value):
        if value is None:
            return None
        if self.nargs in (1, '?'):
            return self.check_value(opt, value)
        return tuple(self.check_value(opt, v) for v in value)


# SCons's built-in options, for the help text only (the engine parses them):
# (option strings, metavar or '', help).
_BUILTIN_HELP = (
    ("-c --clean --remove", "", "Remove specified targets and dependencies"),
    ("-C --directory", "DIR", "Change to DIR before doing anything"),
    ("--cache-debug", "FILE", "Print CacheDir debug info to FILE"),
    ("--cache-disable --no-cache", "", "Do not retrieve built targets from CacheDir"),
    ("--cache-force --cache-populate", "", "Copy already-built targets into the CacheDir"),
    ("--cache-readonly", "", "Do not update CacheDir with built targets"),
    ("--cache-show", "", "Print build actions for files from CacheDir"),
    ("--config", "MODE", "Controls Configure subsystem [auto, force, cache]"),
    ("-D", "", "Search up directory tree for SConstruct, build all Default() targets"),
    ("--debug", "TYPE", "Print various types of debugging information [count, duplicate, "
     "explain, findlibs, includes, memoizer, memory, objects, pdb, prepare, presub, stacktrace, "
     "time, action-timestamps, json, sconscript]"),
    ("--diskcheck", "TYPE", "Enable specific on-disk checks"),
    ("--duplicate", "DUPLICATE", "Set the preferred duplication methods [hard-soft-copy, "
     "soft-hard-copy, hard-copy, soft-copy, copy]"),
    ("--enable-virtualenv", "", "Import certain virtualenv variables to SCons"),
    ("--experimental", "EXPERIMENTAL", "Enable experimental features"),
    ("-f --file --makefile --sconstruct", "FILE", "Read FILE as the top-level SConstruct file"),
    ("-h --help", "", "Print defined help message, or this one"),
    ("-H --help-options", "", "Print this message and exit"),
    ("--hash-chunksize --md5-chunksize", "N",
     "Set chunk-size for hash signature computation to N kilobytes"),
    ("--hash-format", "HASH_FORMAT", "Hash format [md5, sha1, sha256, etc]."),
    ("-i --ignore-errors", "", "Ignore errors from build actions"),
    ("-I --include-dir", "DIR", "Search DIR for imported Python modules"),
    ("--ignore-virtualenv", "", "Do not import virtualenv variables to SCons"),
    ("--implicit-cache", "", "Cache implicit dependencies"),
    ("--implicit-deps-changed", "", "Ignore cached implicit dependencies"),
    ("--implicit-deps-unchanged", "", "Ignore changes in implicit dependencies"),
    ("--interact --interactive", "", "Run in interactive mode"),
    ("-j --jobs", "N", "Allow N jobs at once"),
    ("-k --keep-going", "", "Keep going when a target can't be made"),
    ("--max-drift", "N", "Set maximum system clock drift to N seconds"),
    ("-n --no-exec --just-print --dry-run --recon", "", "Don't build; just print commands"),
    ("--no-site-dir", "", "Don't search or use the usual site_scons dir"),
    ("--profile", "FILE", "Profile SCons and put results in FILE"),
    ("-q --question", "", "Don't build; exit status says if up to date"),
    ("-Q", "", 'Suppress "Reading/Building" progress messages'),
    ("--random", "", "Build dependencies in random order"),
    ("-s --silent --quiet", "", "Don't print commands"),
    ("--site-dir", "DIR", "Use DIR instead of the usual site_scons dir"),
    ("--stack-size", "N", "Set the stack size of the threads used to run jobs to N kilobytes"),
    ("--taskmastertrace", "FILE", "Trace Node evaluation to FILE"),
    ("--tree", "OPTIONS", "Print a dependency tree in various formats [all, derived, prune, "
     "status, linedraw]"),
    ("-u --up --search-up", "", "Search up directory tree for SConstruct, build targets at or "
     "below current directory"),
    ("-U", "", "Search up directory tree for SConstruct, build Default() targets from local "
     "SConscript"),
    ("-v --version", "", "Print the SCons version number and exit"),
    ("--warn --warning", "WARNING-SPEC", "Enable or disable warnings"),
    ("-Y --repository --srcdir", "REPOSITORY", "Search REPOSITORY for source and target files"),
)

# Words split on whitespace and before a run of dashes only when it follows a word character,
# so option names like --no-print-directory stay whole.
_WORD_SPLIT = re.compile(r'(\s+|(?<=[\w!"\'&.,?])-{2,}(?=\w))')


class _Formatter(optparse.IndentedHelpFormatter):
    """SCons's help layout: help column at most 30, long option lists on their own line,
    wrapped help lines indented two more."""

    def __init__(self):
        import shutil   # (here: importing it is slow under RustPython)
        super().__init__(max_help_position=30, width=shutil.get_terminal_size().columns)

    def format_usage(self, usage):
        return "usage: %s\n" % usage

    def format_heading(self, heading):
        return super().format_heading("SCons Options" if heading == "Options" else heading)

    def _wrapper(self, width, first='', rest='  '):
        import textwrap   # (here: importing it is slow under RustPython)
        w = textwrap.TextWrapper(width=width, initial_indent=first, subsequent_indent=rest)
        w.wordsep_re = _WORD_SPLIT
        return w

    def format_option(self, option):
        opts = self.option_strings[option]
        opt_width = self.help_position - self.current_indent - 2
        if len(opts) > opt_width:
            out = [self._wrapper(self.width, '  ').fill(opts) + '\n']
            first_indent = self.help_position
        else:
            out = ["%*s%-*s  " % (self.current_indent, "", opt_width, opts)]
            first_indent = 0
        if option.help:
            lines = self._wrapper(self.help_width).wrap(self.expand_default(option))
            out.append("%*s%s\n" % (first_indent, "", lines[0]))
            out.extend("%*s%s\n" % (self.help_position, "", line) for line in lines[1:])
        elif not out[0].endswith("\n"):
            out.append("\n")
        return "".join(out)


class _Group(optparse.OptionGroup):
    """An option group whose heading sits at the parser's own level (as SCons prints it)."""

    def format_help(self, formatter):
        formatter.dedent()
        text = formatter.format_heading(self.title)
        formatter.indent()
        return text + optparse.OptionContainer.format_help(self, formatter)


class _Parser(optparse.OptionParser):
    """Parses the leftover words against the added options. While the scripts run, unknown
    options are kept for later (an AddOption may come); afterwards they are errors."""
    keep_unknown = True

    def error(self, msg):
        raise OptionsError("%s\n\nSCons Error: %s\n" % (USAGE, msg))

    def _take_values(self, opt, option, rargs, attached=None):
        n = option.nargs
        if attached is not None:
            rargs.insert(0, attached)
        if len(rargs) < n:
            if n == 1:
                more = " (choose from %s)" % ', '.join(option.choices) if option.choices else ""
                self.error("%s option requires an argument%s" % (opt, more))
            self.error("%s option requires %d arguments" % (opt, n))
        words = rargs[:n]
        del rargs[:n]
        for i, w in enumerate(words):
            if attached is None or i > 0:
                _not_a_target(w)
        return words[0] if n == 1 else tuple(words)

    def _process_long_opt(self, rargs, values):
        arg = rargs.pop(0)
        opt, eq, attached = arg.partition('=')
        option = self._long_opt.get(opt)
        if option is None:
            if self.keep_unknown:
                self.largs.append(arg)
                return
            self.error("no such option: %s" % opt)
        value = None
        if option.takes_value():
            if option.nargs == '?':
                value = attached if eq else option.const
            else:
                value = self._take_values(opt, option, rargs, attached if eq else None)
        elif eq:
            self.error("%s option does not take a value" % opt)
        self._process(option, opt, value, values)

    def _process(self, option, opt, value, values):
        option.process(opt, value, values, self)
        if option.dest:
            from_command_line.add(option.dest)

    def _process_short_opts(self, rargs, values):
        arg = rargs.pop(0)
        for i, ch in enumerate(arg[1:], 2):
            opt = "-" + ch
            option = self._short_opt.get(opt)
            if option is None:
                if self.keep_unknown:
                    self.largs.append(arg)
                    return
                self.error("no such option: %s" % opt)
            if option.takes_value():
                value = self._take_values(opt, option, rargs, arg[i:] if i < len(arg) else None)
                self._process(option, opt, value, values)
                return
            self._process(option, opt, None, values)


class OptionsError(Exception):
    """A command-line error: the text (usage and message) goes to stderr, exit status 2."""


def _not_a_target(word):
    """A word taken as an added option's value is neither a target nor a KEY=VALUE."""
    from SCons import Script
    Script._remove_command_line_word(word)


_parser = None
_leftover = []
settable = []               # dests of added options marked settable=True
from_command_line = set()   # dests the command line set: SetOption leaves them alone


def reset(leftover):
    global _parser, _leftover
    _parser = None
    _leftover = list(leftover or [])
    del settable[:]


def _values():
    v = optparse.Values()
    v.__dict__ = _state.options
    return v


def _get_parser():
    global _parser
    if _parser is None:
        _parser = _Parser(usage=USAGE, option_class=SConsOption, add_help_option=False,
                          formatter=_Formatter())
        _parser.local_group = None
    return _parser


def add_option(*args, **kw):
    """AddOption: define a project option and re-read the leftover words with it."""
    global _leftover
    p = _get_parser()
    if p.local_group is None:
        p.local_group = _Group(p, "Local Options")
        p.add_option_group(p.local_group)
    try:
        option = p.local_group.add_option(*args, **kw)
    except optparse.OptionError as e:
        raise UserError(str(e))
    default = option.default
    if default is optparse.NO_DEFAULT:
        default = None
    _state.options[option.dest] = default
    if getattr(option, 'settable', False):
        settable.append(option.dest)
    if _leftover:
        p.keep_unknown = True
        p.parse_args(list(_leftover), _values())
        _leftover = list(p.largs)
    return option


def check_leftover():
    """After the scripts ran: an option nobody defined is an error."""
    if not any(w.startswith('-') and w != '-' for w in _leftover):
        return
    p = _get_parser()
    p.keep_unknown = False
    p.parse_args(list(_leftover), _values())


def _builtin_options(parser):
    for names, metavar, help_text in _BUILTIN_HELP:
        kw = {'help': help_text, 'dest': 'x_' + names.split()[-1].lstrip('-').replace('-', '_')}
        if metavar:
            kw.update(action='store', metavar=metavar)
        else:
            kw['action'] = 'store_true'
        parser.add_option(*names.split(), **kw)


def format_help(local_only=False):
    """The text `-h` prints without Help() (and `Help(append=True)` starts from)."""
    p = _get_parser()
    if local_only:
        if p.local_group is None:
            return ""
        f = p.formatter
        f.indent()
        width = 0
        for opt in p.local_group.option_list:
            f.option_strings[opt] = f.format_option_strings(opt)
            width = max(width, len(f.option_strings[opt]) + f.current_indent)
        f.dedent()
        f.help_position = min(width + 2, f.max_help_position)
        f.help_width = max(f.width - f.help_position, 11)
        f.indent()
        text = p.local_group.format_help(f)
        f.dedent()
        return text
    full = _Parser(usage=USAGE, option_class=SConsOption, add_help_option=False,
                   formatter=_Formatter())
    _builtin_options(full)
    if p.local_group is not None:
        group = _Group(full, "Local Options")
        for opt in p.local_group.option_list:
            group.add_option(opt)
        full.add_option_group(group)
    return full.format_help()
