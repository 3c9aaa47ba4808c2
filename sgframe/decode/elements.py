"""GET PHYSICAL ELEMENT STATUS parameter data (SBC-4 5.7): the storage elements (heads,
dies) a device can depopulate, and their health."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from ._util import Reader, Record, name_of, raw_repr, record

__all__ = [
    "PHYSICAL_ELEMENT_TYPE_NAMES",
    "PhysicalElementStatus",
    "PhysicalElementStatusData",
    "decode_physical_element_status",
    "health_name",
]

_HEADER = 32
_DESCRIPTOR = 32

#: PHYSICAL ELEMENT TYPE (SBC-4 table 52; 02h since SBC-5).
PHYSICAL_ELEMENT_TYPE_NAMES = {0x01: "all-access storage", 0x02: "fractional-access storage"}

_HEALTH = {
    0x00: "not reported",
    0x64: "at manufacturer's specification limits",
    0xFB: "depopulation revocation completed, errors detected",
    0xFC: "depopulation revocation in progress",
    0xFD: "depopulation completed, errors detected",
    0xFE: "depopulation operations in progress",
    0xFF: "depopulation completed, no errors",
}


def health_name(health: int) -> str:
    """PHYSICAL ELEMENT HEALTH in words (SBC-4 table 53), as sg_get_elem_status says it."""
    if health in _HEALTH:
        return _HEALTH[health]
    if health < 0x64:
        return "within manufacturer's specification limits"
    if health < 0xD0:
        return "outside manufacturer's specification limits"
    return "reserved"


@record
class PhysicalElementStatus(Record):
    """``associated_capacity``: logical blocks lost if the element is depopulated (type
    01h). Fractional-access elements (02h) name an ``other_element_identifier`` instead."""

    element_identifier: int
    ralwd: bool
    physical_element_type: int
    physical_element_type_name: str
    physical_element_health: int
    physical_element_health_name: str
    associated_capacity: Optional[int] = None
    other_element_identifier: Optional[int] = None


@record
class PhysicalElementStatusData(Record):
    number_of_descriptors: Optional[int] = None
    number_of_descriptors_returned: Optional[int] = None
    identifier_of_element_being_depopulated: Optional[int] = None
    physical_element_status_descriptors: Tuple[PhysicalElementStatus, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _element(d: bytes) -> PhysicalElementStatus:
    kind, health = d[14], d[15]
    fields: dict = {}
    if kind == 0x02:
        fields["other_element_identifier"] = int.from_bytes(d[16:20], "big")
    else:
        fields["associated_capacity"] = int.from_bytes(d[16:24], "big")
    return PhysicalElementStatus(
        element_identifier=int.from_bytes(d[4:8], "big"), ralwd=bool(d[13] & 0x01), physical_element_type=kind,
        physical_element_type_name=name_of(PHYSICAL_ELEMENT_TYPE_NAMES, kind), physical_element_health=health,
        physical_element_health_name=health_name(health), **fields)


def decode_physical_element_status(data: bytes) -> PhysicalElementStatusData:
    """Decode GET PHYSICAL ELEMENT STATUS data.  Never raises on device data."""
    r = Reader(data, "GET PHYSICAL ELEMENT STATUS")
    returned = r.uint(4, 4)
    fields: dict = {"number_of_descriptors": r.uint(0, 4), "number_of_descriptors_returned": returned,
                    "identifier_of_element_being_depopulated": r.uint(8, 4)}
    if returned is None:
        return PhysicalElementStatusData(raw=r.data, problems=tuple(r.problems), **fields)
    fit = max(0, (len(r) - _HEADER) // _DESCRIPTOR)
    if fit < returned:
        r.problem(f"{returned} descriptors returned, {fit} fit in the {len(r)} bytes received")
    descriptors = tuple(_element(r.data[_HEADER + k * _DESCRIPTOR:_HEADER + (k + 1) * _DESCRIPTOR])
                        for k in range(min(fit, returned)))
    return PhysicalElementStatusData(physical_element_status_descriptors=descriptors, raw=r.data,
                                     problems=tuple(r.problems), **fields)
