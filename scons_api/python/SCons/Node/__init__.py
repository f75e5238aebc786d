"""Nodes: the things in the graph (files, dirs, aliases, values).

Every node records what the SConscripts declared about it; the graph
itself is serialised by SCons._docons."""


class Attrs:
    """Free-form per-node attributes (node.attributes.xxx)."""


class Node:
    kind = 'file'
    # What a node starts with. Declaring a node must be cheap (tens of thousands per build, and
    # setting attributes is slow under RustPython), so the plain values are class defaults and
    # the containers are made on first use (see __getattr__).
    task = None          # the Task that builds this node, if any
    builder = None
    env = None
    cwd = None           # SConscript dir when a builder created it
    decider = None       # node.Decider(): a decider name or Python decider id
    side_effect = 0
    target_peers = None

    def __init__(self):
        pass

    # the containers each node has, made empty on first use
    _LAZY = {
        'sources': list, 'depends': list, 'ignore': list, 'clean': list, 'flags': dict,
        'attributes': lambda: Attrs(), 'prerequisites': list, 'side_effects': list,
        'pre_actions': list,      # AddPreAction / AddPostAction
        'post_actions': list,
    }

    def __getattr__(self, name):
        make = Node._LAZY.get(name)
        if make is None:
            raise AttributeError(name)
        value = make()
        self.__dict__[name] = value
        return value

    def __fspath__(self):
        return str(self)

    # --- what the scripts may ask -------------------------------------
    def is_derived(self):
        return self.task is not None

    def has_builder(self):
        return self.task is not None

    def has_explicit_builder(self):
        return self.task is not None

    def get_builder(self, default_builder=None):
        return self.builder or default_builder

    def get_env(self):
        if self.env is None:
            from SCons.Defaults import DefaultEnvironment
            return DefaultEnvironment()
        return self.env

    def children(self, scan=1):
        return list(self.sources) + list(self.depends)

    def all_children(self, scan=1):
        return self.children()

    def get_state(self):
        return 0

    def is_up_to_date(self):
        from SCons.Errors import unsupported
        unsupported("Node.is_up_to_date()")

    def set_precious(self, precious=1):
        self._flag('precious', precious)

    def set_noclean(self, noclean=1):
        self._flag('noclean', noclean)

    def set_nocache(self, nocache=1):
        self._flag('nocache', nocache)

    def set_pseudo(self, pseudo=True):
        self._flag('pseudo', pseudo)

    def set_always_build(self, always_build=1):
        self._flag('always_build', always_build)

    def _flag(self, name, value):
        if value:
            self.flags[name] = True
        else:
            self.flags.pop(name, None)

    def add_dependency(self, depend):
        for d in depend:
            if d not in self.depends:
                self.depends.append(d)

    def add_prerequisite(self, prerequisite):
        for p in prerequisite:
            if p not in self.prerequisites:
                self.prerequisites.append(p)

    def Decider(self, function):
        from SCons.Environment import Base
        holder = Base.__new__(Base)
        Base.Decider(holder, function)
        self.decider = holder.decide_source

    def add_ignore(self, depend):
        for d in depend:
            if d not in self.ignore:
                self.ignore.append(d)

    def add_source(self, source):
        for s in source:
            if s not in self.sources:
                self.sources.append(s)

    def rfile(self):
        return self

    def rentry(self):
        return self

    def disambiguate(self, must_exist=None):
        return self

    def for_signature(self):
        return str(self)

    def get_string(self, for_signature):
        return str(self)

    def get_subst_proxy(self):
        return self

    def __lt__(self, other):
        return str(self) < str(other)

    def __repr__(self):
        return "<%s %r>" % (self.__class__.__name__, str(self))


from collections import UserList


class NodeList(UserList):
    """What builders return; prints like a list of path strings."""

    def __str__(self):
        return str([str(x) for x in self.data])


def is_derived_node(node):
    return node.is_derived()
