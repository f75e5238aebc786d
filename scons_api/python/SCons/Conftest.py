"""The standard Configure checks (CheckHeader, CheckLib, CheckFunc, ...): the C programs they
build, the messages they print and the config.h lines they add. Each gets a CheckContext
(SCons/SConf.py) and returns what SCons returns (True when the check passed)."""
import re

from SCons import Util


def _lang(language):
    """(language name, source suffix), or (None, error message)."""
    if not language or language in ('C', 'c'):
        return 'C', '.c'
    if language in ('c++', 'C++', 'cpp', 'CXX', 'cxx'):
        return 'C++', '.cpp'
    return None, 'Unsupported language: %s' % language


def _include_line(context, newline=''):
    if context.headerfilename:
        return '#include "%s"%s' % (context.headerfilename, newline)
    return ''


def _have(context, key, have, comment=None):
    """Record HAVE_xxx for config.h: `#define KEY 1`, `/* #undef KEY */` or `#define KEY value`."""
    key = re.sub('[^A-Z0-9_]', '_', key.upper())
    context.havedict[key] = have
    if have is True or have == 1 and not isinstance(have, str):
        line = '#define %s 1\n' % key
    elif have is False or have == 0 and not isinstance(have, str):
        line = '/* #undef %s */\n' % key
    elif isinstance(have, int):
        line = '#define %s %d\n' % (key, have)
    else:
        line = '#define %s %s\n' % (key, have)
    text = ('\n/* %s */\n' % comment if comment is not None else '\n') + line
    context.config_h = context.config_h + text


def _yes_no(context, failed, key, comment=None):
    if key:
        _have(context, key, not failed, comment)
    context.Display('no\n' if failed else 'yes\n')


def _compiles(context, comp, text, language, shared=False):
    """Error flag: 0 when the program compiles with $comp."""
    if not context.env.get(comp):
        return 1
    lang, suffix = _lang(language)
    if lang is None:
        return 1
    if shared:
        return context.CompileSharedObject(text, suffix)
    return context.CompileProg(text, suffix)


_MAIN = '\nint main(void)\n{\n    return 0;\n}\n'


def _compiler_works(context, what, comp, text, language, shared=False):
    """A 'Checking whether the <what> compiler works...' test of $comp; True when it does."""
    context.Display('Checking whether the %s compiler works... ' % what)
    failed = _compiles(context, comp, text, language, shared=shared)
    _yes_no(context, failed, None)
    context.did_show_result = 1
    return not failed


def CheckCC(context):
    return _compiler_works(context, 'C', 'CC', _MAIN, 'C')


def CheckCXX(context):
    return _compiler_works(context, 'C++', 'CXX', _MAIN, 'C++')


def CheckSHCC(context):
    return _compiler_works(context, '(shared) C', 'SHCC',
                           '\nint foo(void)\n{\n    return 0;\n}\n', 'C', shared=True)


def CheckSHCXX(context):
    return _compiler_works(context, '(shared) C++', 'SHCXX', _MAIN, 'C++', shared=True)


def CheckFunc(context, function_name, header=None, language=None, funcargs=None):
    lang, suffix = _lang(language)
    context.did_show_result = 1
    if lang is None:
        context.Display('Cannot check for %s(): %s\n' % (function_name, suffix))
        return False
    if not header:
        header = '\n#ifdef __cplusplus\nextern "C"\n#endif\nchar %s(void);' % function_name
    text = ('\n%(inc)s\n#include <assert.h>\n%(hdr)s\n\n#if _MSC_VER && !__INTEL_COMPILER\n'
            '    #pragma function(%(name)s)\n#endif\n\nint main(void) {\n'
            '#if defined (__stub_%(name)s) || defined (__stub___%(name)s)\n'
            '  #error "%(name)s has a GNU stub, cannot check"\n#else\n  %(name)s(%(args)s);\n'
            '#endif\n\n  return 0;\n}\n') % {'inc': _include_line(context), 'hdr': header,
                                            'name': function_name, 'args': funcargs or ''}
    context.Display('Checking for %s function %s()... ' % (lang, function_name))
    failed = context.BuildProg(text, suffix)
    _yes_no(context, failed, 'HAVE_' + function_name,
            "Define to 1 if the system has the function `%s'." % function_name)
    return not failed


def _includes_from(headers, leave_last, quotes='""'):
    if not Util.is_List(headers):
        headers = [headers]
    last = None
    if leave_last:
        last = headers[-1]
        headers = headers[:-1]
    return ''.join('#include %s%s%s\n' % (quotes[0], h, quotes[1]) for h in headers), last


def CheckHeader(context, header, include_quotes='<>', language=None):
    prefix, name = _includes_from(header, True, include_quotes)
    lang, suffix = _lang(language)
    context.did_show_result = 1
    if lang is None:
        context.Display('Cannot check for header file %s: %s\n' % (name, suffix))
        return False
    quotes = include_quotes or '<>'
    text = '%s%s\n#include %s%s%s\n\n' % (_include_line(context, '\n'), prefix, quotes[0], name,
                                          quotes[1])
    context.Display('Checking for %s header file %s... ' % (lang, name))
    failed = context.CompileProg(text, suffix)
    _yes_no(context, failed, 'HAVE_' + name, 'Define to 1 if you have the <%s> header file.' % name)
    return not failed


def CheckCHeader(context, header, include_quotes='""'):
    return CheckHeader(context, header, include_quotes, language='C')


def CheckCXXHeader(context, header, include_quotes='""'):
    return CheckHeader(context, header, include_quotes, language='C++')


def CheckType(context, type_name, includes='', language=None):
    lang, suffix = _lang(language)
    context.did_show_result = 1
    if lang is None:
        context.Display('Cannot check for %s type: %s\n' % (type_name, suffix))
        return False
    text = ('\n%s\n%s\n\nint main(void) {\n  if ((%s *) 0)\n    return 0;\n  if (sizeof (%s))\n'
            '    return 0;\n}\n') % (_include_line(context), includes or '', type_name, type_name)
    context.Display('Checking for %s type %s... ' % (lang, type_name))
    failed = context.BuildProg(text, suffix)
    _yes_no(context, failed, 'HAVE_' + type_name,
            "Define to 1 if the system has the type `%s'." % type_name)
    return not failed


def CheckTypeSize(context, type_name, includes='', language=None, expect=None):
    lang, suffix = _lang(language)
    context.did_show_result = 1
    if lang is None:
        context.Display('Cannot check for %s type: %s\n' % (type_name, suffix))
        return 0
    src = _include_line(context) + (includes or '')
    comment = "The size of `%s', as computed by sizeof." % type_name
    if expect is not None:
        context.Display('Checking %s is %d bytes... ' % (type_name, expect))
        src += ('\ntypedef %s scons_check_type;\n\nint main(void)\n{\n    static int test_array[1 - 2 '
                '* !(((long int) (sizeof(scons_check_type))) == %d)];\n    test_array[0] = 0;\n\n'
                '    return 0;\n}\n') % (type_name, expect)
        if not context.CompileProg(src, suffix):
            context.Display('yes\n')
            _have(context, 'SIZEOF_%s' % type_name, expect, comment)
            return expect
        context.Display('no\n')
        return 0
    context.Message('Checking size of %s ... ' % type_name)
    src += ('\n#include <stdlib.h>\n#include <stdio.h>\nint main(void) {\n    printf("%%d", '
            '(int)sizeof(%s));\n    return 0;\n}\n    ') % type_name
    failed, out = context.RunProg(src, suffix)
    try:
        size = int(out)
    except ValueError:
        failed, size = 1, 0
    if not failed:
        context.Display('yes\n')
        _have(context, 'SIZEOF_%s' % type_name, size, comment)
        return size
    context.Display('no\n')
    return 0


def CheckDeclaration(context, declaration, includes='', language=None):
    lang, suffix = _lang(language)
    context.did_show_result = 1
    if lang is None:
        context.Display('Cannot check for declaration %s: %s\n' % (declaration, suffix))
        return False
    src = _include_line(context) + (includes or '')
    context.Display('Checking whether %s is declared... ' % declaration)
    src += ('\nint main(void)\n{\n#ifndef %s\n    (void) %s;\n#endif\n    ;\n    return 0;\n}\n'
            % (declaration, declaration))
    failed = context.CompileProg(src, suffix)
    _yes_no(context, failed, 'HAVE_DECL_' + declaration, 'Set to 1 if %s is defined.' % declaration)
    return not failed


def CheckMember(context, aggregate_member, header=None, language=None):
    lang, suffix = _lang(language)
    context.did_show_result = 1
    if lang is None:
        context.Display('Cannot check for member %s: %s\n' % (aggregate_member, suffix))
        return False
    context.Display('Checking for %s member %s... ' % (lang, aggregate_member))
    fields = aggregate_member.split('.')
    if len(fields) != 2:
        context.Display("Cannot check for member %s: shall contain just one dot, for example "
                        "'struct tm.tm_gmtoff'\n" % aggregate_member)
        return False
    text = '\n%s\n%s\n\nint main(void) {\n  if (sizeof ((%s *) 0)->%s)\n    return 0;\n}' % (
        _include_line(context), header or '', fields[0], fields[1])
    failed = context.BuildProg(text, suffix)
    _yes_no(context, failed, 'HAVE_' + aggregate_member,
            'Define to 1 if the system has the member `%s`.' % aggregate_member)
    return not failed


def _check_libs(context, libs, func_name=None, header=None, extra_libs=None, call=None,
                language=None, autoadd=True, append=True, unique=False):
    """Error flag of the first library (in order) that links; 0 when one does."""
    text = '\n%s\n%s' % (_include_line(context), header or '')
    if func_name and func_name != 'main':
        if not header:
            text += '\n#ifdef __cplusplus\nextern "C"\n#endif\nchar %s();\n' % func_name
        if not call:
            call = '%s();' % func_name
    text += '\nint main(void) {\n  %s\nreturn 0;\n}\n' % (call or '')
    if call:
        i = call.find('\n')
        calltext = call[:i] + '..' if i > 0 else (call[:-1] if call[-1] == ';' else call)
    failed = 1
    for lib in libs:
        lang, suffix = _lang(language)
        if lang is None:
            context.Display('Cannot check for library %s: %s\n' % (lib, suffix))
            return suffix
        if call:
            context.Display('Checking for %s in %s library %s... ' % (calltext, lang, lib))
        else:
            context.Display('Checking for %s library %s... ' % (lang, lib))
        old = None
        key = None
        if lib:
            names = [lib] + list(extra_libs or [])
            old = context.AppendLIBS(names, unique) if append else context.PrependLIBS(names, unique)
            key = 'HAVE_LIB' + lib
        failed = context.BuildProg(text, suffix)
        _yes_no(context, failed, key, "Define to 1 if you have the `%s' library." % lib)
        if old is not None and (failed or not autoadd):
            context.SetLIBS(old)
        if not failed:
            return failed
    return failed


def CheckLib(context, library=None, symbol='main', header=None, language=None, extra_libs=None,
             autoadd=True, append=True, unique=False):
    if not library:
        library = [None]
    if not Util.is_List(library):
        library = [library]
    failed = _check_libs(context, library, symbol, header=header, language=language,
                         extra_libs=extra_libs, autoadd=autoadd, append=append, unique=unique)
    context.did_show_result = True
    return not failed


def CheckLibWithHeader(context, libs, header, language, extra_libs=None, call=None, autoadd=True,
                       append=True, unique=False):
    prefix, _ = _includes_from(header, False)
    if not libs:
        libs = [None]
    if not Util.is_List(libs):
        libs = [libs]
    failed = _check_libs(context, libs, None, prefix, extra_libs=extra_libs, call=call,
                         language=language, autoadd=autoadd, append=append, unique=unique)
    context.did_show_result = 1
    return not failed


def CheckProg(context, prog_name):
    context.Display('Checking whether %s program exists...' % prog_name)
    path = context.env.WhereIs(prog_name)
    context.Display((path or 'no') + '\n')
    context.did_show_result = 1
    return path


default_tests = {
    'CheckCC': CheckCC, 'CheckCXX': CheckCXX, 'CheckSHCC': CheckSHCC, 'CheckSHCXX': CheckSHCXX,
    'CheckFunc': CheckFunc, 'CheckType': CheckType, 'CheckTypeSize': CheckTypeSize,
    'CheckMember': CheckMember, 'CheckDeclaration': CheckDeclaration, 'CheckHeader': CheckHeader,
    'CheckCHeader': CheckCHeader, 'CheckCXXHeader': CheckCXXHeader, 'CheckLib': CheckLib,
    'CheckLibWithHeader': CheckLibWithHeader, 'CheckProg': CheckProg,
}
