"""The records plugins and sgframe exchange through the hooks.

Who a device is (:class:`DeviceIdentity`), which devices a plugin binds to
(:class:`DeviceMatch`), what sense data means (:class:`Interpretation`), and the
registries a plugin adds to: transports (:class:`TransportRegistry`), emulated device
kinds (:class:`EmuKinds`) and subcommands (:class:`SubcommandRegistry`). They sit below
both the hook specifications and the manager, so neither has to reach up for them.
"""
from __future__ import annotations

import argparse
import fnmatch
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import attrs

from ._records import record
from .errors import UsageError
from .registry import CommandRegistry
from .transport.opening import is_scheme

__all__ = [
    "ACCEPT", "DeviceIdentity", "DeviceMatch", "EmuKinds", "Interpretation", "PluginInfo",
    "LazySubcommand", "PluginWarning", "Subcommand", "SubcommandRegistry", "TransportRegistry",
]


class PluginWarning(UserWarning):
    """A plugin failed to load or to register; sgframe goes on without it."""


class _Accept:
    def __repr__(self) -> str:
        return "sgframe.plugins.ACCEPT"


#: What a ``sgframe_judge_response`` implementation returns to make a command succeed.
ACCEPT: Any = _Accept()


def _text(value: Optional[str]) -> str:
    return (value or "").strip()


@record
class DeviceIdentity:
    """Who a device says it is: the INQUIRY identification fields, stripped of padding."""

    vendor_identification: str
    product_identification: str = ""
    product_revision_level: str = ""

    @classmethod
    def from_inquiry(cls, data: Any) -> "DeviceIdentity":
        """From :class:`sgframe.decode.InquiryData` (or standard INQUIRY bytes)."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            from .decode import decode_inquiry

            data = decode_inquiry(bytes(data))
        return cls(_text(data.vendor_identification), _text(data.product_identification),
                   _text(getattr(data, "product_revision_level", None)))

    def __str__(self) -> str:
        return " ".join(p for p in (self.vendor_identification, self.product_identification,
                                    self.product_revision_level) if p)


@record
class DeviceMatch:
    """Which devices a plugin binds to.

    :param vendor: the T10 vendor identification (``"SEAGATE"``), compared without
        padding and without regard to case.
    :param product: a shell pattern for the product identification (``"ST*"``);
        every product by default.
    """

    vendor: str = attrs.field()
    product: str = "*"

    @vendor.validator
    def _check(self, attribute: Any, value: Any) -> None:
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 8:
            raise UsageError(f"DeviceMatch vendor is a T10 vendor identification of 1 to 8 characters, not {value!r}")

    def matches(self, device: Optional[DeviceIdentity]) -> bool:
        if device is None:
            return False
        return (device.vendor_identification.upper() == self.vendor.strip().upper()
                and fnmatch.fnmatchcase(device.product_identification.upper(), self.product.strip().upper()))


@record
class Interpretation:
    """What a sense interpreter says about sense data.

    :param text: one line for people (``"ATA status return: DRDY, no error"``).
    :param record: the decoded details (an attrs record), if any.
    """

    text: str
    record: Any = None

    def __str__(self) -> str:
        return self.text


@record(frozen=False)
class PluginInfo:
    """What the manager knows about one plugin (``sgframe plugins`` prints these)."""

    name: str
    origin: str
    plugin: Any = attrs.field(default=None, repr=False)
    binding: Optional[Tuple[DeviceMatch, ...]] = None
    commands: CommandRegistry = attrs.field(factory=CommandRegistry, repr=False)
    schemes: List[str] = attrs.field(factory=list)
    kinds: List[str] = attrs.field(factory=list)
    state: str = "loaded"  # loaded, disabled, failed
    problems: List[str] = attrs.field(factory=list)

    def applies_to(self, device: Optional[DeviceIdentity]) -> bool:
        """True when unbound, or bound to ``device``."""
        return self.binding is None or any(m.matches(device) for m in self.binding)


class TransportRegistry:
    """The scheme table of :func:`sgframe.transport.open_transport`, for one plugin."""

    def __init__(self, schemes: Dict[str, Callable[..., Any]], info: PluginInfo) -> None:
        self._schemes = schemes
        self._info = info

    def add(self, scheme: str, opener: Callable[..., Any]) -> None:
        """``Channel.open("SCHEME:rest")`` will call ``opener("rest", **options)``.

        :raises UsageError: not a URI scheme, not callable, or taken by another opener.
        """
        if not is_scheme(scheme):
            raise UsageError(f"a URI scheme is a lower-case word such as 'iscsi', not {scheme!r}")
        if not callable(opener):
            raise UsageError(f"the opener of {scheme!r} must be callable, not {opener!r}")
        other = self._schemes.get(scheme)
        if other is not None and other is not opener:
            raise UsageError(f"transport scheme {scheme!r} is already registered ({other!r})")
        self._schemes[scheme] = opener
        if scheme not in self._info.schemes:
            self._info.schemes.append(scheme)

    def __contains__(self, scheme: object) -> bool:
        return scheme in self._schemes


class EmuKinds:
    """The ``emu:`` kinds table, for one plugin."""

    def __init__(self, info: PluginInfo) -> None:
        self._info = info

    def add(self, kind: str, factory: Callable[..., Any], parameters: Dict[str, Callable[[str], Any]]) -> None:
        """``emu:KIND?name=value`` will call ``factory(name=converter(value), ...)``."""
        from .emu import register_kind

        register_kind(kind, factory, parameters)
        if kind not in self._info.kinds:
            self._info.kinds.append(kind)


class _SubcommandsFor:
    """A subcommand registry that marks what a plugin adds with the plugin's name."""

    def __init__(self, registry: Any, origin: str) -> None:
        self._registry = registry
        self._origin = origin

    def add(self, subcommand: Any, origin: Optional[str] = None) -> Any:
        return self._registry.add(subcommand, origin=origin or self._origin)

    def __contains__(self, name: object) -> bool:
        return name in self._registry

    def __iter__(self) -> Iterator[Any]:
        return iter(self._registry)



@record
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


@record
class LazySubcommand:
    """A subcommand known by name and help alone until it is run: the command line
    imports ``target`` (``"module:ATTRIBUTE"``, naming a :class:`Subcommand`) only for
    the subcommand the user typed, so a shell loop over many devices starts fast.
    """

    name: str
    help: str
    target: str
    origin: str = "builtin"

    def load(self) -> Subcommand:
        """The :class:`Subcommand` ``target`` names, with this one's origin."""
        from importlib import import_module

        module, _, attribute = self.target.partition(":")
        found: Any = import_module(module)
        for part in attribute.split("."):
            found = getattr(found, part)
        if found.name != self.name:
            raise UsageError(f"{self.target} is subcommand {found.name!r}, registered as {self.name!r}")
        return attrs.evolve(found, origin=self.origin) if isinstance(found, Subcommand) else found


class SubcommandRegistry:
    """Subcommands by name, in the order they were added."""

    def __init__(self) -> None:
        self._by_name: Dict[str, Any] = {}
        #: One line per subcommand that failed to load: "NAME: why".
        self.problems: List[str] = []

    def add(self, subcommand: Any, origin: str | None = None) -> Subcommand:
        """Add a :class:`Subcommand` (or an object with its four attributes).

        :raises UsageError: it lacks an attribute, or its name is taken.
        """
        if isinstance(subcommand, LazySubcommand):
            if origin is not None and origin != subcommand.origin:  # (evolve costs a new record)
                subcommand = attrs.evolve(subcommand, origin=origin)
        elif not isinstance(subcommand, Subcommand):
            missing = [a for a in ("name", "help", "add_arguments", "run") if not hasattr(subcommand, a)]
            if missing:
                raise UsageError(f"{subcommand!r} is not a subcommand: it has no {', '.join(missing)}")
            subcommand = Subcommand(
                name=subcommand.name, help=subcommand.help, add_arguments=subcommand.add_arguments,
                run=subcommand.run, description=getattr(subcommand, "description", ""),
                origin=origin or getattr(subcommand, "origin", "plugin"),
            )
        elif origin is not None and origin != subcommand.origin:
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
        """The subcommand called ``name``, imported now if it was registered lazily."""
        found = self._by_name[name]
        if isinstance(found, LazySubcommand):
            found = self._by_name[name] = found.load()
        return found

    def __iter__(self) -> Iterator[Any]:
        """Every subcommand as registered (a :class:`LazySubcommand` is not imported)."""
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name


