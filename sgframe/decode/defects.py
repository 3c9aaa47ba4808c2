"""READ DEFECT DATA(10) and (12) parameter data (SBC-4 5.11, 5.12) and the address
descriptor formats of SBC-4 6.2 that the lists (and FORMAT UNIT's) are made of."""
from __future__ import annotations

from typing import List, Optional, Tuple

import attrs

from ._util import Reader, Record, name_of, raw_repr, record

__all__ = [
    "ADDRESS_DESCRIPTOR_FORMAT_NAMES",
    "AddressDescriptor",
    "DefectData",
    "decode_address_descriptors",
    "decode_defect_data",
]

#: SBC-4 table 6 (address descriptor formats).
ADDRESS_DESCRIPTOR_FORMAT_NAMES = {
    0b000: "short block format",
    0b001: "extended bytes from index format",
    0b010: "extended physical sector format",
    0b011: "long block format",
    0b100: "bytes from index format",
    0b101: "physical sector format",
    0b110: "vendor specific",
}

#: Descriptor length per format; vendor specific (110b) and reserved (111b) lists are
#: kept whole, their descriptor length being unknown.
_LENGTH = {0b000: 4, 0b001: 8, 0b010: 8, 0b011: 8, 0b100: 8, 0b101: 8}


@record
class AddressDescriptor(Record):
    """One defect. Which fields are set depends on the format: a block address
    (``short_block_address`` / ``long_block_address``), or a cylinder, head and either
    ``bytes_from_index`` or ``sector_number``. ``entire_track`` is the all-ones value
    that names the whole track; ``mads`` (extended formats) starts a range that the next
    descriptor ends."""

    address_descriptor_format: int
    short_block_address: Optional[int] = None
    long_block_address: Optional[int] = None
    cylinder_number: Optional[int] = None
    head_number: Optional[int] = None
    bytes_from_index: Optional[int] = None
    sector_number: Optional[int] = None
    mads: Optional[bool] = None
    entire_track: Optional[bool] = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)


def _descriptor(fmt: int, d: bytes) -> AddressDescriptor:
    if fmt == 0b000:
        return AddressDescriptor(address_descriptor_format=fmt, short_block_address=int.from_bytes(d, "big"), raw=d)
    if fmt == 0b011:
        return AddressDescriptor(address_descriptor_format=fmt, long_block_address=int.from_bytes(d, "big"), raw=d)
    chs = {"cylinder_number": int.from_bytes(d[0:3], "big"), "head_number": d[3]}
    name = "bytes_from_index" if fmt in (0b001, 0b100) else "sector_number"
    if fmt in (0b001, 0b010):
        # Extended formats: MADS in bit 7 of byte 4, a 28-bit value after it.
        value = int.from_bytes(d[4:8], "big") & 0x0FFFFFFF
        return AddressDescriptor(address_descriptor_format=fmt, mads=bool(d[4] & 0x80), entire_track=value == 0x0FFFFFFF,
                                 raw=d, **chs, **{name: value})
    value = int.from_bytes(d[4:8], "big")
    return AddressDescriptor(address_descriptor_format=fmt, entire_track=value == 0xFFFFFFFF, raw=d, **chs,
                             **{name: value})


def decode_address_descriptors(fmt: int, data: bytes, r: Optional[Reader] = None) -> Tuple[AddressDescriptor, ...]:
    """Split a defect list of format ``fmt`` into its address descriptors.

    A vendor-specific or reserved format comes back as one descriptor holding the bytes.
    A trailing partial descriptor is reported through ``r`` (when given) and dropped.
    """
    if fmt not in _LENGTH:
        return (AddressDescriptor(address_descriptor_format=fmt, raw=bytes(data)),) if data else ()
    size = _LENGTH[fmt]
    whole = len(data) - len(data) % size
    if whole != len(data) and r is not None:
        r.problem(f"defect list of {len(data)} bytes is not a multiple of the {size}-byte descriptor")
    return tuple(_descriptor(fmt, bytes(data[k:k + size])) for k in range(0, whole, size))


@record
class DefectData(Record):
    """``plistv`` / ``glistv``: the primary / grown list is in the data.
    ``generation_code`` is in the 12-byte CDB's data only (SBC-4; 0 where not supported)."""

    plistv: Optional[bool] = None
    glistv: Optional[bool] = None
    defect_list_format: Optional[int] = None
    defect_list_format_name: Optional[str] = None
    generation_code: Optional[int] = None
    defect_list_length: Optional[int] = None
    address_descriptors: Tuple[AddressDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_defect_data(data: bytes, *, twelve: bool) -> DefectData:
    """Decode READ DEFECT DATA data.  Never raises on device data.

    :param twelve: the data answers READ DEFECT DATA(12) (8-byte header, 32-bit length)
        rather than (10) (4-byte header, 16-bit length).

    A list longer than the allocation length arrives cut short: DEFECT LIST LENGTH still
    counts the whole list, so the difference is noted in ``problems`` and the
    descriptors received are decoded.
    """
    what = "READ DEFECT DATA(12)" if twelve else "READ DEFECT DATA(10)"
    r = Reader(data, what)
    header = 8 if twelve else 4
    byte1 = r.uint(1)
    length = r.uint(4, 4) if twelve else r.uint(2, 2)
    if byte1 is None or length is None:
        return DefectData(raw=r.data, problems=tuple(r.problems))
    fmt = byte1 & 0x07
    fields: dict = {
        "plistv": bool(byte1 & 0x10),
        "glistv": bool(byte1 & 0x08),
        "defect_list_format": fmt,
        "defect_list_format_name": name_of(ADDRESS_DESCRIPTOR_FORMAT_NAMES, fmt),
        "generation_code": r.uint(2, 2) if twelve else None,
        "defect_list_length": length,
    }
    body = r.data[header:header + length]
    if len(body) < length:
        r.problem(f"defect list length {length}, {len(body)} bytes received")
        if fmt in _LENGTH:
            body = body[:len(body) - len(body) % _LENGTH[fmt]]
    descriptors = decode_address_descriptors(fmt, body, r)
    return DefectData(address_descriptors=descriptors, raw=r.data, problems=tuple(r.problems), **fields)
