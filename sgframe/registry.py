"""The command registry: which CDB class answers to which name, opcode and service action.

The built-in SPC/SBC/ZBC commands fill :data:`sgframe.command.REGISTRY`; plugins add theirs
to the same object. ``decode_cdb`` turns raw CDB bytes back into a command object, which is
what an emulated device or a trace reader needs.
"""
from __future__ import annotations

import threading
from importlib import import_module
from typing import TYPE_CHECKING, Dict, Iterable, Iterator, List, Optional, Tuple, Type, Union

from ._lazy import attach
from .cdb import Command, Direction, VariableLengthCommand
from .errors import UsageError

__all__ = ["CommandInfo", "CommandRegistry"]

# CommandInfo lives in sgframe.command_info, made at the first description.
__getattr__, __dir__ = attach(__name__, {"CommandInfo": ("sgframe.command_info", "CommandInfo")})

_Key = Tuple[int, Optional[int]]


class _Indexed:
    """A command known by its index row, its module not imported yet.

    A plain slotted class, not a record: a registry holds one per built-in command and
    makes them at every start, where a record's frozen ``__init__`` costs five times as
    much; nothing compares or shows these rows but the registry itself.
    """

    __slots__ = ("module", "class_name", "name", "opcode", "service_action")

    def __init__(self, module: str, class_name: str, name: str, opcode: int, service_action: Optional[int]) -> None:
        self.module = module
        self.class_name = class_name
        self.name = name
        self.opcode = opcode
        self.service_action = service_action

    def __repr__(self) -> str:
        return f"_Indexed({self.module}.{self.class_name}, {self.name!r})"


if TYPE_CHECKING:
    from .command_info import CommandInfo

_Entry = Union[Type[Command], _Indexed]


def _service_action_of(raw: bytes) -> int:
    # SPC-5 4.2.5: a variable-length CDB carries the service action in bytes 8-9; the
    # fixed-length CDBs that have one keep it in byte 1, bits 4-0.
    if raw[0] == VariableLengthCommand.OPCODE:
        if len(raw) < 10:
            raise UsageError(f"a variable-length (7Fh) CDB has at least 10 bytes, got {len(raw)}")
        return int.from_bytes(raw[8:10], "big")
    if len(raw) < 2:
        raise UsageError(f"CDB of opcode {raw[0]:02X}h is too short ({len(raw)} byte) to hold a service action")
    return raw[1] & 0x1F


class CommandRegistry:
    """Command classes by name and by (opcode, service action).

    A class with a fixed ``SERVICE_ACTION`` is found by opcode and service action; a class
    without one (no service action, or one the caller puts in a field, as in PERSISTENT
    RESERVE IN) is found by opcode alone, and also stands in for service actions no other
    class claims.
    """

    def __init__(self) -> None:
        # An entry is a class, or an _Indexed row whose module is imported when the entry
        # is first looked up (see add_indexed).
        self._by_key: Dict[_Key, _Entry] = {}
        self._by_name: Dict[str, _Entry] = {}
        # Opcodes for which at least one class claims a fixed service action: only there
        # does decode_cdb read the service action out of the CDB.
        self._sa_opcodes: Dict[int, int] = {}
        self._classes: List[_Entry] = []
        # Two threads may look up the same unimported command at once: one resolves it.
        self._resolving = threading.Lock()

    def add_indexed(self, package: str, rows: Iterable[Tuple[str, str, str, int, Optional[int]]]) -> None:
        """Register commands by their index rows ``(module, class name, T10 name, opcode,
        service action)``, ``module`` relative to ``package``: each module is imported the
        first time one of its commands is looked up, or the registry is listed.

        Rows already registered (by row or by class) are skipped; a row that clashes with
        another command raises :class:`UsageError` as :meth:`add` does.
        """
        for module, class_name, name, opcode, service_action in rows:
            where = f"{package}.{module}"
            if self._same(self._by_key.get((opcode, service_action)), where, class_name):
                continue
            row = _Indexed(where, class_name, name, opcode, service_action)
            self._claim(row, (opcode, service_action), {class_name.lower(), name.lower()})

    def add(self, cls: Type[Command]) -> Type[Command]:
        """Register a command class; returns it, so it also works as a class decorator.

        Adding the same class again does nothing. A different class with the same class
        name, T10 name, or opcode and service action raises :class:`UsageError`.
        """
        if not (isinstance(cls, type) and issubclass(cls, Command) and hasattr(cls, "_FIXED")):
            raise UsageError(f"only classes made with sgframe.cdb.define can be registered, got {cls!r}")
        key = (cls.OPCODE, cls.SERVICE_ACTION)
        entry = self._by_key.get(key)
        if self._same(entry, cls.__module__, cls.__qualname__) and self._resolve(entry) is cls:
            return cls  # added before, as itself or as its index row
        self._claim(cls, key, {cls.__name__.lower(), cls.NAME.lower()})
        return cls

    def _claim(self, entry: _Entry, key: _Key, names: set) -> None:
        other = self._by_key.get(key)
        if other is not None:
            sa = "" if key[1] is None else f" service action {key[1]:02X}h"
            raise UsageError(
                f"cannot register {_label(entry)}: opcode {key[0]:02X}h{sa} already belongs to {_label(other)}"
            )
        for name in names:
            other = self._by_name.get(name)
            if other is not None:
                raise UsageError(f"cannot register {_label(entry)}: the name {name!r} already belongs to {_label(other)}")
        self._by_key[key] = entry
        for name in names:
            self._by_name[name] = entry
        if key[1] is not None:
            self._sa_opcodes[key[0]] = self._sa_opcodes.get(key[0], 0) + 1
        self._classes.append(entry)

    @staticmethod
    def _same(entry: Optional[_Entry], module: str, class_name: str) -> bool:
        if isinstance(entry, _Indexed):
            return entry.module == module and entry.class_name == class_name
        return entry is not None and entry.__module__ == module and entry.__qualname__ == class_name

    def _resolve(self, entry: _Entry) -> Type[Command]:
        """The class of an entry, importing its module (and putting the class in the
        place of its row everywhere) the first time."""
        if not isinstance(entry, _Indexed):
            return entry
        with self._resolving:
            key = (entry.opcode, entry.service_action)
            current = self._by_key[key]
            if not isinstance(current, _Indexed):
                return current  # another thread resolved it first
            cls = getattr(import_module(entry.module), entry.class_name)
            if (cls.OPCODE, cls.SERVICE_ACTION, cls.NAME) != (entry.opcode, entry.service_action, entry.name):
                raise UsageError(f"the command index is stale: {entry} but the class says "
                                 f"{cls.NAME!r} {cls.OPCODE:#04x} service action {cls.SERVICE_ACTION}")
            self._by_key[key] = cls
            for name in (entry.class_name.lower(), entry.name.lower()):
                self._by_name[name] = cls
            self._classes[self._classes.index(entry)] = cls
            return cls

    def by_name(self, name: str) -> Type[Command]:
        """The class registered under a class name (``"Read16"``) or T10 name
        (``"READ(16)"``), case-insensitive."""
        try:
            entry = self._by_name[name.lower()]
        except (KeyError, AttributeError):
            raise UsageError(f"no command named {name!r} is registered") from None
        return self._resolve(entry)

    def lookup(self, opcode: int, service_action: Optional[int] = None) -> Type[Command]:
        """The class for an opcode and service action (None for commands without one)."""
        cls = self._by_key.get((opcode, service_action))
        if cls is None and service_action is not None:
            cls = self._by_key.get((opcode, None))
        if cls is None:
            sa = "" if service_action is None else f" service action {service_action:02X}h"
            raise UsageError(f"no command is registered for opcode {opcode:#04x}{sa}")
        return self._resolve(cls)

    def decode_cdb(self, raw: bytes, *, strict: bool = False) -> Command:
        """Decode CDB bytes into the registered command they encode.

        :param strict: reject CDBs that set reserved bits.
        :raises UsageError: ``raw`` is not bytes-like, or encodes no registered command.
        """
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise UsageError(f"decode_cdb() takes the CDB bytes (bytes, bytearray or memoryview), "
                             f"not {type(raw).__name__}; for hex text use bytes.fromhex()")
        raw = bytes(raw)
        if not raw:
            raise UsageError("an empty CDB has no operation code")
        opcode = raw[0]
        if opcode in self._sa_opcodes:
            cls = self.lookup(opcode, _service_action_of(raw))
        else:
            cls = self.lookup(opcode)
        return cls.from_bytes(raw, strict=strict)

    def describe(self, cls: Type[Command]) -> "CommandInfo":
        """The registry record of a command class (registered or not)."""
        from .command_info import CommandInfo

        return CommandInfo(
            name=cls.NAME,
            class_name=cls.__name__,
            opcode=cls.OPCODE,
            service_action=cls.SERVICE_ACTION,
            cdb_length=cls.CDB_LENGTH,
            direction=cls.DIRECTION if isinstance(cls.DIRECTION, Direction) else None,
            # A class that decides per CDB counts as modifying: safe by default.
            modifies_medium=cls.MODIFIES_MEDIUM if isinstance(cls.MODIFIES_MEDIUM, bool) else True,
        )

    def __iter__(self) -> Iterator[Type[Command]]:
        return iter([self._resolve(entry) for entry in list(self._classes)])

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, cls: object) -> bool:
        key = (getattr(cls, "OPCODE", None), getattr(cls, "SERVICE_ACTION", None))
        entry = self._by_key.get(key)  # type: ignore[arg-type]
        return entry is not None and isinstance(cls, type) and self._same(entry, cls.__module__, cls.__qualname__) \
            and self._resolve(entry) is cls

    def __repr__(self) -> str:
        return f"<CommandRegistry of {len(self._classes)} commands>"


def _label(entry: _Entry) -> str:
    if isinstance(entry, _Indexed):
        return f"{entry.module}.{entry.class_name} ({entry.name})"
    return f"{entry.__module__}.{entry.__qualname__} ({getattr(entry, 'NAME', '?')})"
