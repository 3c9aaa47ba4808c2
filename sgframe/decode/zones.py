"""REPORT ZONES parameter data (ZBC 6.4.3.2; ZBC-2 adds gap and SOBR zones, granularity)."""
from __future__ import annotations

from typing import List, Optional, Tuple

from ._util import Reader, Record, name_of, record

__all__ = [
    "ZONE_TYPE_NAMES",
    "ZONE_CONDITION_NAMES",
    "SAME_NAMES",
    "ZoneDescriptor",
    "ReportZonesData",
    "decode_report_zones",
]

#: ZBC-2 table 54.
ZONE_TYPE_NAMES = {
    0x1: "conventional",
    0x2: "sequential write required",
    0x3: "sequential write preferred",
    0x4: "sequential or before required",
    0x5: "gap",
}

#: ZBC-2 table 55.
ZONE_CONDITION_NAMES = {
    0x0: "not write pointer",
    0x1: "empty",
    0x2: "implicitly opened",
    0x3: "explicitly opened",
    0x4: "closed",
    0x5: "inactive",
    0xD: "read only",
    0xE: "full",
    0xF: "offline",
}

#: ZBC-2 table 53 (SAME field).
SAME_NAMES = {
    0x0: "zone type and length may differ",
    0x1: "all zones have the same type and length",
    0x2: "same type and length, except the last zone",
    0x3: "same length, types may differ",
}

_HEADER = 64
_DESCRIPTOR = 64


@record
class ZoneDescriptor(Record):
    """``write_pointer_lba`` is meaningless (often all ones) for conventional zones."""

    zone_type: int
    zone_type_name: str
    zone_condition: int
    zone_condition_name: str
    non_seq: bool
    reset: bool
    zone_length: int
    zone_start_lba: int
    write_pointer_lba: int


@record
class ReportZonesData(Record):
    zone_list_length: Optional[int] = None
    same: Optional[int] = None
    same_name: Optional[str] = None
    maximum_lba: Optional[int] = None
    zone_starting_lba_granularity: Optional[int] = None
    zone_descriptors: Tuple[ZoneDescriptor, ...] = ()
    problems: Tuple[str, ...] = ()


def decode_report_zones(data: bytes) -> ReportZonesData:
    """Decode REPORT ZONES data.  Never raises on device data.

    ZONE LIST LENGTH counts every matching zone even when the allocation length cut the list
    (PARTIAL=0); the descriptors that arrived whole are decoded and the shortfall is noted.
    """
    r = Reader(data, "REPORT ZONES")
    fields: dict = {"zone_list_length": r.uint(0, 4)}
    if r.has(4):
        same = r.bits(4, 0, 4)
        fields.update(same=same, same_name=name_of(SAME_NAMES, same))
    if r.has(8, 8):
        fields["maximum_lba"] = r.uint(8, 8)
    if r.has(16, 8):
        fields["zone_starting_lba_granularity"] = r.uint(16, 8)
    if len(r) < _HEADER and not r.truncated:
        r.problem(f"header has {len(r)} of 64 bytes")
    length = fields["zone_list_length"]
    if length is None:
        return ReportZonesData(problems=tuple(r.problems), **fields)
    if length % _DESCRIPTOR:
        r.problem(f"zone list length {length} is not a multiple of 64")
    end = min(len(r), _HEADER + length)
    if _HEADER + length > len(r):
        r.problem(f"zone list length {length}, {max(len(r) - _HEADER, 0)} bytes of descriptors received")
    zones: List[ZoneDescriptor] = []
    for offset in range(_HEADER, end - _DESCRIPTOR + 1, _DESCRIPTOR):
        d = r.data[offset:offset + _DESCRIPTOR]
        ztype, cond = d[0] & 0xF, d[1] >> 4
        zones.append(ZoneDescriptor(
            zone_type=ztype,
            zone_type_name=name_of(ZONE_TYPE_NAMES, ztype),
            zone_condition=cond,
            zone_condition_name=name_of(ZONE_CONDITION_NAMES, cond),
            non_seq=bool(d[1] & 0x02),
            reset=bool(d[1] & 0x01),
            zone_length=int.from_bytes(d[8:16], "big"),
            zone_start_lba=int.from_bytes(d[16:24], "big"),
            write_pointer_lba=int.from_bytes(d[24:32], "big"),
        ))
    return ReportZonesData(zone_descriptors=tuple(zones), problems=tuple(r.problems), **fields)
