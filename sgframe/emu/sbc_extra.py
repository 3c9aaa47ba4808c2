"""SBC-4 commands of the emulated disk about the medium's state rather than its data:
READ DEFECT DATA 10/12, READ LONG 10/16, WRITE LONG 10/16, REASSIGN BLOCKS, STREAM
CONTROL, GET STREAM STATUS and BACKGROUND CONTROL.

The medium has no primary defects. Its grown defect list holds the LBAs REASSIGN BLOCKS
moved. A "long" block is the logical block followed by 8 bytes of ECC (a CRC-32 of the
block, then four zero bytes), so WRITE LONG with ECC that does not match leaves an
unrecoverable block behind, as it does on a disk.
"""
from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

ECC_LENGTH = 8
#: The most streams STREAM CONTROL opens at once (VPD B7h would report it).
MAX_STREAMS = 8
_SHORT_BLOCK, _LONG_BLOCK = 0b000, 0b011


def read_defect_data(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    twelve = cdb[0] == 0xB7
    flags = cdb[1] if twelve else cdb[2]
    req_plist, req_glist, fmt = bool(flags & 0x10), bool(flags & 0x08), flags & 0x07
    # Block formats are answered as asked; the physical formats (cylinder, head,
    # sector) mean nothing on this medium, so it answers in long block format and says
    # so in the header (SBC-4 5.11.1).
    if fmt not in (_SHORT_BLOCK, _LONG_BLOCK):
        fmt = _LONG_BLOCK
    lbas = sorted(disk.grown_defects) if req_glist else []
    if fmt == _SHORT_BLOCK and any(lba > 0xFFFFFFFF for lba in lbas):
        fmt = _LONG_BLOCK
    size = 4 if fmt == _SHORT_BLOCK else 8
    if twelve:
        lbas = lbas[request.u(2, 4):]  # ADDRESS DESCRIPTOR INDEX
    body = b"".join(lba.to_bytes(size, "big") for lba in lbas)
    byte1 = (0x10 if req_plist else 0) | (0x08 if req_glist else 0) | fmt
    if twelve:
        return bytes((0, byte1, 0, 0)) + len(body).to_bytes(4, "big") + body
    if len(body) > 0xFFFF:
        body = body[: 0xFFFF - 0xFFFF % size]
    return bytes((0, byte1)) + len(body).to_bytes(2, "big") + body


def _long_fields(request: Request):
    """(lba, byte transfer length, pblock) of READ LONG / WRITE LONG 10 and 16."""
    cdb = request.cdb
    if cdb[0] in (0x3E, 0x3F):
        return request.u(2, 4), request.u(7, 2), 7
    return request.u(2, 8), request.u(12, 2), 12


def _ecc(block: bytes) -> bytes:
    return zlib.crc32(block).to_bytes(4, "big") + bytes(4)


def _wrong_length(requested: int, actual: int, at: int) -> _sense.Failure:
    # SBC-4 5.14: VALID and ILI set, INFORMATION = requested minus actual length.
    return _sense.Failure(_sense.ILLEGAL_REQUEST, 0x24, 0x00, information=(requested - actual) & 0xFFFFFFFF,
                          ili=True, sks=_sense.field_pointer(at))


def read_long(disk: "EmulatedDisk", request: Request) -> bytes:
    lba, length, at = _long_fields(request)
    disk.check_range(lba, 1)
    size = disk.block_size + ECC_LENGTH
    if length != size:
        raise _wrong_length(length, size, at)
    block = disk.medium.read(lba, 1)
    ecc = _ecc(block)
    if disk.first_bad_block(lba, 1) is not None:
        ecc = bytes(b ^ 0xFF for b in ecc)  # the stored ECC no longer matches the data
    return block + ecc


def write_long(disk: "EmulatedDisk", request: Request) -> None:
    lba, length, at = _long_fields(request)
    disk.check_range(lba, 1)
    wr_uncor = bool(request.cdb[1] & 0x40)
    if wr_uncor:
        if length:
            raise _sense.invalid_field_in_cdb(at)  # WR_UNCOR moves no data
        disk.inject_medium_error(lba, 1)
        return None
    size = disk.block_size + ECC_LENGTH
    if length != size:
        raise _wrong_length(length, size, at)
    data = request.parameters(size)
    block, ecc = data[: disk.block_size], data[disk.block_size :]
    disk.medium.write(lba, block)
    disk.heal(lba, 1)
    if ecc != _ecc(block):
        disk.inject_medium_error(lba, 1)
    return None


def reassign_blocks(disk: "EmulatedDisk", request: Request) -> None:
    longlba, longlist = bool(request.cdb[1] & 0x02), bool(request.cdb[1] & 0x01)
    header = request.parameters(4)
    length = int.from_bytes(header, "big") if longlist else int.from_bytes(header[2:4], "big")
    size = 8 if longlba else 4
    if length % size:
        raise _sense.invalid_field_in_parameter_list(0 if longlist else 2)
    data = request.parameters(4 + length)[4:]
    lbas = [int.from_bytes(data[k : k + size], "big") for k in range(0, length, size)]
    for lba in lbas:
        if lba > disk.last_lba:
            # INFORMATION: the first LBA not reassigned (SBC-4 5.31.1).
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x21, 0x00, information=lba)
    for lba in lbas:
        # The block moves to a spare: its recoverable data is kept, an injected error
        # goes away, and the LBA joins the grown defect list.
        disk.heal(lba, 1)
        if lba not in disk.grown_defects:
            disk.grown_defects.append(lba)
    return None


def stream_control(disk: "EmulatedDisk", request: Request) -> bytes:
    action = (request.cdb[1] >> 5) & 0x03
    if action == 0x01:  # open
        free = [sid for sid in range(1, MAX_STREAMS + 1) if sid not in disk.streams]
        if not free:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x55, 0x03)  # INSUFFICIENT RESOURCES
        disk.streams.add(free[0])
        return bytes((7, 0, 0, 0)) + free[0].to_bytes(2, "big") + bytes(2)
    if action == 0x02:  # close
        sid = request.u(4, 2)
        if sid not in disk.streams:
            raise _sense.invalid_field_in_cdb(4)
        disk.streams.discard(sid)
        return b""
    raise _sense.invalid_field_in_cdb(1, 6)


def get_stream_status(disk: "EmulatedDisk", request: Request) -> bytes:
    start = request.u(4, 2)
    body = b"".join(bytes((0, 0)) + sid.to_bytes(2, "big") + bytes(4) for sid in sorted(disk.streams) if sid >= start)
    return len(body).to_bytes(4, "big") + bytes(2) + len(disk.streams).to_bytes(2, "big") + body


def background_control(disk: "EmulatedDisk", request: Request) -> None:
    # Start (01b) and stop (10b) are accepted: the emulated disk has no background
    # work to schedule. 11b is reserved.
    if request.cdb[2] >> 6 == 0x03:
        raise _sense.invalid_field_in_cdb(2, 7)
    return None


__all__ = [
    "background_control", "get_stream_status", "read_defect_data", "read_long", "reassign_blocks",
    "stream_control", "write_long",
]
