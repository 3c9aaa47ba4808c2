"""Shared machinery for the response decoders: a forgiving byte reader and the record base.

Devices send short, padded and plainly wrong responses (a firmware bug, an allocation length
that cut a page in two, a transport that dropped the tail).  The decoders therefore never
index ``bytes`` directly: they read through :class:`Reader`, which answers ``None`` past the
end and notes the truncation once in the record's ``problems``.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

import attrs

__all__ = ["Reader", "Record", "record", "name_of", "raw_repr", "ascii_text"]


def raw_repr(value: bytes) -> str:
    """Shorten long byte strings in a record's repr (an IDENTIFY page is 512 bytes)."""
    if len(value) <= 24:
        return f"bytes.fromhex({value.hex()!r})"
    return f"<{len(value)} bytes {value[:16].hex()}...>"


def _to_json(_inst: Any, _field: Any, value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return value


class Record:
    """Mixin for decoded records: a JSON-ready ``to_dict``.

    Field names are the dictionary keys, so they are part of the public interface; byte
    strings become lower-case hex and tuples become lists.
    """

    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        return attrs.asdict(self, value_serializer=_to_json)

    def __repr__(self) -> str:
        # Decoded records carry many optional fields; a repr that lists every absent one
        # drowns the ones the device actually sent.
        parts = []
        for a in attrs.fields(type(self)):
            value = getattr(self, a.name)
            if value is None or (a.name == "problems" and not value):
                continue
            shown = a.repr(value) if callable(a.repr) else repr(value)
            parts.append(f"{a.name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


def record(cls: type) -> type:
    """Class decorator for decoded records: frozen, keyword-only, :class:`Record`'s repr."""
    return attrs.frozen(kw_only=True, repr=False)(cls)


def name_of(table: Mapping[int, str], value: Optional[int], default: str = "reserved") -> Optional[str]:
    """The name of a code, or ``default`` for codes the table does not list."""
    if value is None:
        return None
    return table.get(value, default)


def ascii_text(raw: bytes) -> str:
    """T10 ASCII fields are space padded; NUL padding is common in practice too."""
    return raw.decode("latin-1").replace("\x00", " ").strip()


class Reader:
    """Big-endian field access that answers ``None`` past the end of the data.

    The first read past the end adds one problem naming ``what`` and the byte offset; later
    ones stay silent so a short response does not produce one complaint per field.
    """

    __slots__ = ("data", "what", "problems", "truncated")

    def __init__(self, data: bytes, what: str, problems: Optional[List[str]] = None) -> None:
        self.data = bytes(data)
        self.what = what
        self.problems: List[str] = [] if problems is None else problems
        self.truncated = False

    def __len__(self) -> int:
        return len(self.data)

    def has(self, offset: int, length: int = 1) -> bool:
        return 0 <= offset and offset + length <= len(self.data)

    def _short(self, offset: int, length: int) -> None:
        if not self.truncated:
            self.truncated = True
            self.problems.append(
                f"{self.what}: truncated, byte {offset + length - 1} needed but only "
                f"{len(self.data)} bytes present"
            )

    def uint(self, offset: int, length: int = 1) -> Optional[int]:
        if not self.has(offset, length):
            self._short(offset, length)
            return None
        return int.from_bytes(self.data[offset:offset + length], "big")

    def bits(self, offset: int, shift: int, width: int) -> Optional[int]:
        """``width`` bits of byte ``offset`` whose lowest bit is ``shift``."""
        byte = self.uint(offset)
        if byte is None:
            return None
        return (byte >> shift) & ((1 << width) - 1)

    def flag(self, offset: int, bit: int) -> Optional[bool]:
        value = self.bits(offset, bit, 1)
        return None if value is None else bool(value)

    def raw(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes; a short slice is a truncation."""
        if not self.has(offset, length):
            self._short(offset, length)
        return self.data[offset:offset + length]

    def text(self, offset: int, length: int) -> Optional[str]:
        if not self.has(offset, 1):
            self._short(offset, length)
            return None
        return ascii_text(self.raw(offset, length))

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.what}: {message}")

