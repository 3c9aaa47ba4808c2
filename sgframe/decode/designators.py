"""Designation descriptors (SPC-5 7.7.6.1), the entries of the Device Identification VPD page.

The same descriptor format also appears in the logical block provisioning VPD page
(provisioning group descriptor) and in some log pages, hence its own module.
"""
from __future__ import annotations

import uuid as _uuid
from typing import List, Optional, Tuple, Union

import attrs

from ._util import Reader, Record, record, name_of, raw_repr

__all__ = [
    "PROTOCOL_IDENTIFIERS",
    "CODE_SETS",
    "ASSOCIATIONS",
    "DESIGNATOR_TYPES",
    "NAA_NAMES",
    "Designator",
    "decode_designator",
    "decode_designators",
]

#: SPC-5 table 444 (PROTOCOL IDENTIFIER values).
PROTOCOL_IDENTIFIERS = {
    0x0: "Fibre Channel (FCP)",
    0x1: "parallel SCSI (SPI)",
    0x2: "SSA",
    0x3: "IEEE 1394 (SBP)",
    0x4: "SCSI RDMA (SRP)",
    0x5: "iSCSI",
    0x6: "SAS (SPL)",
    0x7: "automation/drive interface (ADT)",
    0x8: "AT attachment interface (ACS)",
    0x9: "USB attached SCSI (UAS)",
    0xA: "SCSI over PCI Express (SOP)",
    0xB: "PCI Express protocols",
    0xF: "no specific protocol",
}

#: SPC-5 table 594.
CODE_SETS = {0x1: "binary", 0x2: "ASCII", 0x3: "UTF-8"}

#: SPC-5 table 595.
ASSOCIATIONS = {0: "logical unit", 1: "target port", 2: "target device"}

#: SPC-5 table 596.
DESIGNATOR_TYPES = {
    0x0: "vendor specific",
    0x1: "T10 vendor ID based",
    0x2: "EUI-64 based",
    0x3: "NAA",
    0x4: "relative target port identifier",
    0x5: "target port group",
    0x6: "logical unit group",
    0x7: "MD5 logical unit identifier",
    0x8: "SCSI name string",
    0x9: "protocol specific port identifier",
    0xA: "UUID identifier",
}

#: SPC-5 table 603 (NAA field).
NAA_NAMES = {
    0x2: "IEEE extended",
    0x3: "locally assigned",
    0x5: "IEEE registered",
    0x6: "IEEE registered extended",
}

# SPC-5 7.7.6.1: PROTOCOL IDENTIFIER applies only with PIV set and one of these associations.
_PORT_OR_DEVICE = (1, 2)
_PROTO_UAS = 0x9
_PROTO_SOP = 0xA


@record
class Designator(Record):
    """One designation descriptor.

    ``designator`` keeps the raw identifier; the type-specific fields below it are filled in
    for the designator type that defines them and stay ``None`` otherwise.
    ``protocol_identifier`` is only meaningful when ``piv`` is set and the association is a
    target port or target device (SPC-5 7.7.6.1); it is reported as sent, but named (in
    ``protocol_identifier_name``) only then, as sg_vpd names a transport only then.
    ``wwn`` is an NAA designator written the way sg_vpd and multipath tools show a World Wide
    Name: ``0x`` and the designator in hex.
    """

    protocol_identifier: int
    protocol_identifier_name: Optional[str]
    code_set: int
    code_set_name: str
    piv: bool
    association: int
    association_name: str
    designator_type: int
    designator_type_name: str
    designator_length: int
    designator: bytes = attrs.field(repr=raw_repr)
    text: Optional[str] = None
    t10_vendor_identification: Optional[str] = None
    #: bytes for a T10 vendor ID designator, an integer (36 bits) for NAA 5 and 6.
    vendor_specific_identifier: Union[bytes, int, None] = None
    ieee_company_id: Optional[int] = None
    vendor_specific_extension_identifier: Optional[int] = None
    directory_id: Optional[int] = None
    identifier_extension: Optional[int] = None
    naa: Optional[int] = None
    naa_name: Optional[str] = None
    wwn: Optional[str] = None
    vendor_specific_identifier_a: Optional[int] = None
    vendor_specific_identifier_b: Optional[int] = None
    locally_administered_value: Optional[int] = None
    vendor_specific_identifier_extension: Optional[int] = None
    relative_target_port_identifier: Optional[int] = None
    target_port_group: Optional[int] = None
    logical_unit_group: Optional[int] = None
    scsi_name_string: Optional[str] = None
    uuid_type: Optional[int] = None
    uuid: Optional[str] = None
    device_address: Optional[int] = None
    interface_number: Optional[int] = None
    routing_id: Optional[int] = None
    problems: Tuple[str, ...] = ()

    @property
    def identifier(self) -> str:
        """A one-word form: an NAA or EUI-64 designator as 0x and hex (sg_vpd's form),
        names and text as sent."""
        if self.designator_type in (0x2, 0x3) and self.designator:
            return "0x" + self.designator.hex()
        if self.scsi_name_string is not None:
            return self.scsi_name_string
        if self.uuid is not None:
            return self.uuid
        if self.text is not None:
            return self.text
        return self.designator.hex()


def _type_fields(dtype: int, d: bytes, code_set: int, proto: int, problems: List[str]) -> dict:
    n = len(d)
    f: dict = {}

    def bad(expected: str) -> dict:
        problems.append(
            f"{DESIGNATOR_TYPES.get(dtype, 'reserved')} designator: length {n}, expected {expected}"
        )
        return {}

    if code_set in (0x2, 0x3) and dtype not in (0x8,):
        f["text"] = d.decode("utf-8", "replace").rstrip("\x00 ")
    if dtype == 0x1:
        if n < 8:
            return bad("at least 8")
        f["t10_vendor_identification"] = d[:8].decode("latin-1").strip()
        f["vendor_specific_identifier"] = d[8:]
    elif dtype == 0x2:
        # SPC-5 7.7.6.5: the 8, 12 and 16 byte forms differ in where the EUI-64 sits.
        if n == 8:
            f.update(
                ieee_company_id=int.from_bytes(d[0:3], "big"),
                vendor_specific_extension_identifier=int.from_bytes(d[3:8], "big"),
            )
        elif n == 12:
            f.update(
                ieee_company_id=int.from_bytes(d[0:3], "big"),
                vendor_specific_extension_identifier=int.from_bytes(d[3:8], "big"),
                directory_id=int.from_bytes(d[8:12], "big"),
            )
        elif n == 16:
            f.update(
                identifier_extension=int.from_bytes(d[0:8], "big"),
                ieee_company_id=int.from_bytes(d[8:11], "big"),
                vendor_specific_extension_identifier=int.from_bytes(d[11:16], "big"),
            )
        else:
            return bad("8, 12 or 16")
    elif dtype == 0x3:
        if n < 1:
            return bad("8 or 16")
        naa = d[0] >> 4
        f.update(naa=naa, naa_name=NAA_NAMES.get(naa, "reserved"), wwn="0x" + d.hex())
        if naa in (0x2, 0x3, 0x5) and n != 8:
            return {**f, **bad("8 for this NAA")}
        if naa == 0x6 and n != 16:
            return {**f, **bad("16 for NAA 6")}
        value = int.from_bytes(d[:8], "big")
        if naa == 0x2:
            f.update(
                vendor_specific_identifier_a=(value >> 48) & 0xFFF,
                ieee_company_id=(value >> 24) & 0xFFFFFF,
                vendor_specific_identifier_b=value & 0xFFFFFF,
            )
        elif naa == 0x3:
            f["locally_administered_value"] = value & ((1 << 60) - 1)
        elif naa in (0x5, 0x6):
            f.update(
                ieee_company_id=(value >> 36) & 0xFFFFFF,
                vendor_specific_identifier=value & ((1 << 36) - 1),
            )
            if naa == 0x6:
                f["vendor_specific_identifier_extension"] = int.from_bytes(d[8:16], "big")
    elif dtype in (0x4, 0x5, 0x6):
        if n != 4:
            return bad("4")
        key = {
            0x4: "relative_target_port_identifier",
            0x5: "target_port_group",
            0x6: "logical_unit_group",
        }[dtype]
        f[key] = int.from_bytes(d[2:4], "big")
    elif dtype == 0x7:
        if n != 16:
            return bad("16")
    elif dtype == 0x8:
        # Null terminated and padded to a multiple of four (SPC-5 7.7.6.11).
        f["scsi_name_string"] = d.split(b"\x00", 1)[0].decode("utf-8", "replace")
        if code_set != 0x3:
            problems.append(f"SCSI name string designator with code set {code_set}, expected UTF-8")
    elif dtype == 0x9:
        if proto == _PROTO_UAS and n >= 3:
            f.update(device_address=d[0] & 0x7F, interface_number=d[2])
        elif proto == _PROTO_SOP and n >= 2:
            f["routing_id"] = int.from_bytes(d[0:2], "big")
    elif dtype == 0xA:
        if n != 18:
            return bad("18")
        f.update(uuid_type=d[0] >> 4, uuid=str(_uuid.UUID(bytes=d[2:18])))
    return f


def decode_designator(data: bytes, offset: int = 0) -> Tuple[Designator, int]:
    """Decode the descriptor at ``offset``; returns it and the offset of the next one."""
    problems: List[str] = []
    r = Reader(data, "designation descriptor", problems)
    head = r.uint(offset, 4)
    if head is None:
        head = int.from_bytes(data[offset:offset + 4].ljust(4, b"\x00"), "big")
    proto, code_set = (head >> 28) & 0xF, (head >> 24) & 0xF
    piv, assoc, dtype = bool(head & 0x800000), (head >> 20) & 0x3, (head >> 16) & 0xF
    length = head & 0xFF
    designator = r.raw(offset + 4, length)
    fields = _type_fields(dtype, designator, code_set, proto, problems) if not r.truncated else {}
    record = Designator(
        protocol_identifier=proto,
        protocol_identifier_name=(PROTOCOL_IDENTIFIERS.get(proto, "reserved")
                                  if piv and assoc in _PORT_OR_DEVICE else None),
        code_set=code_set,
        code_set_name=name_of(CODE_SETS, code_set),
        piv=piv,
        association=assoc,
        association_name=name_of(ASSOCIATIONS, assoc),
        designator_type=dtype,
        designator_type_name=name_of(DESIGNATOR_TYPES, dtype),
        designator_length=length,
        designator=designator,
        problems=tuple(problems),
        **fields,
    )
    return record, offset + 4 + length


def decode_designators(data: bytes, what: str, problems: List[str]) -> Tuple[Designator, ...]:
    """Every descriptor in ``data`` (a list with no header); a broken tail is a problem."""
    out = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 4:
            problems.append(f"{what}: {len(data) - offset} stray bytes at offset {offset}")
            break
        record, offset = decode_designator(data, offset)
        out.append(record)
        problems.extend(f"{what}: {p}" for p in record.problems)
    return tuple(out)
