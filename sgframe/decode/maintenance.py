"""Parameter data of READ MEDIA SERIAL NUMBER (SPC-5 6.16), REPORT IDENTIFYING
INFORMATION (SPC-5 6.29) and REPORT PRIORITY (SPC-5 6.33)."""
from __future__ import annotations

from typing import Optional, Tuple, Union

import attrs

from ._util import Reader, Record, ascii_text, raw_repr, record
from .persistent_reservation import TransportId, decode_transport_id

__all__ = [
    "IdentifyingInformation",
    "IdentifyingInformationType",
    "MediaSerialNumber",
    "PriorityDescriptor",
    "ReportPriorityData",
    "SupportedIdentifyingInformation",
    "decode_identifying_information",
    "decode_media_serial_number",
    "decode_report_priority",
]


@record
class MediaSerialNumber(Record):
    """The serial number is vendor specific bytes, often ASCII: both are given."""

    media_serial_number_length: Optional[int] = None
    media_serial_number: bytes = attrs.field(default=b"", repr=raw_repr)
    text: Optional[str] = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_media_serial_number(data: bytes) -> MediaSerialNumber:
    """Decode READ MEDIA SERIAL NUMBER data.  Never raises on device data."""
    r = Reader(data, "READ MEDIA SERIAL NUMBER")
    length = r.uint(0, 4)
    if length is None:
        return MediaSerialNumber(raw=r.data, problems=tuple(r.problems))
    serial = r.raw(4, length) if length else b""
    printable = all(0x20 <= b < 0x7F or b == 0 for b in serial)
    return MediaSerialNumber(media_serial_number_length=length, media_serial_number=serial,
                             text=ascii_text(serial) if printable else None, raw=r.data, problems=tuple(r.problems))


@record
class IdentifyingInformation(Record):
    identifying_information_length: Optional[int] = None
    identifying_information: bytes = attrs.field(default=b"", repr=raw_repr)
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


@record
class IdentifyingInformationType(Record):
    identifying_information_type: int
    maximum_identifying_information_length: int


@record
class SupportedIdentifyingInformation(Record):
    identifying_information_length: Optional[int] = None
    identifying_information_types: Tuple[IdentifyingInformationType, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_identifying_information(
    data: bytes, *, supported_list: bool = False
) -> Union[IdentifyingInformation, SupportedIdentifyingInformation]:
    """Decode REPORT IDENTIFYING INFORMATION data.  Never raises on device data.

    :param supported_list: the CDB asked for type 7Fh, the supported types, each a
        4-byte descriptor: the type in bits 7-1 of byte 0 and its MAXIMUM IDENTIFYING
        INFORMATION LENGTH in bytes 2-3.
    """
    r = Reader(data, "REPORT IDENTIFYING INFORMATION")
    length = r.uint(2, 2)
    body = r.raw(4, length) if length else b""
    if length and len(body) < length:
        r.problem(f"identifying information length {length}, {len(body)} bytes received")
    if not supported_list:
        return IdentifyingInformation(identifying_information_length=length, identifying_information=body,
                                      raw=r.data, problems=tuple(r.problems))
    if len(body) % 4:
        r.problem(f"{len(body) % 4} bytes of an incomplete descriptor at byte {4 + len(body) - len(body) % 4}")
    types = tuple(
        IdentifyingInformationType(identifying_information_type=body[k] >> 1,
                                   maximum_identifying_information_length=int.from_bytes(body[k + 2:k + 4], "big"))
        for k in range(0, len(body) - len(body) % 4, 4)
    )
    return SupportedIdentifyingInformation(identifying_information_length=length,
                                           identifying_information_types=types, raw=r.data,
                                           problems=tuple(r.problems))


@record
class PriorityDescriptor(Record):
    current_priority: int
    relative_target_port_identifier: int
    additional_descriptor_length: int
    transport_id: Optional[TransportId]


@record
class ReportPriorityData(Record):
    priority_parameter_data_length: Optional[int] = None
    priority_descriptors: Tuple[PriorityDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_report_priority(data: bytes) -> ReportPriorityData:
    """Decode REPORT PRIORITY data: per I_T nexus its CURRENT PRIORITY (0: the default
    of the Control extension mode page), the target port and the initiator's
    TransportID.  Never raises on device data."""
    r = Reader(data, "REPORT PRIORITY")
    length = r.uint(0, 4)
    if length is None:
        return ReportPriorityData(raw=r.data, problems=tuple(r.problems))
    end = min(len(r), 4 + length)
    if 4 + length > len(r):
        r.problem(f"priority parameter data length {length}, {len(r) - 4} bytes received")
    descriptors = []
    offset = 4
    while offset + 8 <= end:
        d = r.data[offset:offset + 8]
        extra = int.from_bytes(d[6:8], "big")
        tid = r.data[offset + 8:min(end, offset + 8 + extra)]
        if len(tid) < extra:
            r.problem(f"priority descriptor at byte {offset}: TransportID of {extra} bytes, {len(tid)} present")
        descriptors.append(PriorityDescriptor(
            current_priority=d[0] & 0x0F, relative_target_port_identifier=int.from_bytes(d[2:4], "big"),
            additional_descriptor_length=extra, transport_id=decode_transport_id(tid) if tid else None))
        offset += 8 + extra
    if offset < end:
        r.problem(f"{end - offset} bytes of an incomplete priority descriptor at byte {offset}")
    return ReportPriorityData(priority_parameter_data_length=length, priority_descriptors=tuple(descriptors),
                              raw=r.data, problems=tuple(r.problems))
