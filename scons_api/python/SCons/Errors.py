"""SCons exception classes."""


class BuildError(Exception):
    def __init__(self, node=None, errstr="Unknown error", status=2, exitstatus=2,
                 filename=None, executor=None, action=None, command=None, exc_info=(None, None, None)):
        self.node = node
        self.errstr = errstr
        self.status = status
        self.exitstatus = exitstatus
        self.filename = filename
        self.executor = executor
        self.action = action
        self.command = command
        self.exc_info = exc_info
        super().__init__(errstr)

    def __str__(self):
        return self.errstr


class InternalError(Exception):
    pass


class UserError(Exception):
    pass


class StopError(Exception):
    pass


class SConsEnvironmentError(Exception):
    pass


EnvironmentError = SConsEnvironmentError


class MSVCError(IOError):
    pass


class ExplicitExit(Exception):
    def __init__(self, node=None, status=None, *args):
        self.node = node
        self.status = status
        self.exitstatus = status
        super().__init__(*args)


class Unsupported(UserError):
    """Raised for SCons API that docons does not implement."""


def unsupported(what):
    raise Unsupported("docons does not support %s yet" % what)


def convert_to_BuildError(status, exc_info=None):
    if isinstance(status, BuildError):
        return status
    return BuildError(errstr=str(status), status=2, exitstatus=2)
