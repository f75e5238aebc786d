"""Nodes: the things in the graph (files, dirs, aliases, values).

Every node records what the SConscripts declared about it; the graph
itself is serialised by SCons._docons."""


class Attrs:
    """Free-form per-node attributes (node.attributes.xxx)."""


class Node:
    kind = 'file'

    def __init__(self):
        self.task = None          # the Task that builds this node, if any
        self.builder = None
        self.env = None
        self.cwd = None           # SConscript dir when a builder created it
        self.sources = []
        self.depends = []
        self.ignore = []
        self.clean = []
        self.flags = {}
        self.attributes = Attrs()
        self.prerequisites = []
        self.decider = None       # node.Decider(): a decider name or Python decider id
        self.side_effect = 0
        self.side_effects = []
        self.target_peers = None
        self.pre_actions = []     # AddPreAction / AddPostAction
        self.post_actions = []

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
