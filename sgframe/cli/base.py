"""What a subcommand is, and where the command line finds them.

A subcommand is a :class:`Subcommand` record: its name, one line of help, a function that
adds its options to an argparse parser, and a function that runs it and returns the exit
code. The built-in ones are found the way a plugin's are: through the entry-point group
``sgframe.cli``, each entry point naming a :class:`Subcommand` (or anything with the same
four attributes). Providers registered with :func:`register_provider` (the plugin system's
``sgframe_register_subcommands`` hook feeds through one) add theirs to the same
:class:`SubcommandRegistry`.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module
from .._compat import entry_points
from typing import Any, Callable, Dict, Iterator, List

import attrs

from ..errors import UsageError

__all__ = [
    "ENTRY_POINT_GROUP", "Subcommand", "SubcommandRegistry", "load_subcommands",
    "register_provider",
]

#: The entry-point group that names subcommands (built-in and third-party).
ENTRY_POINT_GROUP = "sgframe.cli"

# Used only when the package's metadata is missing (a source tree that was never
# installed): the same objects the entry points in setup.cfg name.
_BUILTIN = (
    ("scan", "sgframe.cli.scan:SCAN"), ("inq", "sgframe.cli.inquiry:INQ"),
    ("readcap", "sgframe.cli.inquiry:READCAP"), ("tur", "sgframe.cli.unit:TUR"),
    ("requests", "sgframe.cli.unit:REQUESTS"), ("reset", "sgframe.cli.unit:RESET"),
    ("luns", "sgframe.cli.inquiry:LUNS"), ("opcodes", "sgframe.cli.inquiry:OPCODES"),
    ("modes", "sgframe.cli.pages:MODES"), ("logs", "sgframe.cli.pages:LOGS"),
    ("raw", "sgframe.cli.raw:RAW"), ("decode-sense", "sgframe.cli.decoders:DECODE_SENSE"),
    ("decode-cdb", "sgframe.cli.decoders:DECODE_CDB"), ("read", "sgframe.cli.media:READ"),
    ("write", "sgframe.cli.media:WRITE"), ("verify", "sgframe.cli.media:VERIFY"),
    ("commands", "sgframe.cli.registry:COMMANDS"), ("plugins", "sgframe.cli.registry:PLUGINS"),
    ("ses", "sgframe.cli.ses:SES"),
)


@attrs.frozen
class Subcommand:
    """One ``sgframe`` subcommand.

    :param name: what the user types (``"inq"``).
    :param help: one line for ``sgframe --help``.
    :param add_arguments: called with the subcommand's argparse parser to add its options.
    :param run: called with the parsed namespace; returns the exit code (see
        :mod:`sgframe.cli.exitcodes`). It may raise sgframe's exceptions: the command line
        turns them into one line on stderr and the matching exit code.
    :param description: the longer text of ``sgframe NAME --help``.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    description: str = ""
    #: Where it came from, for ``sgframe plugins`` ("builtin", an entry point, a plugin).
    origin: str = "builtin"


class SubcommandRegistry:
    """Subcommands by name, in the order they were added."""

    def __init__(self) -> None:
        self._by_name: Dict[str, Subcommand] = {}
        #: One line per subcommand that failed to load: "NAME: why".
        self.problems: List[str] = []

    def add(self, subcommand: Any, origin: str | None = None) -> Subcommand:
        """Add a :class:`Subcommand` (or an object with its four attributes).

        :raises UsageError: it lacks an attribute, or its name is taken.
        """
        if not isinstance(subcommand, Subcommand):
            missing = [a for a in ("name", "help", "add_arguments", "run") if not hasattr(subcommand, a)]
            if missing:
                raise UsageError(f"{subcommand!r} is not a subcommand: it has no {', '.join(missing)}")
            subcommand = Subcommand(
                name=subcommand.name, help=subcommand.help, add_arguments=subcommand.add_arguments,
                run=subcommand.run, description=getattr(subcommand, "description", ""),
                origin=origin or getattr(subcommand, "origin", "plugin"),
            )
        elif origin is not None:
            subcommand = attrs.evolve(subcommand, origin=origin)
        if not subcommand.name or subcommand.name.startswith("-"):
            raise UsageError(f"a subcommand name is a word such as 'inq', not {subcommand.name!r}")
        other = self._by_name.get(subcommand.name)
        if other is not None and other is not subcommand:
            raise UsageError(f"subcommand {subcommand.name!r} from {subcommand.origin} is already "
                             f"defined by {other.origin}")
        self._by_name[subcommand.name] = subcommand
        return subcommand

    def get(self, name: str) -> Subcommand:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Subcommand]:
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


_PROVIDERS: List[Callable[[SubcommandRegistry], None]] = []


def register_provider(provider: Callable[[SubcommandRegistry], None]) -> None:
    """Have ``provider(registry)`` called whenever the subcommands are collected; it calls
    ``registry.add(...)``. The plugin system registers one that runs its hook."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def _load(spec: str) -> Any:
    module, _, attribute = spec.partition(":")
    obj: Any = import_module(module)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return obj


def load_subcommands() -> SubcommandRegistry:
    """Every subcommand: the entry points of ``sgframe.cli``, then the providers'.

    A subcommand that fails to load is left out and described in ``registry.problems``;
    one broken plugin does not take the command line down.
    """
    registry = SubcommandRegistry()
    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    specs = [(ep.name, ep.value, ep) for ep in found] or [(n, v, None) for n, v in _BUILTIN]
    for name, value, ep in specs:
        try:
            obj = ep.load() if ep is not None else _load(value)
            builtin = value.startswith("sgframe.cli.")
            registry.add(obj, origin="builtin" if builtin else f"entry point {name} = {value}")
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, not fatal
            registry.problems.append(f"{name} ({value}): {type(exc).__name__}: {exc}")
    for provider in list(_PROVIDERS):
        try:
            provider(registry)
        except Exception as exc:  # noqa: BLE001 - same as above
            registry.problems.append(f"{getattr(provider, '__name__', provider)!s}: {type(exc).__name__}: {exc}")
    return registry


def warn(message: str) -> None:
    """One line on stderr, prefixed like every message of the command line."""
    print(f"sgframe: {message}", file=sys.stderr)
