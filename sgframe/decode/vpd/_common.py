"""What every VPD page decoder shares: the page names, the header record and its reader.

A page decoder takes the whole page, header included, reads it through :func:`start` (which
limits the reader to the length the page announces and notes a short page once) and builds
its record with :func:`finish`, which keeps the page's bytes in ``raw``.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple, TypeVar

import attrs

from .._util import Reader, Record, record, name_of, raw_repr
from ..inquiry import PERIPHERAL_DEVICE_TYPES

__all__ = [
    "VPD_PAGE_NAMES",
    "VPD_PAGE_ACRONYMS",
    "VpdPage",
    "UnknownVpdPage",
    "start",
    "finish",
    "uint_fields",
    "flags",
    "descriptors",
    "fixed_size",
    "decode_unknown_vpd",
    "BLOCK_DEVICE_TYPES",
]

#: Peripheral device types whose B0h-BFh pages are SBC's (direct access, write-once,
#: optical memory, simplified direct access, host managed zoned); a tape drive's B0h-B5h
#: are SSC pages of the same codes.
BLOCK_DEVICE_TYPES = frozenset((0x00, 0x04, 0x07, 0x0E, 0x14))

VPD_PAGE_NAMES = {
    0x00: "Supported VPD pages",
    0x80: "Unit serial number",
    0x81: "Implemented operating definitions (obsolete)",
    0x82: "ASCII implemented operating definition (obsolete)",
    0x83: "Device identification",
    0x84: "Software interface identification",
    0x85: "Management network addresses",
    0x86: "Extended INQUIRY data",
    0x87: "Mode page policy",
    0x88: "SCSI ports",
    0x89: "ATA information",
    0x8A: "Power condition",
    0x8B: "Device constituents",
    0x8C: "CFA profile information",
    0x8D: "Power consumption",
    0x8F: "Third-party copy",
    0x90: "Protocol specific logical unit information",
    0x91: "Protocol specific port information",
    0x92: "SCSI feature sets",
    0xB0: "Block limits",
    0xB1: "Block device characteristics",
    0xB2: "Logical block provisioning",
    0xB3: "Referrals",
    0xB4: "Supported block lengths and protection types",
    0xB5: "Block device characteristics extension",
    0xB6: "Zoned block device characteristics",
    0xB7: "Block limits extension",
    0xB8: "Format presets",
    0xB9: "Concurrent positioning ranges",
}

#: The short names sg_vpd accepts for these pages (``sg_vpd --enumerate``), so a command
#: line that takes ``-p di`` reads the same as sg_vpd's.
VPD_PAGE_ACRONYMS = {
    "sv": 0x00, "sn": 0x80, "di": 0x83, "sii": 0x84, "mna": 0x85, "ei": 0x86, "mpp": 0x87,
    "sp": 0x88, "ai": 0x89, "pc": 0x8A, "dc": 0x8B, "cfa": 0x8C, "psm": 0x8D, "tpc": 0x8F,
    "pslu": 0x90, "pspo": 0x91, "sfs": 0x92, "bl": 0xB0, "bdc": 0xB1, "lbpv": 0xB2,
    "ref": 0xB3, "sbl": 0xB4, "bdce": 0xB5, "zbdch": 0xB6, "ble": 0xB7, "fp": 0xB8,
    "cpr": 0xB9,
}


@record
class VpdPage(Record):
    """The four header bytes every VPD page starts with; base of every VPD record.

    ``raw`` is the page as received, header included.
    """

    peripheral_qualifier: Optional[int] = None
    peripheral_device_type: Optional[int] = None
    peripheral_device_type_name: Optional[str] = None
    page_code: Optional[int] = None
    page_length: Optional[int] = None
    problems: Tuple[str, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class UnknownVpdPage(VpdPage):
    """A page no decoder is registered for; ``payload`` is everything after the header."""

    payload: bytes = attrs.field(default=b"", repr=raw_repr)


def start(data: bytes, name: str) -> Tuple[Reader, dict]:
    """Header fields, and a reader limited to the length the page announces."""
    data = bytes(data)
    problems: List[str] = []
    head = Reader(data, name, problems)
    pdt = head.bits(0, 0, 5)
    page_length = head.uint(2, 2)
    end = len(data)
    if page_length is not None:
        if page_length + 4 < end:
            end = page_length + 4
        elif page_length + 4 > end:
            head.problem(f"page length announces {page_length + 4} bytes, {len(data)} received")
    r = Reader(data[:end], name, problems)
    r.truncated = head.truncated
    fields = dict(
        peripheral_qualifier=head.bits(0, 5, 3),
        peripheral_device_type=pdt,
        peripheral_device_type_name=name_of(PERIPHERAL_DEVICE_TYPES, pdt),
        page_code=head.uint(1),
        page_length=page_length,
    )
    return r, fields


R = TypeVar("R", bound=VpdPage)


def finish(cls: Callable[..., R], r: Reader, fields: dict, **more) -> R:
    return cls(problems=tuple(r.problems), raw=r.data, **fields, **more)


def uint_fields(r: Reader, layout: Tuple[Tuple[str, int, int], ...]) -> dict:
    """Optional big-endian fields present only when the page is long enough."""
    return {name: r.uint(off, n) for name, off, n in layout if r.has(off, n)}


def flags(r: Reader, offset: int, names: Tuple[Tuple[str, int], ...]) -> dict:
    if not r.has(offset):
        return {}
    return {name: r.flag(offset, bit) for name, bit in names}


def descriptors(r: Reader, first: int, what: str,
                size: Callable[[Reader, int], Optional[int]]) -> List[Tuple[int, int]]:
    """``(offset, length)`` of each descriptor from ``first`` to the end of the page.

    ``size(r, offset)`` answers a descriptor's whole length from its own header, or ``None``
    when the header itself is cut off.  A descriptor that runs past the end is a problem and
    ends the list: what follows it cannot be found.
    """
    out = []
    offset = first
    while offset < len(r):
        length = size(r, offset)
        if length is None or offset + length > len(r):
            r.problem(f"{what} at byte {offset} runs past the end of the page "
                      f"({len(r) - offset} bytes left)")
            break
        out.append((offset, length))
        offset += max(length, 1)
    return out


def fixed_size(size: int) -> Callable[[Reader, int], int]:
    """The ``size`` argument of :func:`descriptors` for descriptors of one length."""
    return lambda r, offset: size


def decode_unknown_vpd(data: bytes) -> UnknownVpdPage:
    r, f = start(data, "VPD page")
    return finish(UnknownVpdPage, r, f, payload=r.data[4:])
