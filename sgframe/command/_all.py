"""Every built-in command class, imported: for whoever needs them all at once."""
from __future__ import annotations

from importlib import import_module

from ._index import MODULES

#: Every built-in command class, SPC first, in the order the modules declare them.
BUILTIN_COMMANDS = tuple(cls for module in MODULES for cls in import_module(f"{__package__}.{module}").COMMANDS)
