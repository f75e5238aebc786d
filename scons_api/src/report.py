# Formats an exception raised while reading SConscripts the way SCons 4.11.1 prints it on stderr.
# Frames inside docons's own SCons package or the frozen stdlib are left out: only the user's files show.
import sys
import traceback


def _user_frames(exc, frontend_dir):
    frames = []
    for fs in traceback.extract_tb(exc.__traceback__):
        name = fs.filename
        if not name.startswith("/") or (frontend_dir and name.startswith(frontend_dir)):
            continue
        frames.append(fs)
    return frames


def report(exc, frontend_dir):
    """Return (text for stderr, exit status)."""
    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None:
            return "", 0
        if isinstance(code, int):
            return "", code
        return str(code) + "\n", 1
    if type(exc).__name__ == "OptionsError":
        return str(exc), 2
    errors = sys.modules.get("SCons.Errors")
    frames = _user_frames(exc, frontend_dir)
    if isinstance(exc, SyntaxError):
        return "".join(line + "\n" for line in traceback.format_exception_only(type(exc), exc)), 2
    if errors is not None and isinstance(exc, (errors.UserError, errors.StopError)):
        text = "\nscons: *** %s\n" % exc
        if frames:
            last = frames[-1]
            text += 'File "%s", line %d, in %s\n' % (last.filename, last.lineno, last.name)
        status = getattr(exc, "exitstatus", 2) or 2
        return text, status
    text = "%s: %s:\n" % (type(exc).__name__, exc)
    for fs in frames:
        text += '  File "%s", line %d:\n' % (fs.filename, fs.lineno)
        if fs.line:
            text += "    %s\n" % fs.line.strip()
    return text, 2
