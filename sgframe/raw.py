"""CDB bytes sent as they are, the way sg_raw sends them.

For vendor commands nobody declared, for malformed CDBs a test wants to send on purpose,
and for the command line's ``raw``: the caller gives the bytes, the data direction and the
data length, and the Io, the handlers and the judging are the same as for any command.
"""
from __future__ import annotations

from typing import Any

from .cdb import Command, Direction
from .errors import UsageError

__all__ = ["RawCommand"]


class RawCommand(Command):
    """A CDB given as bytes.

    :param cdb: the CDB, 6 to 252 bytes (the sg driver's limits; bsg takes up to 32).
    :param direction: the data phase's direction.
    :param length: bytes the data phase moves.
    :param name: what messages call it (default: the registered command's name if the
        bytes decode as one, else "opcode XXh").
    """

    __slots__ = ("_name", "_direction", "_length")

    def __init__(self, cdb: bytes, *, direction: Direction = Direction.NONE, length: int = 0,
                 name: str | None = None) -> None:
        if not isinstance(cdb, (bytes, bytearray, memoryview)) or not 6 <= len(cdb) <= 252:
            raise UsageError(f"a raw CDB is 6 to 252 bytes (SPC-5 and the sg driver), got {cdb!r}")
        if not isinstance(direction, Direction):
            raise UsageError(f"direction must be a sgframe.cdb.Direction, got {direction!r}")
        if not isinstance(length, int) or not 0 <= length <= 0x7FFFFFFF:
            raise UsageError(f"length is a byte count, 0..2147483647; got {length!r}")
        if direction is Direction.NONE and length:
            raise UsageError("a command with no data phase moves 0 bytes; give a direction")
        self._cdb = bytes(cdb)
        self._handlers = ()
        self._direction = direction
        self._length = length
        self._name = name if name is not None else _name_of(self._cdb)

    @property
    def NAME(self) -> str:  # type: ignore[override]  # per object, not per class
        return self._name

    @property
    def DIRECTION(self) -> Direction:  # type: ignore[override]
        return self._direction

    def data_length(self, block_size: int | None = None) -> int:
        return self._length

    @property
    def needs_block_size(self) -> bool:
        return False

    def __bytes__(self) -> bytes:
        return self._cdb

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawCommand):
            return NotImplemented
        return (self._cdb, self._direction, self._length) == (other._cdb, other._direction, other._length)

    def __hash__(self) -> int:
        return hash((self._cdb, self._direction, self._length))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._cdb, self._direction, self._length, self._name))

    def __repr__(self) -> str:
        return f"RawCommand({self._cdb.hex(' ')!r}, direction={self._direction}, length={self._length})"


def _rebuild(cdb: bytes, direction: Direction, length: int, name: str) -> RawCommand:
    return RawCommand(cdb, direction=direction, length=length, name=name)


def _name_of(cdb: bytes) -> str:
    from .command import REGISTRY

    try:
        return REGISTRY.decode_cdb(cdb).NAME
    except (UsageError, KeyError):
        return f"opcode {cdb[0]:02X}h"
