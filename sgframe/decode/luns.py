"""REPORT LUNS parameter data (SPC-5 6.33) and the LUN structure (SAM-5 4.7).

A LUN is eight bytes of up to four two-byte levels.  The first two bits of a level choose
its address method; the extended method (11b) carries its own length and may span the whole
LUN.  ``linux_lun`` is the integer the Linux SCSI midlayer uses (scsilun_to_int in
drivers/scsi/scsi_common.c): the two-byte levels are swapped end for end, so LUN
``00 05 00 00 ...`` is 5 and a flat-space LUN ``40 05 ...`` keeps its method bits as 0x4005.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import attrs

from ._util import Reader, Record, raw_repr, record

__all__ = [
    "ADDRESS_METHODS",
    "WELL_KNOWN_LUNS",
    "LunLevel",
    "Lun",
    "ReportLunsData",
    "decode_lun",
    "scsilun_to_int",
    "decode_report_luns",
]

#: SAM-5 table 13.
ADDRESS_METHODS = {
    0: "peripheral device addressing",
    1: "flat space addressing",
    2: "logical unit addressing",
    3: "extended logical unit addressing",
}

#: SPC-5 table 667 (the byte after C1h).
WELL_KNOWN_LUNS = {
    0x01: "REPORT LUNS",
    0x02: "ACCESS CONTROLS",
    0x03: "TARGET LOG PAGES",
    0x04: "SECURITY PROTOCOL",
    0x05: "MANAGEMENT PROTOCOL",
    0x06: "TARGET COMMANDS",
}


@record
class LunLevel(Record):
    """One addressing level.  Fields that the level's method does not define are ``None``.

    For the extended method, ``length`` is the LENGTH code (0: 2 bytes, 1: 4, 2: 6, 3: 8)
    and ``extended_address_method`` the 4-bit method; ``lun`` is the extended flat space
    LUN or the well known LUN code.
    """

    address_method: int
    address_method_name: str
    raw: bytes = attrs.field(repr=raw_repr)
    bus_identifier: Optional[int] = None
    target: Optional[int] = None
    bus_number: Optional[int] = None
    lun: Optional[int] = None
    length: Optional[int] = None
    extended_address_method: Optional[int] = None
    extended_address_method_name: Optional[str] = None
    well_known_lun_name: Optional[str] = None


@record
class Lun(Record):
    """An eight-byte LUN, its levels, and the Linux integer form."""

    raw: bytes = attrs.field(repr=raw_repr)
    linux_lun: int
    levels: Tuple[LunLevel, ...] = ()
    problems: Tuple[str, ...] = ()

    @property
    def lun(self) -> Optional[int]:
        """The first level's LUN number: the usual single-level answer."""
        return self.levels[0].lun if self.levels else None


@record
class ReportLunsData(Record):
    lun_list_length: Optional[int] = None
    luns: Tuple[Lun, ...] = ()
    problems: Tuple[str, ...] = ()


def scsilun_to_int(raw: bytes) -> int:
    """The Linux integer LUN for eight LUN bytes (shorter input is zero padded)."""
    raw = bytes(raw[:8]).ljust(8, b"\x00")
    value = 0
    for i in range(0, 8, 2):
        value |= ((raw[i] << 8) | raw[i + 1]) << (i * 8)
    return value


def _extended_level(level: bytes, problems: List[str]) -> LunLevel:
    length_code = (level[0] >> 4) & 0x3
    method = level[0] & 0xF
    fields: dict = dict(length=length_code, extended_address_method=method)
    body = level[1:]
    if method == 0x1 and length_code == 0:
        code = body[0]
        fields.update(
            extended_address_method_name="well known logical unit",
            lun=code,
            well_known_lun_name=WELL_KNOWN_LUNS.get(code, "reserved"),
        )
    elif method == 0x2 and length_code in (1, 2):
        name = "extended flat space" if length_code == 1 else "long extended flat space"
        fields.update(extended_address_method_name=name, lun=int.from_bytes(body, "big"))
    elif method == 0xF and length_code == 3:
        fields["extended_address_method_name"] = "logical unit not specified"
    else:
        fields["extended_address_method_name"] = "reserved"
        problems.append(f"extended address method {method:#x} with length code {length_code} is reserved")
    return LunLevel(address_method=3, address_method_name=ADDRESS_METHODS[3], raw=level, **fields)


def decode_lun(raw: bytes) -> Lun:
    """Decode one eight-byte LUN into its levels.  Trailing all-zero levels are not listed."""
    raw = bytes(raw)
    problems: List[str] = []
    if len(raw) != 8:
        problems.append(f"LUN: {len(raw)} bytes, expected 8")
    data = raw[:8].ljust(8, b"\x00")
    levels = []
    offset = 0
    while offset < 8:
        first = data[offset]
        method = first >> 6
        if method == 3:
            size = 2 * (((first >> 4) & 0x3) + 1)
            if offset + size > 8:
                problems.append(f"extended LUN level at byte {offset} runs past the LUN")
                size = 8 - offset
            levels.append(_extended_level(data[offset:offset + size], problems))
            offset += size
        else:
            levels.append(_simple_level(data[offset:offset + 2]))
            offset += 2
        # SAM-5 4.7.3: a single level LUN leaves the later levels zero.
        if not any(data[offset:]):
            break
    return Lun(raw=raw, linux_lun=scsilun_to_int(data), levels=tuple(levels), problems=tuple(problems))


def _simple_level(level: bytes) -> LunLevel:
    first, second = level
    method = first >> 6
    f: dict = {}
    if method == 0:
        # SAM-5 4.7.6: with a zero BUS IDENTIFIER the byte is a LUN at this level, otherwise
        # it names a target reached through that bus and a later level holds the LUN.
        bus = first & 0x3F
        f["bus_identifier"] = bus
        f["target" if bus else "lun"] = second
    elif method == 1:
        f["lun"] = ((first & 0x3F) << 8) | second
    else:
        f.update(target=first & 0x3F, bus_number=second >> 5, lun=second & 0x1F)
    return LunLevel(address_method=method, address_method_name=ADDRESS_METHODS[method], raw=level, **f)


def decode_report_luns(data: bytes) -> ReportLunsData:
    """Decode REPORT LUNS parameter data.  Never raises on device data.

    :param data: the data-in buffer; a LUN LIST LENGTH larger than what arrived (allocation
        length too small) is listed in ``problems`` and the complete entries are decoded.
    """
    r = Reader(data, "REPORT LUNS")
    list_length = r.uint(0, 4)
    if list_length is None:
        return ReportLunsData(problems=tuple(r.problems))
    body = r.data[8:8 + list_length]
    if len(r) < 8:
        r.problem(f"header is {len(r)} bytes, expected 8")
    elif len(body) < list_length:
        r.problem(f"LUN list length is {list_length} bytes, {len(body)} received")
    if list_length % 8:
        r.problem(f"LUN list length {list_length} is not a multiple of 8")
    luns = []
    for offset in range(0, len(body) - len(body) % 8, 8):
        lun = decode_lun(body[offset:offset + 8])
        r.problems.extend(f"LUN {offset // 8}: {p}" for p in lun.problems)
        luns.append(lun)
    return ReportLunsData(lun_list_length=list_length, luns=tuple(luns), problems=tuple(r.problems))
