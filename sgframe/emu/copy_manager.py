"""The emulated disk's copy manager (SPC-5 5.17): EXTENDED COPY(LID1) and (LID4) from one
range of this logical unit to another, and the RECEIVE COPY STATUS(LID1), RECEIVE COPY
DATA(LID1), RECEIVE COPY FAILURE DETAILS(LID1), RECEIVE COPY OPERATING PARAMETERS, RECEIVE
COPY STATUS(LID4), RECEIVE COPY DATA(LID4) and RECEIVE ROD TOKEN INFORMATION that report
on them.

A copy runs to its end before its command completes (IMMED is honoured by completing
late, which SPC-5 allows: the status is ready at once either way). LID1 and LID4 list
identifiers are kept apart, as their commands are. No ROD token is ever made: sgframe
declares no POPULATE TOKEN, so RECEIVE ROD TOKEN INFORMATION reports a LID4 copy's status
with an empty ROD token list.

It implements what a disk's copy manager for XCOPY offload needs and no more: CSCD
descriptors of type E4h (identification descriptor) that name this logical unit, and
block device to block device segment descriptors (02h). No inline or held data: the
segment descriptors that hold data for RECEIVE COPY DATA (block to stream with CAT, the
held data ones) are not implemented, so a copy's held data is always empty.
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
# LID4 (SPC-5 6.5.3): a 16-byte header, then a 32-byte header CSCD descriptor (type FFh)
# with the 32-bit LIST IDENTIFIER and the three list lengths.
_LID4_HEADER = 48
_HEADER_CSCD = 0xFF
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
    operation_counter: int = 0  # LID4: commands processed for the copy (1, the EXTENDED COPY)


@record(frozen=False)
class CopyManager:
    results: Dict[int, CopyResult] = attrs.Factory(dict)
    #: LID4 results by 32-bit list identifier.
    results_lid4: Dict[int, CopyResult] = attrs.Factory(dict)


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


def _descriptors(disk: "EmulatedDisk", data: bytes, start: int, cscd_length: int, length: int,
                 length_field: int) -> List[tuple]:
    """Check the CSCD descriptors at ``start`` and return the segments after them as
    (blocks, source LBA, destination LBA); offsets in the sense are from the list's start,
    ``length_field`` is where the CSCD DESCRIPTOR LIST LENGTH is (LID1 2, LID4 42)."""
    if cscd_length % _CSCD:
        raise _sense.invalid_field_in_parameter_list(length_field)
    count = cscd_length // _CSCD
    if count > MAX_CSCD_DESCRIPTORS:
        raise _sense.Failure(_sense.ILLEGAL_REQUEST, *_TOO_MANY_CSCDS)
    for index in range(count):
        at = start + index * _CSCD
        _check_cscd(disk, data[at : at + _CSCD], at)
    segments: List[tuple] = []
    at = start + cscd_length
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
    return segments


def _run(disk: "EmulatedDisk", request: Request, segments: List[tuple], keep: Optional[Dict[int, CopyResult]],
         list_id: int) -> None:
    """Copy the segments in order; the result (failed or not) goes to ``keep[list_id]``
    unless ``keep`` is None (LIST ID USAGE 11b: nothing to report later)."""
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
        result = CopyResult(0x02, done, blocks, failure.sense(descriptor=False), operation_counter=1)
        raise
    finally:
        if keep is not None:
            keep[list_id] = result or CopyResult(0x01, done, blocks, operation_counter=1)


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
    segments = _descriptors(disk, data, _HEADER, cscd_length, length, 2)
    _run(disk, request, segments, None if usage == 0x03 else disk.copies.results, list_id)
    return None


def extended_copy_lid4(disk: "EmulatedDisk", request: Request) -> None:
    """EXTENDED COPY(LID4) (SPC-5 6.5): the LID4 header and its header CSCD descriptor,
    then the same CSCD (E4h) and segment (02h) descriptors as LID1 takes."""
    length = request.u(10, 4)
    if length == 0:
        return None  # SPC-5 6.5.1: no copy
    if length < _LID4_HEADER:
        raise _sense.parameter_list_length_error()
    data = request.parameters(length)
    if data[0] != 0x01:
        raise _sense.invalid_field_in_parameter_list(0)  # LIST FORMAT: 01h is the only one
    usage = (data[1] >> 3) & 0x03
    if int.from_bytes(data[2:4], "big") != _LID4_HEADER - _HEADER:
        raise _sense.invalid_field_in_parameter_list(2)  # HEADER CSCD DESCRIPTOR LIST LENGTH
    if data[_HEADER] != _HEADER_CSCD:
        raise _sense.Failure(_sense.ILLEGAL_REQUEST, *_UNSUPPORTED_CSCD,
                             sks=_sense.field_pointer(_HEADER, in_cdb=False))
    list_id = int.from_bytes(data[20:24], "big")
    cscd_length = int.from_bytes(data[42:44], "big")
    segment_length = int.from_bytes(data[44:46], "big")
    if int.from_bytes(data[46:48], "big"):
        raise _sense.invalid_field_in_parameter_list(46)  # no inline data
    if _LID4_HEADER + cscd_length + segment_length != length:
        raise _sense.parameter_list_length_error()
    segments = _descriptors(disk, data, _LID4_HEADER, cscd_length, length, 42)
    _run(disk, request, segments, None if usage == 0x03 else disk.copies.results_lid4, list_id)
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


def receive_copy_data(disk: "EmulatedDisk", request: Request) -> bytes:
    """RECEIVE COPY DATA(LID1) (SPC-5 6.20): AVAILABLE DATA, then the data held for the
    list identifier; none is ever held (see the module docstring)."""
    _result(disk, request)  # an unknown LIST IDENTIFIER: INVALID FIELD IN CDB
    return (0).to_bytes(4, "big")


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


def _lid4_result(disk: "EmulatedDisk", request: Request) -> CopyResult:
    result = disk.copies.results_lid4.get(request.u(2, 4))
    if result is None:
        raise _sense.invalid_field_in_cdb(2)  # no LID4 copy with that LIST IDENTIFIER
    return result


def _lid4_status(result: CopyResult, service_action: int, after: bytes) -> bytes:
    """The LID4 status data (SPC-5 table 146 and table 256): a 32-byte header, the sense
    data field (padded to a multiple of four bytes), then what the command adds."""
    sense = result.sense
    field = sense + bytes(-len(sense) % 4)
    raw = bytearray(32)
    raw[4] = service_action & 0x1F  # RESPONSE TO SERVICE ACTION: the copy's own (01h)
    raw[5] = result.status  # HDD 0; COPY OPERATION STATUS
    raw[6:8] = result.operation_counter.to_bytes(2, "big")
    # ESTIMATED STATUS UPDATE DELAY 0: the copy is over, there is nothing to wait for.
    raw[12] = _sense.CHECK_CONDITION if sense else _sense.GOOD  # EXTENDED COPY COMPLETION STATUS
    raw[13] = len(field)  # LENGTH OF THE SENSE DATA FIELD
    raw[14] = len(sense)  # SENSE DATA LENGTH
    raw[15] = 0xF1  # TRANSFER COUNT UNITS: logical blocks
    raw[16:24] = result.transfer_count.to_bytes(8, "big")
    raw[24:26] = result.segments_processed.to_bytes(2, "big")
    body = bytes(raw) + field + after
    return (len(body) - 4).to_bytes(4, "big") + body[4:]


def receive_copy_status_lid4(disk: "EmulatedDisk", request: Request) -> bytes:
    return _lid4_status(_lid4_result(disk, request), 0x01, b"")


def receive_copy_data_lid4(disk: "EmulatedDisk", request: Request) -> bytes:
    """RECEIVE COPY DATA(LID4) (SPC-5 6.21): the LID4 status (HDD 0: no held data was
    discarded), then HELD DATA LENGTH 0 and no held data."""
    return _lid4_status(_lid4_result(disk, request), 0x01, (0).to_bytes(4, "big"))


def receive_rod_token_information(disk: "EmulatedDisk", request: Request) -> bytes:
    # ROD TOKEN DESCRIPTORS LENGTH 0: an EXTENDED COPY with block to block segments
    # makes no ROD token.
    return _lid4_status(_lid4_result(disk, request), 0x01, bytes(4))
