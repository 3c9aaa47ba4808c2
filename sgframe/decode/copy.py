"""RECEIVE COPY parameter data (SPC-5 6.18-6.26): copy status (LID1 and LID4), held data
(LID1 and LID4), failure details, the copy manager's operating parameters and the ROD tokens
of RECEIVE ROD TOKEN INFORMATION."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import attrs

from ._util import Reader, Record, name_of, raw_repr, record
from .vpd.tpc import ROD_TYPE_NAMES

__all__ = [
    "COPY_MANAGER_STATUS_NAMES",
    "COPY_OPERATION_STATUS_NAMES",
    "DESCRIPTOR_TYPE_CODE_NAMES",
    "TRANSFER_COUNT_UNITS",
    "CopyDataLid1",
    "CopyDataLid4",
    "CopyFailureDetails",
    "CopyOperatingParameters",
    "CopyStatusLid1",
    "CopyStatusLid4",
    "ImplementedDescriptor",
    "RodToken",
    "RodTokenDescriptor",
    "RodTokenInformation",
    "decode_copy_data_lid1",
    "decode_copy_data_lid4",
    "decode_copy_failure_details",
    "decode_copy_operating_parameters",
    "decode_copy_status_lid1",
    "decode_copy_status_lid4",
    "decode_rod_token",
    "decode_rod_token_information",
    "rod_type_name",
]

#: COPY MANAGER STATUS of the LID1 copy status.
COPY_MANAGER_STATUS_NAMES = {
    0x00: "operation in progress",
    0x01: "operation completed without errors",
    0x02: "operation completed with errors",
}

#: COPY OPERATION STATUS of the LID4 copy status (SPC-5 table 147).
COPY_OPERATION_STATUS_NAMES = {
    0x01: "operation completed without errors",
    0x02: "operation completed with errors",
    0x03: "operation completed without errors but with partial ROD token usage",
    0x04: "operation completed without errors but with residual data",
    0x10: "operation in progress, foreground or background unknown",
    0x11: "operation in progress in the foreground",
    0x12: "operation in progress in the background",
    0x60: "operation terminated",
}

#: TRANSFER COUNT UNITS: the multiplier of TRANSFER COUNT; F1h counts logical blocks.
TRANSFER_COUNT_UNITS = {
    0x00: "bytes",
    0x01: "kibibytes",
    0x02: "mebibytes",
    0x03: "gibibytes",
    0x04: "tebibytes",
    0x05: "pebibytes",
    0x06: "exbibytes",
    0xF1: "logical blocks",
}

#: Segment (00h-BFh) and CSCD (E0h-FFh) descriptor type codes (SPC-5 tables 122, 123),
#: worded as sg_copy_results words them.
DESCRIPTOR_TYPE_CODE_NAMES = {
    0x00: "Copy from block device to stream device",
    0x01: "Copy from stream device to block device",
    0x02: "Copy from block device to block device",
    0x03: "Copy from stream device to stream device",
    0x04: "Copy inline data to stream device",
    0x05: "Copy embedded data to stream device",
    0x06: "Read from stream device and discard",
    0x07: "Verify block or stream device operation",
    0x08: "Copy block device with offset to stream device",
    0x09: "Copy stream device to block device with offset",
    0x0A: "Copy block device with offset to block device with offset",
    0x0B: "Copy from block device to stream device and hold a copy of processed data for the application client",
    0x0C: "Copy from stream device to block device and hold a copy of processed data for the application client",
    0x0D: "Copy from block device to block device and hold a copy of processed data for the application client",
    0x0E: "Copy from stream device to stream device and hold a copy of processed data for the application client",
    0x0F: "Read from stream device and hold a copy of processed data for the application client",
    0x10: "Write filemarks to sequential-access device",
    0x11: "Space records or filemarks on sequential-access device",
    0x12: "Locate on sequential-access device",
    0x13: "Image copy from sequential-access device to sequential-access device",
    0x14: "Register persistent reservation key",
    0x15: "Third party persistent reservations source I_T nexus",
    0xE0: "Fibre Channel N_Port_Name",
    0xE1: "Fibre Channel N_Port_ID",
    0xE2: "Fibre Channel N_Port_ID with N_Port_Name checking",
    0xE3: "Parallel Interface T_L",
    0xE4: "Identification descriptor",
    0xE5: "IPv4",
    0xE6: "Alias",
    0xE7: "RDMA",
    0xE8: "IEEE 1394 EUI-64",
    0xE9: "SAS Serial SCSI Protocol",
    0xEA: "IPv6",
    0xEB: "IP Copy Service",
}


def _available(r: Reader, minimum: int) -> Optional[int]:
    """AVAILABLE DATA (bytes 0-3) counts the bytes after itself."""
    available = r.uint(0, 4)
    if available is not None and 4 + available > len(r):
        r.problem(f"available data {available}, {len(r) - 4} bytes received")
    if available is not None and available < minimum - 4 and len(r) >= 4:
        r.problem(f"available data {available} is shorter than the {minimum - 4} bytes the format has")
    return available


@record
class CopyStatusLid1(Record):
    available_data: Optional[int] = None
    hdd: Optional[bool] = None
    copy_manager_status: Optional[int] = None
    copy_manager_status_name: Optional[str] = None
    segments_processed: Optional[int] = None
    transfer_count_units: Optional[int] = None
    transfer_count_units_name: Optional[str] = None
    transfer_count: Optional[int] = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_copy_status_lid1(data: bytes) -> CopyStatusLid1:
    """Decode RECEIVE COPY STATUS(LID1) data (12 bytes).  Never raises on device data."""
    r = Reader(data, "RECEIVE COPY STATUS(LID1)")
    fields: dict = {"available_data": _available(r, 12)}
    status = r.bits(4, 0, 7)
    units = r.uint(7)
    fields.update(
        hdd=r.flag(4, 7), copy_manager_status=status,
        copy_manager_status_name=name_of(COPY_MANAGER_STATUS_NAMES, status),
        segments_processed=r.uint(5, 2), transfer_count_units=units,
        transfer_count_units_name=name_of(TRANSFER_COUNT_UNITS, units), transfer_count=r.uint(8, 4),
    )
    return CopyStatusLid1(raw=r.data, problems=tuple(r.problems), **fields)


@record
class CopyDataLid1(Record):
    available_data: Optional[int] = None
    held_data: bytes = attrs.field(default=b"", repr=raw_repr)
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_copy_data_lid1(data: bytes) -> CopyDataLid1:
    """Decode RECEIVE COPY DATA(LID1) data: AVAILABLE DATA, then the held data."""
    r = Reader(data, "RECEIVE COPY DATA(LID1)")
    available = _available(r, 4)
    held = r.data[4:4 + available] if available is not None else b""
    return CopyDataLid1(available_data=available, held_data=held, raw=r.data, problems=tuple(r.problems))


@record
class CopyFailureDetails(Record):
    available_data: Optional[int] = None
    copy_command_status: Optional[int] = None
    sense_data_length: Optional[int] = None
    sense_data: bytes = attrs.field(default=b"", repr=raw_repr)
    #: The sense data decoded (a :class:`sgframe.sense.Sense`), None when there is none.
    sense: Any = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def decode_copy_failure_details(data: bytes) -> CopyFailureDetails:
    """Decode RECEIVE COPY FAILURE DETAILS(LID1) data.  An AVAILABLE DATA of zero means the
    copy did not fail (or its details were already read)."""
    from ..sense import decode_sense

    r = Reader(data, "RECEIVE COPY FAILURE DETAILS(LID1)")
    available = _available(r, 4)
    if not available:
        return CopyFailureDetails(available_data=available, raw=r.data, problems=tuple(r.problems))
    length = r.uint(58, 2)
    sense = r.data[60:60 + length] if length else b""
    if length and len(sense) < length:
        r.problem(f"sense data length {length}, {len(sense)} bytes received")
    return CopyFailureDetails(
        available_data=available, copy_command_status=r.uint(56), sense_data_length=length, sense_data=sense,
        sense=decode_sense(sense) if sense else None, raw=r.data, problems=tuple(r.problems),
    )


@record
class CopyStatusLid4(Record):
    """RECEIVE COPY STATUS(LID4) data (SPC-5 6.24); the first 32 bytes and the sense data
    are the same in RECEIVE COPY DATA(LID4) and RECEIVE ROD TOKEN INFORMATION data."""

    available_data: Optional[int] = None
    response_to_service_action: Optional[int] = None
    copy_operation_status: Optional[int] = None
    copy_operation_status_name: Optional[str] = None
    operation_counter: Optional[int] = None
    #: Milliseconds to wait before asking again.
    estimated_status_update_delay: Optional[int] = None
    extended_copy_completion_status: Optional[int] = None
    length_of_the_sense_data_field: Optional[int] = None
    sense_data_length: Optional[int] = None
    transfer_count_units: Optional[int] = None
    transfer_count_units_name: Optional[str] = None
    transfer_count: Optional[int] = None
    segments_processed: Optional[int] = None
    sense_data: bytes = attrs.field(default=b"", repr=raw_repr)
    sense: Any = None
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _lid4_status(r: Reader) -> Dict[str, Any]:
    """The fields of the 32-byte LID4 status header and its sense data."""
    from ..sense import decode_sense

    available = _available(r, 32)
    status = r.bits(5, 0, 7)
    units = r.uint(15)
    length = r.uint(14)
    sense = r.data[32:32 + length] if length else b""
    if length and len(sense) < length:
        r.problem(f"sense data length {length}, {len(sense)} bytes received")
    field_length = r.uint(13)
    if length is not None and field_length is not None and length > field_length:
        r.problem(f"SENSE DATA LENGTH {length} exceeds LENGTH OF THE SENSE DATA FIELD {field_length}")
    return dict(
        available_data=available, response_to_service_action=r.bits(4, 0, 5), copy_operation_status=status,
        copy_operation_status_name=name_of(COPY_OPERATION_STATUS_NAMES, status), operation_counter=r.uint(6, 2),
        estimated_status_update_delay=r.uint(8, 4), extended_copy_completion_status=r.uint(12),
        length_of_the_sense_data_field=field_length, sense_data_length=length, transfer_count_units=units,
        transfer_count_units_name=name_of(TRANSFER_COUNT_UNITS, units), transfer_count=r.uint(16, 8),
        segments_processed=r.uint(24, 2), sense_data=sense, sense=decode_sense(sense) if sense else None,
        raw=r.data,
    )


def _after_sense(r: Reader) -> int:
    """Where the list after the sense data field starts: byte x+1, x = 31 + LENGTH OF THE
    SENSE DATA FIELD (the field may be longer than the sense data it holds)."""
    return 32 + (r.uint(13) or 0)


def decode_copy_status_lid4(data: bytes) -> CopyStatusLid4:
    """Decode RECEIVE COPY STATUS(LID4) data (SPC-5 table 146).  Never raises on device data."""
    r = Reader(data, "RECEIVE COPY STATUS(LID4)")
    fields = _lid4_status(r)
    return CopyStatusLid4(problems=tuple(r.problems), **fields)


@record
class CopyDataLid4(CopyStatusLid4):
    """RECEIVE COPY DATA(LID4) data (SPC-5 6.20): the LID4 status, HDD (held data
    discarded) and the held data."""

    hdd: Optional[bool] = None
    held_data_length: Optional[int] = None
    held_data: bytes = attrs.field(default=b"", repr=raw_repr)


def decode_copy_data_lid4(data: bytes) -> CopyDataLid4:
    """Decode RECEIVE COPY DATA(LID4) data.  Never raises on device data."""
    r = Reader(data, "RECEIVE COPY DATA(LID4)")
    fields = _lid4_status(r)
    at = _after_sense(r)
    length = r.uint(at, 4) if len(r) > 4 else None
    held = r.data[at + 4:at + 4 + length] if length else b""
    if length and len(held) < length:
        r.problem(f"held data length {length}, {len(held)} bytes received")
    return CopyDataLid4(hdd=r.flag(5, 7), held_data_length=length, held_data=held,
                        problems=tuple(r.problems), **fields)


@record
class RodToken(Record):
    """A ROD token's header (SPC-5 5.17.6.4) and the whole token as sent: the token is
    opaque to the application client, which hands it back in WRITE USING TOKEN."""

    rod_type: Optional[int] = None
    rod_type_name: Optional[str] = None
    rod_token_length: Optional[int] = None
    token: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class RodTokenDescriptor(Record):
    """SPC-5 table 257.  ``id_for_creating_rod_cscd_descriptor`` is meaningful only for
    tokens an EXTENDED COPY made (RESPONSE TO SERVICE ACTION 00h or 01h)."""

    id_for_creating_rod_cscd_descriptor: int
    rod_token: RodToken


@record
class RodTokenInformation(CopyStatusLid4):
    """RECEIVE ROD TOKEN INFORMATION data (SPC-5 6.26): the LID4 status and the ROD tokens
    the copy operation made (POPULATE TOKEN's, for one)."""

    rod_token_descriptors_length: Optional[int] = None
    rod_token_descriptors: Tuple[RodTokenDescriptor, ...] = ()


def rod_type_name(rod_type: int) -> str:
    """The ROD type's name (the table the third-party copy VPD page uses too), or the
    range it falls in."""
    if rod_type in ROD_TYPE_NAMES:
        return ROD_TYPE_NAMES[rod_type]
    if rod_type >= 0xFFFFFFF0:
        return "vendor specific"
    return "reserved (device type specific)" if rod_type >= 0xFF000000 else "reserved"


def decode_rod_token(token: bytes) -> RodToken:
    token = bytes(token)
    if len(token) < 8:
        return RodToken(token=token)
    rod_type = int.from_bytes(token[0:4], "big")
    return RodToken(rod_type=rod_type, rod_type_name=rod_type_name(rod_type),
                    rod_token_length=int.from_bytes(token[6:8], "big"), token=token)


def decode_rod_token_information(data: bytes) -> RodTokenInformation:
    """Decode RECEIVE ROD TOKEN INFORMATION data.  Never raises on device data.

    Each descriptor is 2 bytes of CSCD descriptor ID and a ROD token, whose own length
    (bytes 6-7, ROD TOKEN LENGTH, bytes after byte 7) says where the next one starts.
    """
    r = Reader(data, "RECEIVE ROD TOKEN INFORMATION")
    fields = _lid4_status(r)
    at = _after_sense(r)
    length = r.uint(at, 4) if len(r) > 4 else None
    found = []
    if length:
        body = r.data[at + 4:at + 4 + length]
        if len(body) < length:
            r.problem(f"ROD token descriptors length {length}, {len(body)} bytes received")
        offset = 0
        while offset < len(body):
            if len(body) - offset < 10:
                r.problem(f"{len(body) - offset} bytes of a truncated ROD token descriptor at byte {at + 4 + offset}")
                break
            size = 2 + 8 + int.from_bytes(body[offset + 8:offset + 10], "big")
            if offset + size > len(body):
                r.problem(f"the ROD token at byte {at + 6 + offset} runs past the end of the descriptors")
                size = len(body) - offset
            found.append(RodTokenDescriptor(
                id_for_creating_rod_cscd_descriptor=int.from_bytes(body[offset:offset + 2], "big"),
                rod_token=decode_rod_token(body[offset + 2:offset + size])))
            offset += size
    return RodTokenInformation(rod_token_descriptors_length=length, rod_token_descriptors=tuple(found),
                               problems=tuple(r.problems), **fields)


@record
class ImplementedDescriptor(Record):
    descriptor_type_code: int
    name: str


@record
class CopyOperatingParameters(Record):
    """Granularities are log2 values as sent; ``maximum_inline_data_length`` 0 means no
    inline data."""

    available_data: Optional[int] = None
    snlid: Optional[bool] = None
    maximum_cscd_descriptor_count: Optional[int] = None
    maximum_segment_descriptor_count: Optional[int] = None
    maximum_descriptor_list_length: Optional[int] = None
    maximum_segment_length: Optional[int] = None
    maximum_inline_data_length: Optional[int] = None
    held_data_limit: Optional[int] = None
    maximum_stream_device_transfer_size: Optional[int] = None
    total_concurrent_copies: Optional[int] = None
    maximum_concurrent_copies: Optional[int] = None
    data_segment_granularity: Optional[int] = None
    inline_data_granularity: Optional[int] = None
    held_data_granularity: Optional[int] = None
    implemented_descriptor_list_length: Optional[int] = None
    implemented_descriptors: Tuple[ImplementedDescriptor, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)
    problems: Tuple[str, ...] = ()


def _descriptor_name(code: int) -> str:
    if code in DESCRIPTOR_TYPE_CODE_NAMES:
        return DESCRIPTOR_TYPE_CODE_NAMES[code]
    return "vendor specific" if 0xC0 <= code <= 0xDF else "reserved"


def decode_copy_operating_parameters(data: bytes) -> CopyOperatingParameters:
    """Decode RECEIVE COPY OPERATING PARAMETERS data.  Never raises on device data."""
    r = Reader(data, "RECEIVE COPY OPERATING PARAMETERS")
    available = _available(r, 44)
    count = r.uint(43)
    codes = r.raw(44, count) if count else b""
    return CopyOperatingParameters(
        available_data=available, snlid=r.flag(4, 0), maximum_cscd_descriptor_count=r.uint(8, 2),
        maximum_segment_descriptor_count=r.uint(10, 2), maximum_descriptor_list_length=r.uint(12, 4),
        maximum_segment_length=r.uint(16, 4), maximum_inline_data_length=r.uint(20, 4),
        held_data_limit=r.uint(24, 4), maximum_stream_device_transfer_size=r.uint(28, 4),
        total_concurrent_copies=r.uint(34, 2), maximum_concurrent_copies=r.uint(36),
        data_segment_granularity=r.uint(37), inline_data_granularity=r.uint(38), held_data_granularity=r.uint(39),
        implemented_descriptor_list_length=count,
        implemented_descriptors=tuple(ImplementedDescriptor(descriptor_type_code=c, name=_descriptor_name(c))
                                      for c in codes),
        raw=r.data, problems=tuple(r.problems),
    )
