"""SBC-4 commands of the emulated disk: the data path and the provisioning commands.

READ/WRITE 6/10/12/16/32, VERIFY 10/12/16, WRITE AND VERIFY 10/12/16, ORWRITE(16),
WRITE SAME 10/16, UNMAP, SYNCHRONIZE CACHE 10/16, PRE-FETCH 10/16, COMPARE AND WRITE,
READ CAPACITY 10/16, GET LBA STATUS 16/32, FORMAT UNIT and SANITIZE.  Here the disk has no
protection information, so a non-zero RDPROTECT/WRPROTECT/VRPROTECT is INVALID FIELD IN CDB
(SBC-4 5.19 and the tables that follow it); a disk made with ``protection=1|2|3`` answers
READ and WRITE through :mod:`sgframe.emu.protection` instead.
"""
from __future__ import annotations

from time import perf_counter_ns as _clock
from typing import TYPE_CHECKING, Tuple

from sgframe.emu import logs as _logs
from sgframe.emu import sense as _sense
from sgframe.emu import vpd as _vpd
from sgframe.emu.reply import Reply, Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

# (LBA start, LBA length, count start, count length, protect byte) per operation code.
_LAYOUT = {
    0x28: (2, 4, 7, 2, 1), 0x2A: (2, 4, 7, 2, 1), 0x2F: (2, 4, 7, 2, 1), 0x2E: (2, 4, 7, 2, 1),
    0x41: (2, 4, 7, 2, 1), 0x35: (2, 4, 7, 2, None), 0x34: (2, 4, 7, 2, None),
    0xA8: (2, 4, 6, 4, 1), 0xAA: (2, 4, 6, 4, 1), 0xAF: (2, 4, 6, 4, 1), 0xAE: (2, 4, 6, 4, 1),
    0x8B: (2, 8, 10, 4, 1),
    0x88: (2, 8, 10, 4, 1), 0x8A: (2, 8, 10, 4, 1), 0x8F: (2, 8, 10, 4, 1), 0x8E: (2, 8, 10, 4, 1),
    0x93: (2, 8, 10, 4, 1), 0x91: (2, 8, 10, 4, None), 0x90: (2, 8, 10, 4, None),
    0x7F: (12, 8, 28, 4, 10),
}


def _fields(request: Request) -> Tuple[int, int, int]:
    """(lba, number of blocks, byte of the count field) of a block command."""
    cdb = request.cdb
    if cdb[0] in (0x08, 0x0A):
        # READ(6)/WRITE(6): a TRANSFER LENGTH of 0 means 256 blocks (SBC-4 5.15).
        return ((cdb[1] & 0x1F) << 16) | request.u(2, 2), cdb[4] or 256, 4
    lba_at, lba_len, count_at, count_len, protect_at = _LAYOUT[cdb[0]]
    if protect_at is not None and cdb[protect_at] & 0xE0:
        raise _sense.invalid_field_in_cdb(protect_at, 7)
    return request.u(lba_at, lba_len), request.u(count_at, count_len), count_at


def _transfer(disk: "EmulatedDisk", request: Request) -> Tuple[int, int]:
    lba, count, count_at = _fields(request)
    disk.check_range(lba, count)
    if count > disk.max_transfer_length:
        raise _sense.invalid_field_in_cdb(count_at)
    return lba, count


def _read_checked(disk: "EmulatedDisk", lba: int, count: int, counters: int = _logs.READ_ERRORS) -> bytes:
    """The blocks, or MEDIUM ERROR carrying the good blocks before the bad one.

    ``counters`` is the error counter log page that counts the transfer: VERIFY reads the
    medium too, but counts in the verify error counters (05h).
    """
    bad = disk.first_bad_block(lba, count)
    if bad is not None:
        disk.logs.count(counters, _logs.UNCORRECTED)
        good = disk.medium.read(lba, bad - lba)
        disk.logs.count(counters, _logs.BYTES_PROCESSED, len(good))
        raise _sense.Failure(_sense.MEDIUM_ERROR, 0x11, 0x00, information=bad, data=good)
    data = disk.medium.read(lba, count)
    disk.logs.count(counters, _logs.BYTES_PROCESSED, len(data))
    return data


def _lba_byte(request: Request) -> int:
    """Where the LBA field starts, for field pointers."""
    return {0x0A: 1, 0x7F: 12}.get(request.cdb[0], 2)


def _store(disk: "EmulatedDisk", lba: int, data: bytes, request: Request) -> None:
    count = len(data) // disk.block_size
    if disk.zones is not None:
        disk.zones.check_write(lba, count, _lba_byte(request))
    if disk.lbppbe:
        per_physical = 1 << disk.lbppbe
        if lba % per_physical or (lba + count) % per_physical:
            disk.logs.lps_misaligned(lba if lba % per_physical else lba + count - (lba + count) % per_physical)
    disk.medium.write(lba, data)
    disk.heal(lba, count)
    if disk.zones is not None:
        disk.zones.written(lba, count)
    disk.logs.count(_logs.WRITE_ERRORS, _logs.BYTES_PROCESSED, len(data))


# READ and WRITE count in the general statistics page (19h): once the CDB is valid,
# done or not, with the FUA bit (byte 1 bit 3; byte 10 of a 32-byte CDB; none in READ(6)
# and WRITE(6)), tested in place: a helper's call would cost more than the test, and these
# are the hot path.
_NO_FUA = (0x08, 0x0A)


def read(disk: "EmulatedDisk", request: Request) -> bytes:
    started = _clock()
    lba, count = _transfer(disk, request)
    moved = 0
    try:
        if disk.zones is not None:
            disk.zones.check_read(lba, count)
        data = _read_checked(disk, lba, count) if count else b""
        moved = count
        return data
    finally:
        cdb = request.cdb
        disk.logs.statistics.done(
            "read", moved, cdb[0] not in _NO_FUA and bool(cdb[10 if cdb[0] == 0x7F else 1] & 0x08), started)


def write(disk: "EmulatedDisk", request: Request) -> None:
    started = _clock()
    lba, count = _transfer(disk, request)
    moved = 0
    try:
        if count:
            _store(disk, lba, request.parameters(count * disk.block_size), request)
        moved = count
    finally:
        cdb = request.cdb
        disk.logs.statistics.done(
            "write", moved, cdb[0] not in _NO_FUA and bool(cdb[10 if cdb[0] == 0x7F else 1] & 0x08), started)
    return None


def _compare(expected: bytes, actual: bytes, base: int = 0) -> None:
    if expected != actual:
        offset = next(i for i, (a, b) in enumerate(zip(expected, actual)) if a != b)
        raise _sense.miscompare(base + offset)


def verify(disk: "EmulatedDisk", request: Request) -> None:
    lba, count = _transfer(disk, request)
    bytchk = (request.cdb[1] >> 1) & 0x03
    if bytchk == 2:
        raise _sense.invalid_field_in_cdb(1, 2)
    if not count:
        return None
    size = disk.block_size
    if bytchk == 1:
        expected = request.parameters(count * size)
    elif bytchk == 3:
        # One block of data-out compared with every block in the range.
        expected = request.parameters(size) * count
    else:
        expected = None
    actual = _read_checked(disk, lba, count, _logs.VERIFY_ERRORS)
    if expected is not None:
        _compare(expected, actual)
    return None


def write_and_verify(disk: "EmulatedDisk", request: Request) -> None:
    lba, count = _transfer(disk, request)
    if (request.cdb[1] >> 1) & 0x03 > 1:
        raise _sense.invalid_field_in_cdb(1, 2)
    if count:
        # The verification of freshly written, healed blocks always succeeds.
        _store(disk, lba, request.parameters(count * disk.block_size), request)
    return None


def orwrite(disk: "EmulatedDisk", request: Request) -> None:
    """ORWRITE(16): each data-out byte ORed into the stored block (SBC-4 5.16, BMOP 000b)."""
    lba, count = _transfer(disk, request)
    if count:
        data = request.parameters(count * disk.block_size)
        old = _read_checked(disk, lba, count)
        merged = (int.from_bytes(old, "big") | int.from_bytes(data, "big")).to_bytes(len(data), "big")
        _store(disk, lba, merged, request)
    return None


def write_same(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    lba, count, count_at = _fields(request)
    if cdb[1] & 0x10:
        raise _sense.invalid_field_in_cdb(1, 4)  # ANCHOR: ANC_SUP is zero
    unmap = bool(cdb[1] & 0x08)
    ndob = cdb[0] == 0x93 and bool(cdb[1] & 0x01)
    if unmap and not disk.lbpu:
        raise _sense.invalid_field_in_cdb(1, 3)
    if count == 0 or count > _vpd.MAX_WRITE_SAME:
        # WSNZ is set and MAXIMUM WRITE SAME LENGTH bounds the rest (B0h).
        raise _sense.invalid_field_in_cdb(count_at)
    disk.check_range(lba, count)
    size = disk.block_size
    block = bytes(size) if ndob else request.parameters(size)
    if unmap and block == bytes(size):
        # LBPRZ=1: a deallocated block reads as zeros, so unmapping is exact.
        disk.medium.deallocate(lba, count)
        disk.heal(lba, count)
        return None
    if disk.zones is not None:
        disk.zones.check_write(lba, count, _lba_byte(request))
    disk.medium.write_same(lba, count, block)
    disk.heal(lba, count)
    if disk.zones is not None:
        disk.zones.written(lba, count)
    return None


def unmap(disk: "EmulatedDisk", request: Request) -> None:
    if request.cdb[1] & 0x01:
        raise _sense.invalid_field_in_cdb(1, 0)  # ANCHOR
    length = request.u(7, 2)
    if length == 0:
        return None
    if length < 8:
        raise _sense.parameter_list_length_error()
    data = request.parameters(length)
    described = int.from_bytes(data[2:4], "big")
    # A trailing partial descriptor is ignored (SBC-4 5.30.2).
    count = min(described, length - 8) // 16
    if count > _vpd.MAX_UNMAP_DESCRIPTORS:
        raise _sense.invalid_field_in_parameter_list(2)
    ranges = []
    total = 0
    for index in range(count):
        at = 8 + 16 * index
        lba = int.from_bytes(data[at : at + 8], "big")
        blocks = int.from_bytes(data[at + 8 : at + 12], "big")
        # SBC-4 5.30.2: NUMBER OF LOGICAL BLOCKS zero unmaps nothing and "shall not be
        # considered an error"; only LBA + blocks beyond the capacity is out of range, so a
        # zero-block descriptor at LBA = capacity is accepted (as LIO's sbc_execute_unmap).
        if lba + blocks > disk.blocks:
            raise _sense.lba_out_of_range()
        total += blocks
        if total > _vpd.MAX_UNMAP_LBA_COUNT:
            raise _sense.invalid_field_in_parameter_list(at + 8)
        ranges.append((lba, blocks))
    for lba, blocks in ranges:
        disk.medium.deallocate(lba, blocks)
        disk.heal(lba, blocks)
    return None


def synchronize_cache(disk: "EmulatedDisk", request: Request) -> None:
    lba, count, _ = _fields(request)
    # NUMBER OF LOGICAL BLOCKS 0 means "to the last LBA" (SBC-4 5.26).
    disk.check_range(lba, count or 1)
    return None


def pre_fetch(disk: "EmulatedDisk", request: Request) -> Reply:
    lba, count, _ = _fields(request)
    disk.check_range(lba, count or 1)
    # CONDITION MET: the cache had room for every block (SBC-4 5.9).
    return Reply(_sense.CONDITION_MET)


def compare_and_write(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    if cdb[1] & 0xE0:
        raise _sense.invalid_field_in_cdb(1, 7)
    lba = request.u(2, 8)
    count = cdb[13]
    if count > _vpd.MAX_COMPARE_AND_WRITE:
        raise _sense.invalid_field_in_cdb(13)
    disk.check_range(lba, count)
    if not count:
        return None
    size = count * disk.block_size
    data = request.parameters(2 * size)
    _compare(data[:size], _read_checked(disk, lba, count))
    _store(disk, lba, data[size:], request)
    return None


def read_capacity_10(disk: "EmulatedDisk", request: Request) -> bytes:
    if not request.cdb[8] & 0x01 and request.u(2, 4):
        raise _sense.invalid_field_in_cdb(2)  # LOGICAL BLOCK ADDRESS without PMI
    # FFFFFFFFh tells the initiator to use READ CAPACITY(16) (SBC-4 5.20.2).
    last = min(disk.last_lba, 0xFFFFFFFF)
    return last.to_bytes(4, "big") + disk.block_size.to_bytes(4, "big")


def read_capacity_16(disk: "EmulatedDisk", request: Request) -> bytes:
    if not request.cdb[14] & 0x01 and request.u(2, 8):
        raise _sense.invalid_field_in_cdb(2)
    raw = bytearray(32)
    raw[0:8] = disk.last_lba.to_bytes(8, "big")
    raw[8:12] = disk.block_size.to_bytes(4, "big")
    raw[13] = disk.lbppbe  # LOWEST ALIGNED LBA 0: LBA 0 starts a physical block
    if disk.zoned:
        raw[12] = 0x10  # RC BASIS 01b: the returned LBA is the last LBA of the unit
    if disk.protection:
        raw[12] |= (disk.protection - 1) << 1 | 0x01  # P_TYPE, PROT_EN
    if disk.lbpu:
        raw[14] = 0xC0  # LBPME, LBPRZ
    return bytes(raw)


def get_lba_status(disk: "EmulatedDisk", request: Request) -> bytes:
    if request.cdb[0] == 0x7F:
        # GET LBA STATUS(32) (SBC-5): the disk has no physical elements to name, and a
        # SCAN LENGTH (0: no limit) bounds the LBAs looked at.
        lba, allocation, report_type = request.u(12, 8), request.u(28, 4), request.cdb[10] & 0x03
        if request.u(24, 4):
            raise _sense.invalid_field_in_cdb(24)
        scan = request.u(20, 4) or 1 << 62
    else:
        lba, allocation, report_type = request.u(2, 8), request.u(10, 4), request.cdb[14] & 0x03
        scan = 1 << 62
    if lba > disk.last_lba:
        raise _sense.lba_out_of_range()
    wanted = max(1, min(1024, (allocation - 8) // 16))
    descriptors = bytearray()
    found = 0
    for start, count, state in disk.medium.runs(lba, 1 << 62):
        if start >= lba + scan:
            break
        count = min(count, lba + scan - start)
        if report_type == 1 and state == 0:
            continue  # only non-zero provisioning status
        if report_type == 2 and state != 0:
            continue  # only mapped (or anchored)
        if report_type == 3 and state != 1:
            continue  # only deallocated
        descriptors += start.to_bytes(8, "big") + count.to_bytes(4, "big") + bytes((state, 0, 0, 0))
        found += 1
        if found >= wanted:
            break
    return (len(descriptors) + 4).to_bytes(4, "big") + bytes(4) + bytes(descriptors)


def _wipe(disk: "EmulatedDisk", pattern: "bytes | None") -> None:
    disk.medium.fill(pattern)
    disk.clear_medium_errors()
    if disk.zones is not None:
        disk.zones.reset_all()


def format_unit(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    if cdb[1] & 0xC0:
        raise _sense.invalid_field_in_cdb(1, 7)  # FMTPINFO: no protection information
    if cdb[1] & 0x10:  # FMTDATA: a parameter list header follows
        long_list = bool(cdb[1] & 0x20)
        header = request.parameters(8 if long_list else 4)
        if header[0] & 0x07:
            raise _sense.invalid_field_in_parameter_list(0, 2)
        if header[1] & 0x08:
            # IP: only the default pattern (type 00h, no pattern bytes), with or without SI;
            # the medium is wiped to zeros either way.
            descriptor = request.parameters(len(header) + 4)[len(header):]
            if descriptor[0] & 0xDF or descriptor[1] or descriptor[2:4] != bytes(2):
                raise _sense.invalid_field_in_parameter_list(len(header))
        defects = int.from_bytes(header[4:8], "big") if long_list else int.from_bytes(header[2:4], "big")
        if defects:
            # No defect management: the emulated medium has no defects to list.
            raise _sense.invalid_field_in_parameter_list(4 if long_list else 2)
    else:
        header = b""
    _wipe(disk, None)
    disk.logs.formatted(header)  # the format status log page (08h) reports it
    return None


def format_with_preset(disk: "EmulatedDisk", request: Request) -> None:
    """FORMAT WITH PRESET (SBC-4 5.6): format to a preset of VPD page B8h.

    The one preset is the disk's own format (emu/vpd_device.py), so formatting to it is
    FORMAT UNIT without a parameter list: the medium is wiped, medium errors and zones
    reset.  IMMED is honoured trivially (the format is done before status is returned);
    FMTMAXLBA changes nothing, the preset's designed last LBA being the largest there is.
    The format status log page keeps what the last FORMAT UNIT sent: there was no FORMAT
    DATA OUT here.
    """
    from sgframe.emu import vpd_device

    # Reserved bits are refused by the command table, from the CDB usage data.
    if request.u(2, 4) != vpd_device.PRESET_IDENTIFIER:
        raise _sense.invalid_field_in_cdb(2)  # no such preset in VPD page B8h
    _wipe(disk, None)
    return None


def sanitize(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    action = cdb[1] & 0x1F
    length = request.u(7, 2)
    if action != 0x01:
        if length:
            raise _sense.invalid_field_in_cdb(7)
        if action in (0x02, 0x03):
            _wipe(disk, None)  # block erase and cryptographic erase both deallocate
        return None
    size = disk.block_size
    if length < 4 or length > size + 4:
        raise _sense.invalid_field_in_cdb(7)
    data = request.parameters(length)
    if data[0] & 0x60:
        raise _sense.invalid_field_in_parameter_list(0, 6)  # TEST
    passes = data[0] & 0x1F
    if passes == 0:
        raise _sense.invalid_field_in_parameter_list(0, 4)
    pattern_length = int.from_bytes(data[2:4], "big")
    if pattern_length == 0 or pattern_length > size:
        raise _sense.invalid_field_in_parameter_list(2)
    if length != 4 + pattern_length:
        raise _sense.parameter_list_length_error()
    pattern = data[4:]
    block = (pattern * (size // pattern_length + 1))[:size]
    if data[0] & 0x80 and passes % 2 == 0:
        # INVERT: passes alternate between the pattern and its inverse, so an even
        # number of passes leaves the inverse on the medium.
        block = bytes(b ^ 0xFF for b in block)
    _wipe(disk, block)
    return None


def write_atomic(disk: "EmulatedDisk", request: Request) -> None:
    """WRITE ATOMIC(16) (SBC-4 5.49): the blocks are written in one step, as every write
    of the emulated disk is; the limits are VPD page B0h's."""
    cdb = request.cdb
    if cdb[1] & 0xE0:
        raise _sense.invalid_field_in_cdb(1, 7)  # no protection information
    if request.u(10, 2):
        # MAXIMUM ATOMIC BOUNDARY SIZE is 0 in B0h: an ATOMIC BOUNDARY cannot be honoured.
        raise _sense.invalid_field_in_cdb(10)
    lba, count = request.u(2, 8), request.u(12, 2)
    disk.check_range(lba, count)
    if count > _vpd.MAX_ATOMIC_TRANSFER_LENGTH:
        raise _sense.invalid_field_in_cdb(12)
    if count:
        _store(disk, lba, request.parameters(count * disk.block_size), request)
    return None
