"""Command-line option access (SCons.Script.Main.GetOption etc.)."""
from SCons.Script import GetOption, SetOption, AddOption, Exit  # noqa: F401
