"""The emulated disk's copy manager (SPC-5 5.17): EXTENDED COPY(LID1) from one range of
this logical unit to another, and the RECEIVE COPY STATUS(LID1), RECEIVE COPY FAILURE
DETAILS(LID1) and RECEIVE COPY OPERATING PARAMETERS that report on it.

It implements what a disk's copy manager for XCOPY offload needs and no more: CSCD
descriptors of type E4h (identification descriptor) that name this logical unit, and
block device to block device segment descriptors (02h). No inline or held data.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

import attrs

from sgframe._records import record
from sgframe.emu import sense as _sense
from sgframe.emu import sbc as _sbc
from sgframe.emu import vpd as _vpd
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

# The limits live with VPD page 8Fh, which reports them.
MAX_CSCD_DESCRIPTORS = _vpd.MAX_CSCD_DESCRIPTORS
MAX_SEGMENT_DESCRIPTORS = _vpd.MAX_SEGMENT_DESCRIPTORS
_CSCD = _vpd.CSCD_DESCRIPTOR_LENGTH
_SEGMENT = _vpd.SEGMENT_DESCRIPTOR_LENGTH
_HEADER = 16
IMPLEMENTED = _vpd.COPY_DESCRIPTORS_IMPLEMENTED

# Sense of the copy's own failures (SPC-5 table 49 and 5.17.4).
_UNSUPPORTED_CSCD = (0x26, 0x07)  # UNSUPPORTED TARGET DESCRIPTOR TYPE CODE
_UNSUPPORTED_SEGMENT = (0x26, 0x09)  # UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE
_TOO_MANY_CSCDS = (0x26, 0x06)  # TOO MANY TARGET DESCRIPTORS
_TOO_MANY_SEGMENTS = (0x26, 0x08)  # TOO MANY SEGMENT DESCRIPTORS
_UNREACHABLE = (0x08, 0x04)  # UNREACHABLE COPY TARGET


@record(frozen=False)
class CopyResult:
    """What RECEIVE COPY STATUS(LID1) reports for one list identifier."""

    status: int  # COPY MANAGER STATUS: 01h without errors, 02h with errors
    segments_processed: int
    transfer_count: int  # logical blocks written
    sense: bytes = b""


@record(frozen=False)
class CopyManager:
    results: Dict[int, CopyResult] = attrs.Factory(dict)


def _own_designator(disk: "EmulatedDisk") -> bytes:
    # The NAA designator of VPD page 83h, as an E4h descriptor must carry it: code set,
    # association and type, length, value (no protocol identifier, no PIV).
    naa = _vpd.naa_identifier(disk)
    return bytes((0x01, 0x03, 0x00, len(naa))) + naa


def _check_cscd(disk: "EmulatedDisk", cscd: bytes, at: int) -> None:
    if cscd[0] != 0xE4:
        raise _sense.Failure(_sense.ILLEGAL_REQUEST, *_UNSUPPORTED_CSCD,
                             sks=_sense.field_pointer(at, in_cdb=False))
    if cscd[1] & 0x1F != 0x00:  # PERIPHERAL DEVICE TYPE: only block devices
        raise _sense.invalid_field_in_parameter_list(at + 1, 4)
    named = bytes((cscd[4] & 0x0F, cscd[5] & 0x3F)) + cscd[6 : 8 + cscd[7]]
    own = _own_designator(disk)
    if named != own:
        raise _sense.Failure(_sense.COPY_ABORTED, *_UNREACHABLE)
    if int.from_bytes(cscd[29:32], "big") != disk.block_size:
        raise _sense.invalid_field_in_parameter_list(at + 29)


def extended_copy(disk: "EmulatedDisk", request: Request) -> None:
    length = request.u(10, 4)
    if length == 0:
        return None  # SPC-5 6.4.1: no copy
    if length < _HEADER:
        raise _sense.parameter_list_length_error()
    data = request.parameters(length)
    list_id, usage = data[0], (data[1] >> 3) & 0x03
    cscd_length = int.from_bytes(data[2:4], "big")
    segment_length = int.from_bytes(data[8:12], "big")
    if int.from_bytes(data[12:16], "big"):
        raise _sense.invalid_field_in_parameter_list(12)  # no inline data
    if _HEADER + cscd_length + segment_length != length:
        raise _sense.parameter_list_length_error()
    if cscd_length % _CSCD:
        raise _sense.invalid_field_in_parameter_list(2)
    count = cscd_length // _CSCD
    if count > MAX_CSCD_DESCRIPTORS:
        raise _sense.Failure(_sense.ILLEGAL_REQUEST, *_TOO_MANY_CSCDS)
    for index in range(count):
        at = _HEADER + index * _CSCD
        _check_cscd(disk, data[at : at + _CSCD], at)
    segments: List[tuple] = []
    at = _HEADER + cscd_length
    while at < length:
        seg = data[at : at + _SEGMENT]
        if seg[0] != 0x02:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, *_UNSUPPORTED_SEGMENT,
                                 sks=_sense.field_pointer(at, in_cdb=False))
        if len(seg) < _SEGMENT or int.from_bytes(seg[2:4], "big") != _SEGMENT - 4:
            raise _sense.invalid_field_in_parameter_list(at + 2)
        source, destination = int.from_bytes(seg[4:6], "big"), int.from_bytes(seg[6:8], "big")
        for offset, index in ((4, source), (6, destination)):
            if index >= count:
                raise _sense.invalid_field_in_parameter_list(at + offset)
        segments.append((int.from_bytes(seg[10:12], "big"), int.from_bytes(seg[12:20], "big"),
                         int.from_bytes(seg[20:28], "big")))
        at += _SEGMENT
    if len(segments) > MAX_SEGMENT_DESCRIPTORS:
        raise _sense.Failure(_sense.ILLEGAL_REQUEST, *_TOO_MANY_SEGMENTS)
    done = blocks = 0
    result: Optional[CopyResult] = None
    try:
        for number, source_lba, destination_lba in segments:
            for lba in (source_lba, destination_lba):
                if lba + number > disk.blocks:
                    raise _sense.Failure(_sense.COPY_ABORTED, 0x21, 0x00, information=lba)
            if number:
                _sbc._store(disk, destination_lba, _sbc._read_checked(disk, source_lba, number), request)
            done += 1
            blocks += number
    except _sense.Failure as failure:
        result = CopyResult(0x02, done, blocks, failure.sense(descriptor=False))
        raise
    finally:
        if usage != 0x03:  # 11b: no list identifier, nothing to report later
            disk.copies.results[list_id] = result or CopyResult(0x01, done, blocks)
    return None


def _result(disk: "EmulatedDisk", request: Request) -> CopyResult:
    result = disk.copies.results.get(request.cdb[2])
    if result is None:
        raise _sense.invalid_field_in_cdb(2)  # no copy with that LIST IDENTIFIER
    return result


def receive_copy_status(disk: "EmulatedDisk", request: Request) -> bytes:
    result = _result(disk, request)
    # TRANSFER COUNT UNITS F1h: logical blocks.
    return ((8).to_bytes(4, "big") + bytes((result.status,)) + result.segments_processed.to_bytes(2, "big")
            + b"\xf1" + result.transfer_count.to_bytes(4, "big"))


def receive_copy_failure_details(disk: "EmulatedDisk", request: Request) -> bytes:
    result = _result(disk, request)
    if not result.sense:
        return bytes(4)  # AVAILABLE DATA 0: the copy did not fail
    body = bytes(52) + bytes((_sense.CHECK_CONDITION, 0)) + len(result.sense).to_bytes(2, "big") + result.sense
    return len(body).to_bytes(4, "big") + body


def receive_copy_operating_parameters(disk: "EmulatedDisk", request: Request) -> bytes:
    body = bytearray(40)
    body[0] = 0x01  # SNLID: LIST ID USAGE 11b is supported
    body[4:6] = MAX_CSCD_DESCRIPTORS.to_bytes(2, "big")
    body[6:8] = MAX_SEGMENT_DESCRIPTORS.to_bytes(2, "big")
    body[8:12] = _vpd.MAX_DESCRIPTOR_LIST_LENGTH.to_bytes(4, "big")
    body[12:16] = _vpd.max_copy_segment_length(disk).to_bytes(4, "big")  # MAXIMUM SEGMENT LENGTH
    # Inline data, held data and stream devices: none (bytes 16-27 stay zero).
    body[30:32] = (1).to_bytes(2, "big")  # TOTAL CONCURRENT COPIES
    body[32] = 1  # MAXIMUM CONCURRENT COPIES
    body[33] = disk.block_size.bit_length() - 1  # DATA SEGMENT GRANULARITY (log2)
    body[39] = len(IMPLEMENTED)
    body += bytes(IMPLEMENTED)
    return len(body).to_bytes(4, "big") + bytes(body)
