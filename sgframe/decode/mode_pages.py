"""Mode pages (SPC-5 7.5, SBC-4 6.5): records that decode from and encode to page bytes.

Each known page is declared by a ``LAYOUT`` of ``(field, byte, bit, width)`` rows in T10
table order: ``byte`` is the offset in the page (byte 0 holds PS/SPF/page code), ``bit`` the
lowest bit for fields narrower than a byte, ``width`` in bits (byte-aligned when 8 or more).
Fields one bit wide are booleans.  Reserved and obsolete bits are not fields: they decode
as nothing and encode as zero.

``page_length`` is ``None`` for a page of the standard length; a device that returns a
shorter (older) page gets its length recorded so that MODE SELECT sends back exactly what
the device described, and bytes past the standard layout are kept in ``extra``.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import attrs

from ..errors import UsageError
from ._util import Record, raw_repr

__all__ = [
    "ModePage",
    "UnknownModePage",
    "ReadWriteErrorRecoveryPage",
    "DisconnectReconnectPage",
    "CachingPage",
    "ControlPage",
    "ControlExtensionPage",
    "InformationalExceptionsControlPage",
    "MODE_PAGE_DECODERS",
    "decode_mode_page",
]

Layout = Tuple[Tuple[str, int, int, int], ...]


def _page(cls: type) -> type:
    return attrs.frozen(kw_only=True, repr=False)(cls)


def _problems_field():
    # Problems describe one decoding, not the page: they stay out of equality so that a
    # page read from a device compares equal to the same page built by hand.
    return attrs.field(default=(), eq=False)


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
        _check_range("page_code", self.page_code, 6)
        _check_range("subpage_code", self.subpage_code, 8)
        first = (self.ps << 7) | (self.spf << 6) | self.page_code
        if self.spf:
            _check_range("page_data length", len(self.page_data), 16)
            return bytes([first, self.subpage_code]) + len(self.page_data).to_bytes(2, "big") + self.page_data
        if self.subpage_code:
            raise UsageError(f"subpage_code {self.subpage_code} needs spf=True (page_0 format has no subpage)")
        _check_range("page_data length", len(self.page_data), 8)
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


def _check_range(name: str, value: int, width: int) -> None:
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int) or not 0 <= value < (1 << width):
        raise UsageError(f"{name}={value!r} is out of range: allowed 0..{(1 << width) - 1}")


class _LayoutPage(ModePage):
    """Shared codec for pages declared by a LAYOUT; see the module docstring."""

    __slots__ = ()
    PAGE_CODE: int
    SUBPAGE_CODE: int = 0
    SPF: bool = False
    PAGE_LENGTH: int
    LAYOUT: Layout

    @classmethod
    def _header_size(cls) -> int:
        return 4 if cls.SPF else 2

    def encode(self) -> bytes:
        header = self._header_size()
        size = header + self.PAGE_LENGTH
        body = bytearray(size)
        for name, byte, bit, width in self.LAYOUT:
            value = getattr(self, name)
            _check_range(name, value, width)
            value = int(value)
            if width >= 8:
                body[byte:byte + width // 8] = value.to_bytes(width // 8, "big")
            else:
                body[byte] |= value << bit
        body += self.extra
        length = self.PAGE_LENGTH + len(self.extra) if self.page_length is None else self.page_length
        if length < self.PAGE_LENGTH:
            if self.extra:
                raise UsageError(f"{type(self).__name__}: extra bytes need the full page_length")
            if any(body[header + length:]):
                raise UsageError(
                    f"{type(self).__name__}: page_length={length} would drop non-zero fields; "
                    f"allowed: None or {self.PAGE_LENGTH}..")
            body = body[:header + length]
        elif length > self.PAGE_LENGTH + len(self.extra):
            raise UsageError(
                f"{type(self).__name__}: page_length={length} is longer than the fields and extra "
                f"({self.PAGE_LENGTH + len(self.extra)}); put the additional bytes in extra")
        body[0] = (self.ps << 7) | (self.SPF << 6) | self.PAGE_CODE
        if self.SPF:
            body[1] = self.SUBPAGE_CODE
            body[2:4] = length.to_bytes(2, "big")
        else:
            _check_range("page_length", length, 8)
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
        if length < cls.PAGE_LENGTH:
            problems.append(f"{name}: page length {length} is shorter than the standard {cls.PAGE_LENGTH}")
        fields: dict = {}
        for fname, byte, bit, width in cls.LAYOUT:
            end = byte + max(width // 8, 1)
            if end > available:
                continue
            if width >= 8:
                value = int.from_bytes(raw[byte:end], "big")
            else:
                value = (raw[byte] >> bit) & ((1 << width) - 1)
            fields[fname] = bool(value) if width == 1 else value
        standard_end = header + cls.PAGE_LENGTH
        stray = cls._stray_bits(raw[:min(available, standard_end)], header)
        if stray:
            problems.append(f"{name}: reserved or obsolete bits set in byte(s) {stray}; encode() sends them as zero")
        return cls(
            ps=bool(raw[0] & 0x80) if raw else False,
            extra=raw[standard_end:available],
            page_length=None if length >= cls.PAGE_LENGTH else length,
            problems=tuple(problems),
            **fields,
        )

    @classmethod
    def _stray_bits(cls, raw: bytes, header: int) -> str:
        mask = bytearray(len(raw))
        mask[:header] = b"\xff" * min(header, len(raw))
        for _name, byte, bit, width in cls.LAYOUT:
            if width >= 8:
                for i in range(byte, min(byte + width // 8, len(raw))):
                    mask[i] = 0xFF
            elif byte < len(raw):
                mask[byte] |= ((1 << width) - 1) << bit
        return ", ".join(str(i) for i, (b, m) in enumerate(zip(raw, mask)) if b & ~m & 0xFF)

    def __repr__(self) -> str:
        # Show only what differs from zero: a mode page is mostly zero bits.
        parts = [f"{a.name}={getattr(self, a.name)!r}" for a in attrs.fields(type(self))
                 if getattr(self, a.name) not in (0, False, None, b"", ())]
        return f"{type(self).__name__}({', '.join(parts)})"


def _layout_page(cls: type) -> type:
    """Declare a LAYOUT page: add its fields (all default zero) and the common tail."""
    annotations = {"page_code": int, "subpage_code": int, "ps": bool}
    members: Dict[str, object] = {
        "page_code": attrs.field(init=False, default=cls.PAGE_CODE),
        "subpage_code": attrs.field(init=False, default=getattr(cls, "SUBPAGE_CODE", 0)),
        "ps": attrs.field(default=False),
    }
    for name, _byte, _bit, width in cls.LAYOUT:
        annotations[name] = bool if width == 1 else int
        members[name] = attrs.field(default=False if width == 1 else 0)
    annotations.update(extra=bytes, page_length=Optional[int], problems=Tuple[str, ...])
    members.update(
        extra=attrs.field(default=b"", repr=raw_repr),
        page_length=attrs.field(default=None),
        problems=_problems_field(),
    )
    namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    namespace.update(members)
    namespace["__annotations__"] = annotations
    new = type(cls.__name__, (_LayoutPage,), namespace)
    return attrs.frozen(kw_only=True, repr=False)(new)


@_layout_page
class ReadWriteErrorRecoveryPage:
    """Read-Write Error Recovery mode page, 01h (SBC-4 6.5.10)."""

    PAGE_CODE = 0x01
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("awre", 2, 7, 1), ("arre", 2, 6, 1), ("tb", 2, 5, 1), ("rc", 2, 4, 1),
        ("eer", 2, 3, 1), ("per", 2, 2, 1), ("dte", 2, 1, 1), ("dcr", 2, 0, 1),
        ("read_retry_count", 3, 0, 8),
        # Obsolete since SBC-2 but still filled in by devices (scsi_debug sends F0h in
        # byte 4); kept so that MODE SENSE data goes back unchanged in MODE SELECT.
        ("correction_span", 4, 0, 8), ("head_offset_count", 5, 0, 8),
        ("data_strobe_offset_count", 6, 0, 8),
        ("lbpere", 7, 7, 1), ("mwr", 7, 5, 2),
        ("write_retry_count", 8, 0, 8),
        ("recovery_time_limit", 10, 0, 16),
    )


@_layout_page
class DisconnectReconnectPage:
    """Disconnect-Reconnect mode page, 02h (SPC-5 7.5.9)."""

    PAGE_CODE = 0x02
    PAGE_LENGTH = 0x0E
    LAYOUT = (
        ("buffer_full_ratio", 2, 0, 8),
        ("buffer_empty_ratio", 3, 0, 8),
        ("bus_inactivity_limit", 4, 0, 16),
        ("disconnect_time_limit", 6, 0, 16),
        ("connect_time_limit", 8, 0, 16),
        ("maximum_burst_size", 10, 0, 16),
        ("emdp", 12, 7, 1), ("fair_arbitration", 12, 4, 3), ("dimm", 12, 3, 1), ("dtdc", 12, 0, 3),
        ("first_burst_size", 14, 0, 16),
    )


@_layout_page
class CachingPage:
    """Caching mode page, 08h (SBC-4 6.5.5).  ``vendor_specific`` is byte 12 bits 4-3."""

    PAGE_CODE = 0x08
    PAGE_LENGTH = 0x12
    LAYOUT = (
        ("ic", 2, 7, 1), ("abpf", 2, 6, 1), ("cap", 2, 5, 1), ("disc", 2, 4, 1),
        ("size", 2, 3, 1), ("wce", 2, 2, 1), ("mf", 2, 1, 1), ("rcd", 2, 0, 1),
        ("demand_read_retention_priority", 3, 4, 4), ("write_retention_priority", 3, 0, 4),
        ("disable_pre_fetch_transfer_length", 4, 0, 16),
        ("minimum_pre_fetch", 6, 0, 16),
        ("maximum_pre_fetch", 8, 0, 16),
        ("maximum_pre_fetch_ceiling", 10, 0, 16),
        ("fsw", 12, 7, 1), ("lbcss", 12, 6, 1), ("dra", 12, 5, 1), ("vendor_specific", 12, 3, 2),
        ("sync_prog", 12, 1, 2), ("nv_dis", 12, 0, 1),
        ("number_of_cache_segments", 13, 0, 8),
        ("cache_segment_size", 14, 0, 16),
    )


@_layout_page
class ControlPage:
    """Control mode page, 0Ah (SPC-5 7.5.10)."""

    PAGE_CODE = 0x0A
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("tst", 2, 5, 3), ("tmf_only", 2, 4, 1), ("dpicz", 2, 3, 1), ("d_sense", 2, 2, 1),
        ("gltsd", 2, 1, 1), ("rlec", 2, 0, 1),
        ("queue_algorithm_modifier", 3, 4, 4), ("nuar", 3, 3, 1), ("qerr", 3, 1, 2),
        ("rac", 4, 6, 1), ("ua_intlck_ctrl", 4, 4, 2), ("swp", 4, 3, 1),
        ("ato", 5, 7, 1), ("tas", 5, 6, 1), ("atmpe", 5, 5, 1), ("rwwp", 5, 4, 1), ("sblp", 5, 3, 1),
        ("autoload_mode", 5, 0, 3),
        ("busy_timeout_period", 8, 0, 16),
        ("extended_self_test_completion_time", 10, 0, 16),
    )


@_layout_page
class ControlExtensionPage:
    """Control Extension mode page, 0Ah/01h (SPC-5 7.5.11)."""

    PAGE_CODE = 0x0A
    SUBPAGE_CODE = 0x01
    SPF = True
    PAGE_LENGTH = 0x1C
    LAYOUT = (
        ("dlc", 4, 3, 1), ("tcmos", 4, 2, 1), ("scsip", 4, 1, 1), ("ialuae", 4, 0, 1),
        ("initial_command_priority", 5, 0, 4),
        ("maximum_sense_data_length", 6, 0, 8),
    )


@_layout_page
class InformationalExceptionsControlPage:
    """Informational Exceptions Control mode page, 1Ch (SPC-5 7.5.15)."""

    PAGE_CODE = 0x1C
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("perf", 2, 7, 1), ("ebf", 2, 5, 1), ("ewasc", 2, 4, 1), ("dexcpt", 2, 3, 1),
        ("test", 2, 2, 1), ("ebackerr", 2, 1, 1), ("logerr", 2, 0, 1),
        ("mrie", 3, 0, 4),
        ("interval_timer", 4, 0, 32),
        ("report_count", 8, 0, 32),
    )


#: (page code, subpage code) -> ``decoder(page_bytes) -> ModePage``; the page bytes start
#: at the PS/SPF/page code byte.  Plugins add vendor pages here.
MODE_PAGE_DECODERS: Dict[Tuple[int, int], Callable[[bytes], ModePage]] = {
    (cls.PAGE_CODE, cls.SUBPAGE_CODE): cls.decode
    for cls in (
        ReadWriteErrorRecoveryPage,
        DisconnectReconnectPage,
        CachingPage,
        ControlPage,
        ControlExtensionPage,
        InformationalExceptionsControlPage,
    )
}


def decode_mode_page(raw: bytes) -> ModePage:
    """Decode one page (header included) through :data:`MODE_PAGE_DECODERS`."""
    raw = bytes(raw)
    if not raw:
        return UnknownModePage.decode(raw)
    spf = bool(raw[0] & 0x40)
    key = (raw[0] & 0x3F, raw[1] if spf and len(raw) > 1 else 0)
    decoder = MODE_PAGE_DECODERS.get(key)
    # A page_0 page whose code has a sub_page decoder only (or the reverse) is not that page.
    if decoder is None or spf != getattr(getattr(decoder, "__self__", None), "SPF", spf):
        return UnknownModePage.decode(raw)
    try:
        return decoder(raw)
    except Exception as exc:  # noqa: BLE001 - device data must not raise
        page = UnknownModePage.decode(raw)
        return attrs.evolve(page, problems=page.problems + (f"internal error in mode page decoder: {exc!r}",))
