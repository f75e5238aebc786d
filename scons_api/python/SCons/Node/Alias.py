"""Alias nodes: named groups of targets (Alias('install', ...))."""
from SCons.Node import Node


class Alias(Node):
    kind = 'alias'

    def __init__(self, name):
        Node.__init__(self)
        self.name = name
        self.path = name
        self.abspath = name

    def __str__(self):
        return self.name

    def exists(self):
        return True

    def get_contents(self):
        return ''.join(str(s) for s in self.sources).encode()

    def get_text_contents(self):
        return self.get_contents().decode()

    def srcnode(self):
        return self


def lookup(name, create=True):
    from SCons import _state
    n = _state.aliases.get(name)
    if n is None and create:
        n = _state.aliases[name] = Alias(name)
    return n


default_ans = None
