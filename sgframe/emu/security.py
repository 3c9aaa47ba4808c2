"""SECURITY PROTOCOL IN and OUT of the emulated disk (SPC-5 6.40, 6.41).

Two security protocols:

* 00h, security protocol information (SPC-5 7.7.1), IN only: the supported protocols,
  no certificate, no compliance claimed.
* 02h, TCG ComID management (TCG Storage Architecture Core Specification 3.3.4.3 and
  3.3.4.7): the part of a TCG TPer that hands out ComIDs and resets their stacks.
  SECURITY PROTOCOL IN with SECURITY PROTOCOL SPECIFIC 0000h is GET_COMID: it issues a
  dynamic ComID (1000h and up) and returns it with its extension (0000h). SECURITY
  PROTOCOL OUT with SECURITY PROTOCOL SPECIFIC set to an issued ComID sends a ComID
  management request (ComID, extension, REQUEST CODE); SECURITY PROTOCOL IN to the same
  ComID returns the response to the last request, or REQUEST CODE 0 and no data when
  none was sent. The request implemented is STACK_RESET (00000002h), answered "success".

The disk has no security subsystem behind it (no SSC, no sessions), so it offers no
protocol 01h (Level 0 discovery, ComPackets): a host that asks for it gets INVALID FIELD
IN CDB pointing at SECURITY PROTOCOL, as for any protocol the disk does not list.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

__all__ = ["ComIds", "SUPPORTED", "security_protocol_in", "security_protocol_out"]

INFORMATION = 0x00
TCG_COMID_MANAGEMENT = 0x02
SUPPORTED = (INFORMATION, TCG_COMID_MANAGEMENT)

GET_COMID = 0x0000
#: The first dynamic ComID (TCG Core 3.3.4.3.2: 0000h-0FFFh are reserved or static).
FIRST_DYNAMIC_COMID = 0x1000
STACK_RESET = 0x00000002
_SUCCESS = bytes(4)  # STACK_RESET response data: 00000000h success
_REQUEST = 8  # ComID, ComID extension, REQUEST CODE


class ComIds:
    """The ComIDs GET_COMID issued, and the response waiting on each."""

    def __init__(self) -> None:
        self.next = FIRST_DYNAMIC_COMID
        #: ComID -> the response to its last request (b"" before any).
        self.responses: Dict[int, bytes] = {}

    def issue(self) -> int:
        comid = self.next
        if comid > 0xFFFF:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x55, 0x03)  # INSUFFICIENT RESOURCES
        self.next += 1
        self.responses[comid] = b""
        return comid


def _length(request: Request) -> int:
    """The ALLOCATION LENGTH or TRANSFER LENGTH in bytes: INC_512 counts 512-byte blocks."""
    count = request.u(6, 4)
    return count * 512 if request.cdb[4] & 0x80 else count


def _response(comid: int, request_code: int, data: bytes) -> bytes:
    return (comid.to_bytes(2, "big") + bytes(2) + request_code.to_bytes(4, "big") + bytes(2)
            + len(data).to_bytes(2, "big") + data)


def security_protocol_in(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    specific = request.u(2, 2)
    if cdb[1] == INFORMATION:
        if specific == 0x0000:
            data = bytes(6) + len(SUPPORTED).to_bytes(2, "big") + bytes(SUPPORTED)
        elif specific in (0x0001, 0x0002):
            data = bytes(4)  # CERTIFICATE LENGTH 0, or no compliance descriptors
        else:
            raise _sense.invalid_field_in_cdb(2)
    elif cdb[1] == TCG_COMID_MANAGEMENT:
        comids = disk.comids
        if specific == GET_COMID:
            data = comids.issue().to_bytes(2, "big") + bytes(2)
        elif specific in comids.responses:
            answer = comids.responses[specific]
            data = answer or _response(specific, 0, b"")  # no request: no response available
        else:
            raise _sense.invalid_field_in_cdb(2)  # a ComID the TPer never issued
    else:
        raise _sense.invalid_field_in_cdb(1)
    if cdb[4] & 0x80:
        # INC_512: the data is padded to a whole number of 512-byte blocks.
        data = data.ljust(-(-len(data) // 512) * 512, b"\0")
    return data[: _length(request)]


def security_protocol_out(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    if cdb[1] != TCG_COMID_MANAGEMENT:
        # 00h is for SECURITY PROTOCOL IN only (SPC-5 7.7.1); nothing else is offered.
        raise _sense.invalid_field_in_cdb(1)
    comids = disk.comids
    comid = request.u(2, 2)
    if comid not in comids.responses:
        raise _sense.invalid_field_in_cdb(2)
    length = _length(request)
    if length < _REQUEST:
        raise _sense.parameter_list_length_error()
    data = request.parameters(length)
    if int.from_bytes(data[0:2], "big") != comid:
        raise _sense.invalid_field_in_parameter_list(0)  # the request names another ComID
    if data[2:4] != bytes(2):
        raise _sense.invalid_field_in_parameter_list(2)  # dynamic ComIDs have extension 0000h
    code = int.from_bytes(data[4:8], "big")
    if code != STACK_RESET:
        raise _sense.invalid_field_in_parameter_list(4)
    # The ComID has no sessions and no queued packets: the reset always succeeds.
    comids.responses[comid] = _response(comid, code, _SUCCESS)
    return None
