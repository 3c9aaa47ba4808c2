"""Standard INQUIRY data (SPC-5 6.7.2, table 148)."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from ._util import Reader, Record, record, name_of, raw_repr

__all__ = [
    "PERIPHERAL_DEVICE_TYPES",
    "PERIPHERAL_QUALIFIERS",
    "VERSIONS",
    "TPGS_NAMES",
    "InquiryData",
    "decode_inquiry",
]

#: SPC-5 table 150; the codes marked obsolete there keep their historical names.
PERIPHERAL_DEVICE_TYPES = {
    0x00: "direct access block device",
    0x01: "sequential access device",
    0x02: "printer device",
    0x03: "processor device",
    0x04: "write-once device",
    0x05: "CD/DVD device",
    0x06: "scanner device (obsolete)",
    0x07: "optical memory device",
    0x08: "media changer device",
    0x09: "communications device (obsolete)",
    0x0A: "obsolete",
    0x0B: "obsolete",
    0x0C: "storage array controller device",
    0x0D: "enclosure services device",
    0x0E: "simplified direct-access device",
    0x0F: "optical card reader/writer device",
    0x10: "bridge controller commands",
    0x11: "object-based storage device",
    0x12: "automation/drive interface",
    0x13: "security manager device",
    0x14: "host managed zoned block device",
    0x1E: "well known logical unit",
    0x1F: "unknown or no device type",
}

#: SPC-5 table 149.
PERIPHERAL_QUALIFIERS = {
    0: "connected",
    1: "not connected",
    2: "reserved",
    3: "not supported",
    4: "vendor specific",
    5: "vendor specific",
    6: "vendor specific",
    7: "vendor specific",
}

#: SPC-5 table 151 (VERSION field).
VERSIONS = {
    0x00: "no standard claimed",
    0x03: "SPC",
    0x04: "SPC-2",
    0x05: "SPC-3",
    0x06: "SPC-4",
    0x07: "SPC-5",
}

#: SPC-5 table 152 (TPGS field): asymmetric logical unit access support.
TPGS_NAMES = {
    0: "not supported",
    1: "implicit",
    2: "explicit",
    3: "implicit and explicit",
}

#: The SPC-2 era devices may return as few as 36 bytes; everything past byte 35 is optional.
_MANDATORY = 36


@record
class InquiryData(Record):
    """Standard INQUIRY data.  ``None`` marks a field the response was too short to carry.

    ``three_pc`` is the T10 3PC bit (third-party copy); Python names cannot start with a
    digit.  ``version_descriptors`` omits unused (zero) slots.
    """

    peripheral_qualifier: Optional[int]
    peripheral_qualifier_name: Optional[str]
    peripheral_device_type: Optional[int]
    peripheral_device_type_name: Optional[str]
    rmb: Optional[bool]
    lu_cong: Optional[bool]
    version: Optional[int]
    version_name: Optional[str]
    normaca: Optional[bool]
    hisup: Optional[bool]
    response_data_format: Optional[int]
    additional_length: Optional[int]
    sccs: Optional[bool] = None
    acc: Optional[bool] = None
    tpgs: Optional[int] = None
    tpgs_name: Optional[str] = None
    three_pc: Optional[bool] = None
    protect: Optional[bool] = None
    encserv: Optional[bool] = None
    multip: Optional[bool] = None
    addr16: Optional[bool] = None
    wbus16: Optional[bool] = None
    sync: Optional[bool] = None
    cmdque: Optional[bool] = None
    vendor_identification: Optional[str] = None
    product_identification: Optional[str] = None
    product_revision_level: Optional[str] = None
    vendor_specific: bytes = attrs.field(default=b"", repr=raw_repr)
    clocking: Optional[int] = None
    qas: Optional[bool] = None
    ius: Optional[bool] = None
    version_descriptors: Tuple[int, ...] = ()
    vendor_specific_parameters: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_inquiry(data: bytes) -> InquiryData:
    """Decode standard INQUIRY data (EVPD=0).  Never raises on device data.

    :param data: the data-in buffer, as many bytes as the device transferred.
    """
    data = bytes(data)
    problems = []
    additional_length = data[4] if len(data) > 4 else None
    end = len(data)
    if additional_length is not None:
        declared = additional_length + 5
        if declared < len(data):
            end = declared
        elif declared > len(data):
            problems.append(
                f"standard INQUIRY: additional length announces {declared} bytes, "
                f"{len(data)} received"
            )
    r = Reader(data[:end], "standard INQUIRY", problems)
    pq = r.bits(0, 5, 3)
    pdt = r.bits(0, 0, 5)
    version = r.uint(2)
    fields = dict(
        peripheral_qualifier=pq,
        peripheral_qualifier_name=name_of(PERIPHERAL_QUALIFIERS, pq),
        peripheral_device_type=pdt,
        peripheral_device_type_name=name_of(PERIPHERAL_DEVICE_TYPES, pdt),
        rmb=r.flag(1, 7),
        lu_cong=r.flag(1, 6),
        version=version,
        version_name=name_of(VERSIONS, version, "obsolete or reserved"),
        normaca=r.flag(3, 5),
        hisup=r.flag(3, 4),
        response_data_format=r.bits(3, 0, 4),
        additional_length=additional_length,
    )
    if r.has(5):
        tpgs = r.bits(5, 4, 2)
        fields.update(
            sccs=r.flag(5, 7),
            acc=r.flag(5, 6),
            tpgs=tpgs,
            tpgs_name=name_of(TPGS_NAMES, tpgs),
            three_pc=r.flag(5, 3),
            protect=r.flag(5, 0),
        )
    if r.has(6):
        fields.update(encserv=r.flag(6, 6), multip=r.flag(6, 4), addr16=r.flag(6, 0))
    if r.has(7):
        fields.update(wbus16=r.flag(7, 5), sync=r.flag(7, 4), cmdque=r.flag(7, 1))
    if r.has(8):
        fields.update(
            vendor_identification=r.text(8, 8),
            product_identification=r.text(16, 16),
            product_revision_level=r.text(32, 4),
        )
    if len(r) < _MANDATORY and not r.truncated:
        r.problem(f"only {len(r)} of the 36 mandatory bytes present")
    if r.has(36):
        fields["vendor_specific"] = r.data[36:56]
    if r.has(56):
        fields.update(clocking=r.bits(56, 2, 2), qas=r.flag(56, 1), ius=r.flag(56, 0))
    descriptors = []
    for offset in range(58, min(74, len(r) - 1), 2):
        code = r.uint(offset, 2)
        if code:
            descriptors.append(code)
    fields["version_descriptors"] = tuple(descriptors)
    if len(r) > 96:
        fields["vendor_specific_parameters"] = r.data[96:]
    return InquiryData(problems=tuple(problems), **fields)
