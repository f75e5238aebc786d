"""docons's own implementation of the SCons API (front end only: it declares the graph)."""
# First of all: note what the scripts read (see _inputs), before any module binds os functions.
from SCons import _inputs  # noqa: F401

__version__ = "4.11.1"
__build__ = "docons"
__buildsys__ = "docons"
__date__ = ""
__developer__ = "docons"
