"""The command registry: which CDB class answers to which name, opcode and service action.

The built-in SPC/SBC/ZBC commands fill :data:`sgframe.command.REGISTRY`; plugins add theirs
to the same object. ``decode_cdb`` turns raw CDB bytes back into a command object, which is
what an emulated device or a trace reader needs.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Tuple, Type

import attrs

from .cdb import Command, Direction, VariableLengthCommand
from .errors import UsageError

__all__ = ["CommandInfo", "CommandRegistry"]

_Key = Tuple[int, Optional[int]]


@attrs.frozen
class CommandInfo:
    """What the registry knows about one command class."""

    name: str
    class_name: str
    opcode: int
    service_action: Optional[int]
    cdb_length: int
    #: None when the CDB's own fields set it (ATA PASS-THROUGH's T_DIR and T_LENGTH).
    direction: Optional[Direction]
    modifies_medium: bool

    def __str__(self) -> str:
        digits = 4 if self.opcode == VariableLengthCommand.OPCODE else 2
        sa = "" if self.service_action is None else f"/{self.service_action:0{digits}X}h"
        return (
            f"{self.name} ({self.opcode:02X}h{sa}, {self.cdb_length}-byte CDB, "
            f"data {self.direction_text}{', modifies medium' if self.modifies_medium else ''})"
        )


    @property
    def direction_text(self) -> str:
        return self.direction.value if self.direction is not None else "as the CDB's fields say"


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
        self._by_key: Dict[_Key, Type[Command]] = {}
        self._by_name: Dict[str, Type[Command]] = {}
        # Opcodes for which at least one class claims a fixed service action: only there
        # does decode_cdb read the service action out of the CDB.
        self._sa_opcodes: Dict[int, int] = {}
        self._classes: List[Type[Command]] = []

    def add(self, cls: Type[Command]) -> Type[Command]:
        """Register a command class; returns it, so it also works as a class decorator.

        Adding the same class again does nothing. A different class with the same class
        name, T10 name, or opcode and service action raises :class:`UsageError`.
        """
        if not (isinstance(cls, type) and issubclass(cls, Command) and hasattr(cls, "_FIXED")):
            raise UsageError(f"only classes made with sgframe.cdb.define can be registered, got {cls!r}")
        if cls in self._classes:
            return cls
        key = (cls.OPCODE, cls.SERVICE_ACTION)
        other = self._by_key.get(key)
        if other is not None:
            sa = "" if key[1] is None else f" service action {key[1]:02X}h"
            raise UsageError(
                f"cannot register {_label(cls)}: opcode {key[0]:02X}h{sa} already belongs to {_label(other)}"
            )
        names = {cls.__name__.lower(), cls.NAME.lower()}
        for name in names:
            other = self._by_name.get(name)
            if other is not None:
                raise UsageError(f"cannot register {_label(cls)}: the name {name!r} already belongs to {_label(other)}")
        self._by_key[key] = cls
        for name in names:
            self._by_name[name] = cls
        if cls.SERVICE_ACTION is not None:
            self._sa_opcodes[cls.OPCODE] = self._sa_opcodes.get(cls.OPCODE, 0) + 1
        self._classes.append(cls)
        return cls

    def by_name(self, name: str) -> Type[Command]:
        """The class registered under a class name (``"Read16"``) or T10 name
        (``"READ(16)"``), case-insensitive."""
        try:
            return self._by_name[name.lower()]
        except (KeyError, AttributeError):
            raise UsageError(f"no command named {name!r} is registered") from None

    def lookup(self, opcode: int, service_action: Optional[int] = None) -> Type[Command]:
        """The class for an opcode and service action (None for commands without one)."""
        cls = self._by_key.get((opcode, service_action))
        if cls is None and service_action is not None:
            cls = self._by_key.get((opcode, None))
        if cls is None:
            sa = "" if service_action is None else f" service action {service_action:02X}h"
            raise UsageError(f"no command is registered for opcode {opcode:#04x}{sa}")
        return cls

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

    def describe(self, cls: Type[Command]) -> CommandInfo:
        """The registry record of a command class (registered or not)."""
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
        return iter(list(self._classes))

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, cls: object) -> bool:
        return cls in self._classes

    def __repr__(self) -> str:
        return f"<CommandRegistry of {len(self._classes)} commands>"


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__} ({getattr(cls, 'NAME', '?')})"
