"""The SPC/SBC/ZBC commands as CDB classes, and the default command registry.

``REGISTRY`` holds every built-in command; ``decode_cdb(raw)`` finds the class for raw CDB
bytes by opcode and service action and decodes them.

Nothing is imported until it is asked for: ``sgframe.command.Read16`` imports the module
that declares READ(16) (:mod:`sgframe.command.rw`) and no other, and the registry imports
a module when one of its commands is first looked up (:mod:`sgframe.command._index` says
where each lives).
"""
from __future__ import annotations

from .._lazy import attach
from ..registry import CommandRegistry
from ._index import COMMANDS, MODULES, OTHER_NAMES

#: The standard registry: every built-in command, there as soon as this package is imported
#: (no plugin need load for decode_cdb or channel.cmd to know them), each module imported
#: when one of its commands is first looked up. The built-in plugin (sgframe.builtin) hands
#: the same rows to sgframe_register_commands, where adding them again does nothing; other
#: plugins get registries of their own (sgframe.plugins).
REGISTRY = CommandRegistry()
REGISTRY.add_indexed(__name__, COMMANDS)

decode_cdb = REGISTRY.decode_cdb

_WHERE = {
    **{class_name: (f".{module}", class_name) for module, class_name, *_ in COMMANDS},
    **{name: (f".{module}", name) for name, module in OTHER_NAMES.items()},
    **{module: (f".{module}", None) for module in MODULES},
    "BUILTIN_COMMANDS": ("._all", "BUILTIN_COMMANDS"),
}
__getattr__, __dir__ = attach(__name__, _WHERE)

__all__ = ["BUILTIN_COMMANDS", "REGISTRY", "decode_cdb",
           *(class_name for _, class_name, *_ in COMMANDS), *OTHER_NAMES]
