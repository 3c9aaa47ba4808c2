"""MODE SENSE and MODE SELECT (SPC-5 6.13-6.16, 7.5) with pages 01h, 08h, 0Ah, 1Ch.

Saved values equal current values: saving is supported (PS=1) and costs nothing,
since the emulated disk never loses power.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

READ_WRITE_ERROR_RECOVERY = 0x01
CACHING = 0x08
CONTROL = 0x0A
INFORMATIONAL_EXCEPTIONS = 0x1C

# Defaults (bytes 2.. of each page; bytes 0-1 are PS|code and the page length).
_DEFAULTS: Dict[int, bytes] = {
    # AWRE and ARRE set: the disk reallocates on its own.
    READ_WRITE_ERROR_RECOVERY: bytes.fromhex("c0 00 00 00 00 00 00 00 00 00"),
    # WCE set (patched from write_cache); 16 cache segments.
    CACHING: bytes.fromhex("04 00 ffff 0000 ffff ffff 00 10 0000 00 000000"),
    # GLTSD set; QUEUE ALGORITHM MODIFIER 1 (unrestricted reordering); busy timeout
    # unlimited; extended self-test completion time 30 s.
    CONTROL: bytes.fromhex("02 10 00 00 00 00 ffff 001e"),
    # MRIE 6: report informational exceptions only on request (LOG SENSE page 2Fh).
    INFORMATIONAL_EXCEPTIONS: bytes.fromhex("00 06 00000000 00000000"),
}

_CHANGEABLE: Dict[int, bytes] = {
    READ_WRITE_ERROR_RECOVERY: bytes.fromhex("c0 ff 00 00 00 00 ff 00 00 00"),
    CACHING: bytes.fromhex("05 00 0000 0000 0000 0000 00 00 0000 00 000000"),
    CONTROL: bytes.fromhex("06 00 00 00 00 00 0000 0000"),
    INFORMATIONAL_EXCEPTIONS: bytes.fromhex("9d 0f ffffffff ffffffff"),
}

PAGE_CODES = sorted(_DEFAULTS)

# Device-specific parameter: WP=0, DPOFUA=1 (SBC-4 6.5.1).
_DEVICE_SPECIFIC = 0x10


class ModePages:
    """Current values of the mode pages of one disk."""

    def __init__(self, disk: "EmulatedDisk", *, dsense: bool, write_cache: bool) -> None:
        self._disk = disk
        self.current: Dict[int, bytearray] = {code: bytearray(body) for code, body in _DEFAULTS.items()}
        if not write_cache:
            self.current[CACHING][0] &= ~0x04
        if dsense:
            self.current[CONTROL][0] |= 0x04

    @property
    def descriptor_sense(self) -> bool:
        return bool(self.current[CONTROL][0] & 0x04)

    @property
    def write_cache(self) -> bool:
        return bool(self.current[CACHING][0] & 0x04)

    @property
    def ie_test(self) -> bool:
        return bool(self.current[INFORMATIONAL_EXCEPTIONS][0] & 0x04)

    def page(self, code: int, page_control: int) -> bytes:
        if page_control == 1:
            body = _CHANGEABLE[code]
        elif page_control == 2:
            body = _DEFAULTS[code]
        else:
            body = bytes(self.current[code])
        return bytes((0x80 | code, len(body))) + body


def _block_descriptor(disk: "EmulatedDisk", long_lba: bool, page_control: int) -> bytes:
    if page_control == 1:
        # Neither the capacity nor the block length can be changed.
        return bytes(16 if long_lba else 8)
    if long_lba:
        return disk.blocks.to_bytes(8, "big") + bytes(4) + disk.block_size.to_bytes(4, "big")
    return min(disk.blocks, 0xFFFFFFFF).to_bytes(4, "big") + b"\x00" + disk.block_size.to_bytes(3, "big")


def mode_sense(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    ten = cdb[0] == 0x5A
    dbd = bool(cdb[1] & 0x08)
    llbaa = ten and bool(cdb[1] & 0x10)
    page_control = cdb[2] >> 6
    page_code = cdb[2] & 0x3F
    subpage = cdb[3]
    if subpage not in (0x00, 0xFF):
        raise _sense.invalid_field_in_cdb(3)
    if page_code == 0x3F:
        codes: List[int] = PAGE_CODES
    elif page_code in _DEFAULTS:
        codes = [page_code]
    else:
        raise _sense.invalid_field_in_cdb(2, 5)
    pages = b"".join(disk.modes.page(code, page_control) for code in codes)
    descriptor = b"" if dbd else _block_descriptor(disk, llbaa, page_control)
    if ten:
        length = 6 + len(descriptor) + len(pages)
        header = length.to_bytes(2, "big") + bytes(
            (0, _DEVICE_SPECIFIC, 0x01 if len(descriptor) == 16 else 0x00, 0)
        ) + len(descriptor).to_bytes(2, "big")
    else:
        length = 3 + len(descriptor) + len(pages)
        header = bytes((length, 0, _DEVICE_SPECIFIC, len(descriptor)))
    return header + descriptor + pages


def mode_select(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    ten = cdb[0] == 0x55
    length = request.u(7, 2) if ten else cdb[4]
    if length == 0:
        return None
    if not cdb[1] & 0x10:
        # Only the page format (PF=1) is implemented; vendor formats are not.
        raise _sense.invalid_field_in_cdb(1, 4)
    data = request.parameters(length)
    header_length = 8 if ten else 4
    if length < header_length:
        raise _sense.parameter_list_length_error()
    if ten:
        if data[0] or data[1]:
            raise _sense.invalid_field_in_parameter_list(0)  # MODE DATA LENGTH is reserved here
        if data[2]:
            raise _sense.invalid_field_in_parameter_list(2)
        long_lba = bool(data[4] & 0x01)
        descriptor_length = int.from_bytes(data[6:8], "big")
        length_at = 6
    else:
        if data[0]:
            raise _sense.invalid_field_in_parameter_list(0)
        if data[1]:
            raise _sense.invalid_field_in_parameter_list(1)
        long_lba = False
        descriptor_length = data[3]
        length_at = 3
    if descriptor_length not in (0, 16 if long_lba else 8):
        raise _sense.invalid_field_in_parameter_list(length_at)
    offset = header_length
    if descriptor_length:
        if offset + descriptor_length > length:
            raise _sense.parameter_list_length_error()
        descriptor = data[offset : offset + descriptor_length]
        if long_lba:
            blocks = int.from_bytes(descriptor[0:8], "big")
            block_length = int.from_bytes(descriptor[12:16], "big")
            expected = disk.blocks
            length_offset = 12
        else:
            blocks = int.from_bytes(descriptor[0:4], "big")
            block_length = int.from_bytes(descriptor[5:8], "big")
            expected = min(disk.blocks, 0xFFFFFFFF)
            length_offset = 5
        if blocks not in (0, expected):
            raise _sense.invalid_field_in_parameter_list(offset)
        if block_length != disk.block_size:
            raise _sense.invalid_field_in_parameter_list(offset + length_offset)
        offset += descriptor_length
    updates: Dict[int, bytes] = {}
    while offset < length:
        if offset + 2 > length:
            raise _sense.parameter_list_length_error()
        if data[offset] & 0x40:
            raise _sense.invalid_field_in_parameter_list(offset, 6)  # no subpages here
        code = data[offset] & 0x3F
        if code not in _DEFAULTS:
            raise _sense.invalid_field_in_parameter_list(offset, 5)
        page_length = data[offset + 1]
        if page_length != len(_DEFAULTS[code]):
            raise _sense.invalid_field_in_parameter_list(offset + 1)
        if offset + 2 + page_length > length:
            raise _sense.parameter_list_length_error()
        body = data[offset + 2 : offset + 2 + page_length]
        current = disk.modes.current[code]
        changeable = _CHANGEABLE[code]
        for index, value in enumerate(body):
            bad = (value ^ current[index]) & ~changeable[index] & 0xFF
            if bad:
                raise _sense.invalid_field_in_parameter_list(offset + 2 + index, bad.bit_length() - 1)
        updates[code] = body
        offset += 2 + page_length
    changed = False
    for code, body in updates.items():
        if disk.modes.current[code] != body:
            disk.modes.current[code][:] = body
            changed = True
    if changed:
        # SPC-5 7.5.1: other I_T nexuses learn that mode parameters changed.
        disk.unit_attention(0x2A, 0x01, exclude=request.nexus)
    return None
