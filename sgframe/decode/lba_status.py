"""GET LBA STATUS parameter data (SBC-4 5.8.2; SBC-5 adds the accessibility field)."""
from __future__ import annotations

from typing import List, Optional, Tuple

from ._util import Reader, Record, name_of, record

__all__ = [
    "PROVISIONING_STATUS_NAMES",
    "LbaStatusDescriptor",
    "LbaStatusData",
    "decode_lba_status",
]

#: SBC-4 table 68 (PROVISIONING STATUS field; 3h and 4h since sbc4r12).
PROVISIONING_STATUS_NAMES = {
    0x0: "mapped or unknown",
    0x1: "deallocated",
    0x2: "anchored",
    0x3: "mapped",
    0x4: "unknown",
}

#: SBC-4 (COMPLETION CONDITION field, byte 7 bits 3-1).
COMPLETION_CONDITION_NAMES = {
    0: "no indication",
    1: "allocation length reached",
    2: "scan length reached",
    3: "capacity of the medium reached",
}

#: SBC-5 (LBA ACCESSIBILITY field).
LBA_ACCESSIBILITY_NAMES = {0: "not reported", 1: "inaccessible", 2: "read-only"}

ADDITIONAL_STATUS_NAMES = {0: "none", 1: "may contain unrecovered errors"}


@record
class LbaStatusDescriptor(Record):
    lba_status_logical_block_address: int
    number_of_logical_blocks: int
    provisioning_status: int
    provisioning_status_name: str
    lba_accessibility: int
    additional_status: int
    additional_status_name: str


@record
class LbaStatusData(Record):
    parameter_data_length: Optional[int] = None
    completion_condition: Optional[int] = None
    completion_condition_name: Optional[str] = None
    rtp: Optional[bool] = None
    lba_status_descriptors: Tuple[LbaStatusDescriptor, ...] = ()
    problems: Tuple[str, ...] = ()


def decode_lba_status(data: bytes) -> LbaStatusData:
    """Decode GET LBA STATUS data.  Never raises on device data.

    PARAMETER DATA LENGTH counts the bytes after byte 3 (since sbc3r25).
    """
    r = Reader(data, "GET LBA STATUS")
    length = r.uint(0, 4)
    fields: dict = {"parameter_data_length": length}
    if length is None:
        return LbaStatusData(problems=tuple(r.problems), **fields)
    end = min(len(r), 4 + length)
    if 4 + length > len(r):
        r.problem(f"parameter data length {length}, {max(len(r) - 4, 0)} bytes received")
    if r.has(7):
        cc = r.bits(7, 1, 3)
        fields.update(completion_condition=cc, completion_condition_name=name_of(COMPLETION_CONDITION_NAMES, cc),
                      rtp=r.flag(7, 0))
    descriptors: List[LbaStatusDescriptor] = []
    offset = 8
    while offset + 16 <= end:
        d = r.data[offset:offset + 16]
        status, extra = d[12] & 0xF, d[13]
        descriptors.append(LbaStatusDescriptor(
            lba_status_logical_block_address=int.from_bytes(d[0:8], "big"),
            number_of_logical_blocks=int.from_bytes(d[8:12], "big"),
            provisioning_status=status,
            provisioning_status_name=name_of(PROVISIONING_STATUS_NAMES, status),
            lba_accessibility=(d[12] >> 4) & 0x7,
            additional_status=extra,
            additional_status_name=name_of(ADDITIONAL_STATUS_NAMES, extra),
        ))
        offset += 16
    if offset < end:
        r.problem(f"{end - offset} bytes of an incomplete LBA status descriptor at byte {offset}")
    return LbaStatusData(lba_status_descriptors=tuple(descriptors), problems=tuple(r.problems), **fields)
