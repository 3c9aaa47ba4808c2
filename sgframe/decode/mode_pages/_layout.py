"""The mode page codec: records that decode from and encode to page bytes.

Each known page is declared by a ``LAYOUT`` of ``(field, byte, bit, width[, default])`` rows
in T10 table order: ``byte`` is the offset in the page (byte 0 holds PS/SPF/page code),
``bit`` the lowest bit for fields narrower than a byte, ``width`` in bits (byte-aligned when
8 or more), ``default`` the value a page built by hand gets (zero unless given).  Fields
one bit wide are booleans.  Reserved and obsolete bits are not fields: they decode as
nothing and encode as zero.

``page_length`` is ``None`` for a page of the standard length; a device that returns a
shorter (older) page gets its length recorded so that MODE SELECT sends back exactly what
the device described, and bytes past the standard layout are kept in ``extra``.

A page made of a fixed part and a list of descriptors (SAS phys, application tags, IO
advice hints groups) names its ``DESCRIPTOR`` class, declared by the same kind of LAYOUT
(offsets within the descriptor) and a ``SIZE``; the descriptors start at ``DESCRIPTORS_AT``
and, when the page counts them in a field (``COUNT_FIELD``), that field is written from
the list on encode.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import attrs

from ...errors import UsageError
from .._util import Record, raw_repr

__all__ = ["ModePage", "UnknownModePage", "Descriptor", "layout_page", "layout_descriptor", "check_range"]

Layout = Tuple[Tuple[Any, ...], ...]


def _page(cls: type) -> type:
    return attrs.frozen(kw_only=True, repr=False)(cls)


def _problems_field():
    # Problems describe one decoding, not the page: they stay out of equality so that a
    # page read from a device compares equal to the same page built by hand.
    return attrs.field(default=(), eq=False)


def check_range(name: str, value: int, width: int) -> None:
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < (1 << width):
        raise UsageError(f"{name}={value!r} is out of range: allowed 0..{(1 << width) - 1}")


def _unpack(layout: Layout, raw: bytes, available: int) -> Dict[str, Any]:
    fields: Dict[str, Any] = {}
    for row in layout:
        fname, byte, bit, width = row[:4]
        end = byte + max(width // 8, 1)
        if end > available:
            continue
        if width >= 8:
            value = int.from_bytes(raw[byte:end], "big")
        else:
            value = (raw[byte] >> bit) & ((1 << width) - 1)
        fields[fname] = bool(value) if width == 1 else value
    return fields


def _pack(obj: Any, layout: Layout, body: bytearray, where: str = "") -> None:
    for row in layout:
        name, byte, bit, width = row[:4]
        value = getattr(obj, name)
        check_range(where + name, value, width)
        value = int(value)
        if width >= 8:
            body[byte:byte + width // 8] = value.to_bytes(width // 8, "big")
        else:
            body[byte] |= value << bit


def _mask(layout: Layout, size: int, header: int) -> bytearray:
    mask = bytearray(size)
    mask[:header] = b"\xff" * min(header, size)
    for row in layout:
        _name, byte, bit, width = row[:4]
        if width >= 8:
            for i in range(byte, min(byte + width // 8, size)):
                mask[i] = 0xFF
        elif byte < size:
            mask[byte] |= ((1 << width) - 1) << bit
    return mask


def _fields_of(cls: type) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    annotations: Dict[str, Any] = {}
    members: Dict[str, Any] = {}
    for row in cls.LAYOUT:
        name, width = row[0], row[3]
        default = row[4] if len(row) > 4 else 0
        annotations[name] = bool if width == 1 else int
        members[name] = attrs.field(default=bool(default) if width == 1 else default)
    return annotations, members


def _nonzero_repr(self) -> str:
    # Show only what differs from zero: a mode page is mostly zero bits.
    parts = [f"{a.name}={getattr(self, a.name)!r}" for a in attrs.fields(type(self))
             if getattr(self, a.name) not in (0, False, None, b"", ())]
    return f"{type(self).__name__}({', '.join(parts)})"


class Descriptor(Record):
    """Base of the descriptors inside a mode page (declared by :func:`layout_descriptor`)."""

    __slots__ = ()
    LAYOUT: Layout
    SIZE: int

    def encode(self) -> bytes:
        body = bytearray(self.SIZE)
        _pack(self, self.LAYOUT, body, f"{type(self).__name__}.")
        return bytes(body)

    @classmethod
    def decode(cls, raw: bytes):
        return cls(**_unpack(cls.LAYOUT, bytes(raw), len(raw)))

    __repr__ = _nonzero_repr


def layout_descriptor(cls: type) -> type:
    """Declare a descriptor: its LAYOUT rows become fields (default zero)."""
    annotations, members = _fields_of(cls)
    namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    namespace.update(members)
    namespace["__annotations__"] = annotations
    new = type(cls.__name__, (Descriptor,), namespace)
    return attrs.frozen(kw_only=True, repr=False)(new)


class ModePage(Record):
    """Base of mode page records.  ``encode()`` returns the page bytes, header included."""

    __slots__ = ()

    def encode(self) -> bytes:  # pragma: no cover - overridden
        raise NotImplementedError


@_page
class UnknownModePage(ModePage):
    """A page without a registered decoder: its bytes after the page header, as sent."""

    page_code: int
    subpage_code: int = 0
    spf: bool = False
    ps: bool = False
    page_data: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = _problems_field()

    def encode(self) -> bytes:
        check_range("page_code", self.page_code, 6)
        check_range("subpage_code", self.subpage_code, 8)
        first = (self.ps << 7) | (self.spf << 6) | self.page_code
        if self.spf:
            check_range("page_data length", len(self.page_data), 16)
            return bytes([first, self.subpage_code]) + len(self.page_data).to_bytes(2, "big") + self.page_data
        if self.subpage_code:
            raise UsageError(f"subpage_code {self.subpage_code} needs spf=True (page_0 format has no subpage)")
        check_range("page_data length", len(self.page_data), 8)
        return bytes([first, len(self.page_data)]) + self.page_data

    @classmethod
    def decode(cls, raw: bytes) -> "UnknownModePage":
        raw = bytes(raw)
        problems: List[str] = []
        spf = bool(raw[0] & 0x40) if raw else False
        header = 4 if spf else 2
        if len(raw) < header:
            problems.append(f"mode page header: {len(raw)} of {header} bytes")
        return cls(
            page_code=raw[0] & 0x3F if raw else 0,
            subpage_code=raw[1] if spf and len(raw) > 1 else 0,
            spf=spf,
            ps=bool(raw[0] & 0x80) if raw else False,
            page_data=raw[header:],
            problems=tuple(problems),
        )


class _LayoutPage(ModePage):
    """Shared codec for pages declared by a LAYOUT; see the module docstring."""

    __slots__ = ()
    PAGE_CODE: int
    SUBPAGE_CODE: int = 0
    SPF: bool = False
    PAGE_LENGTH: int
    # The shortest length an earlier revision of the standard defined (SAS-1.1's port page
    # is 6 bytes, SPL-4's 14): a device sending it is not wrong, its page is just older.
    MIN_PAGE_LENGTH: Optional[int] = None
    LAYOUT: Layout
    DESCRIPTOR: Optional[type] = None
    DESCRIPTORS_AT: int = 0
    COUNT_FIELD: Optional[str] = None

    @classmethod
    def _header_size(cls) -> int:
        return 4 if cls.SPF else 2

    def encode(self) -> bytes:
        header = self._header_size()
        body = bytearray(header + self.PAGE_LENGTH)
        if self.DESCRIPTOR is not None and self.COUNT_FIELD is not None:
            # The count field says how many descriptors follow: it is the list's length.
            check_range(self.COUNT_FIELD, len(self.descriptors), 8)
            _pack(attrs.evolve(self, **{self.COUNT_FIELD: len(self.descriptors)}), self.LAYOUT, body)
        else:
            _pack(self, self.LAYOUT, body)
        fixed = self.PAGE_LENGTH
        if self.DESCRIPTOR is not None:
            for i, d in enumerate(self.descriptors):
                if not isinstance(d, self.DESCRIPTOR):
                    raise UsageError(f"{type(self).__name__}.descriptors[{i}] is {type(d).__name__}; "
                                     f"only {self.DESCRIPTOR.__name__} is allowed")
                body += d.encode()
            fixed = len(body) - header
        body += self.extra
        length = fixed + len(self.extra) if self.page_length is None else self.page_length
        if length < fixed:
            if self.extra or (self.DESCRIPTOR is not None and self.descriptors):
                raise UsageError(f"{type(self).__name__}: extra bytes and descriptors need the full page_length")
            if any(body[header + length:]):
                raise UsageError(
                    f"{type(self).__name__}: page_length={length} would drop non-zero fields; "
                    f"allowed: None or {self.PAGE_LENGTH}..")
            body = body[:header + length]
        elif length > fixed + len(self.extra):
            raise UsageError(
                f"{type(self).__name__}: page_length={length} is longer than the fields and extra "
                f"({fixed + len(self.extra)}); put the additional bytes in extra")
        body[0] = (self.ps << 7) | (self.SPF << 6) | self.PAGE_CODE
        if self.SPF:
            check_range("page_length", length, 16)
            body[1] = self.SUBPAGE_CODE
            body[2:4] = length.to_bytes(2, "big")
        else:
            check_range("page_length", length, 8)
            body[1] = length
        return bytes(body)

    @classmethod
    def decode(cls, raw: bytes):
        raw = bytes(raw)
        name = cls.__name__
        header = cls._header_size()
        problems: List[str] = []
        if len(raw) < header:
            problems.append(f"{name}: page header truncated ({len(raw)} of {header} bytes)")
            length = 0
        elif cls.SPF:
            length = int.from_bytes(raw[2:4], "big")
        else:
            length = raw[1]
        if header + length > len(raw):
            problems.append(f"{name}: page length {length}, only {max(len(raw) - header, 0)} bytes present")
        available = min(len(raw), header + length)
        if length < (cls.PAGE_LENGTH if cls.MIN_PAGE_LENGTH is None else cls.MIN_PAGE_LENGTH):
            problems.append(f"{name}: page length {length} is shorter than the standard {cls.PAGE_LENGTH}")
        fields = _unpack(cls.LAYOUT, raw, available)
        standard_end = header + cls.PAGE_LENGTH
        stray = cls._stray_bits(raw[:min(available, standard_end)], header)
        if stray:
            problems.append(f"{name}: reserved or obsolete bits set in byte(s) {stray}; encode() sends them as zero")
        if cls.DESCRIPTOR is not None:
            fields["descriptors"], standard_end = cls._descriptors(raw, available, fields, problems)
        return cls(
            ps=bool(raw[0] & 0x80) if raw else False,
            extra=raw[standard_end:available],
            page_length=None if length >= standard_end - header else length,
            problems=tuple(problems),
            **fields,
        )

    @classmethod
    def _descriptors(cls, raw: bytes, available: int, fields: Dict[str, Any],
                     problems: List[str]) -> Tuple[tuple, int]:
        size = cls.DESCRIPTOR.SIZE
        room = max(available - cls.DESCRIPTORS_AT, 0) // size
        count = room
        if cls.COUNT_FIELD is not None and cls.COUNT_FIELD in fields:
            count = fields[cls.COUNT_FIELD]
            if count > room:
                problems.append(f"{cls.__name__}: {cls.COUNT_FIELD} is {count}, room for {room} descriptors")
                count = room
        out = tuple(cls.DESCRIPTOR.decode(raw[cls.DESCRIPTORS_AT + i * size:cls.DESCRIPTORS_AT + (i + 1) * size])
                    for i in range(count))
        return out, cls.DESCRIPTORS_AT + count * size

    @classmethod
    def _stray_bits(cls, raw: bytes, header: int) -> str:
        mask = _mask(cls.LAYOUT, len(raw), header)
        return ", ".join(str(i) for i, (b, m) in enumerate(zip(raw, mask)) if b & ~m & 0xFF)

    __repr__ = _nonzero_repr


def layout_page(cls: type) -> type:
    """Declare a LAYOUT page: add its fields (all default zero) and the common tail."""
    annotations: Dict[str, Any] = {"page_code": int, "subpage_code": int, "ps": bool}
    members: Dict[str, object] = {
        "page_code": attrs.field(init=False, default=cls.PAGE_CODE),
        "subpage_code": attrs.field(init=False, default=getattr(cls, "SUBPAGE_CODE", 0)),
        "ps": attrs.field(default=False),
    }
    more_annotations, more_members = _fields_of(cls)
    annotations.update(more_annotations)
    members.update(more_members)
    if getattr(cls, "DESCRIPTOR", None) is not None:
        annotations["descriptors"] = Tuple[cls.DESCRIPTOR, ...]
        members["descriptors"] = attrs.field(default=(), converter=tuple)
    annotations.update(extra=bytes, page_length=Optional[int], problems=Tuple[str, ...])
    members.update(
        extra=attrs.field(default=b"", repr=raw_repr),
        page_length=attrs.field(default=None),
        problems=_problems_field(),
    )
    namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    namespace.update(members)
    namespace["__annotations__"] = annotations
    # Mixins the declaration names (a decode guard, say) stay in front of the codec.
    bases = tuple(b for b in cls.__bases__ if b is not object) + (_LayoutPage,)
    new = type(cls.__name__, bases, namespace)
    return attrs.frozen(kw_only=True, repr=False)(new)
