"""Value nodes (Value('text'))."""
from SCons.Node import Node


class Value(Node):
    kind = 'value'

    def __init__(self, value, built_value=None, name=None):
        Node.__init__(self)
        self.value = value
        self.built_value = built_value
        self.name = name if name is not None else str(value)
        self.path = self.name
        self.abspath = self.name

    def __str__(self):
        return str(self.value)

    def read(self):
        return self.built_value if self.built_value is not None else self.value

    def write(self, built_value):
        self.built_value = built_value

    def exists(self):
        return True

    def get_contents(self):
        return str(self.value).encode()

    def get_text_contents(self):
        return str(self.value)

    def get_csig(self, calc=None):
        return str(self.value)

    def srcnode(self):
        return self


def ValueWithMemo(value, built_value=None, name=None):
    from SCons import _state
    key = (name, repr(value) if not isinstance(value, str) else value)
    n = _state.values.get(key)
    if n is None:
        n = _state.values[key] = Value(value, built_value, name)
    return n
