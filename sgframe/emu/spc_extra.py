"""SPC-5 commands of the emulated disk added with issue 14: REPORT IDENTIFYING
INFORMATION and REPORT PRIORITY (MAINTENANCE IN), READ MEDIA SERIAL NUMBER (SERVICE
ACTION IN(12)).

No SET IDENTIFYING INFORMATION or SET PRIORITY is emulated, so the identifying
information is empty and every I_T nexus has the default priority.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

__all__ = ["media_serial_number", "read_media_serial_number", "report_identifying_information", "report_priority"]

#: REPORT IDENTIFYING INFORMATION types (SPC-5 6.32): peripheral device identifying
#: information, its text form, and the list of supported types.
_IDENTIFYING, _TEXT, _SUPPORTED = 0x00, 0x02, 0x7F
#: The longest each type could hold if SET IDENTIFYING INFORMATION were emulated
#: (SPC-5: 512 bytes and 256 bytes at most).
_MAXIMUM = {_IDENTIFYING: 512, _TEXT: 256}


def report_identifying_information(disk: "EmulatedDisk", request: Request) -> bytes:
    kind = request.cdb[10] >> 1
    if kind == _SUPPORTED:
        body = b"".join(bytes((code << 1, 0)) + length.to_bytes(2, "big") for code, length in _MAXIMUM.items())
    elif kind in _MAXIMUM:
        body = b""  # nothing was ever set
    else:
        raise _sense.invalid_field_in_cdb(10, 7)
    return bytes(2) + len(body).to_bytes(2, "big") + body


def report_priority(disk: "EmulatedDisk", request: Request) -> bytes:
    reported = request.cdb[2] >> 6
    if reported == 0b00:
        # The I_T nexus of the command, at relative target port 1, priority 0 (the
        # default, from INITIAL COMMAND PRIORITY).  The emulator sees no initiator port,
        # so the descriptor carries no TransportID (ADDITIONAL DESCRIPTOR LENGTH 0).
        descriptors = bytes((0, 0)) + (1).to_bytes(2, "big") + bytes(4)
    elif reported == 0b01:
        descriptors = b""  # no I_T nexus has had its priority changed
    else:
        raise _sense.invalid_field_in_cdb(2, 7)  # reserved values
    return len(descriptors).to_bytes(4, "big") + descriptors


def media_serial_number(disk: "EmulatedDisk") -> bytes:
    """The serial number of the disk's medium: the unit serial number with "-M" after it,
    padded with spaces to a multiple of four bytes.

    SPC-5 6.17 lets any device with a medium report one. A disk's platters never leave
    it, so its medium has the one serial number for life (emu:disk and emu:zoned alike);
    a removable disk's medium is the same medium at every load, as the emulator has only
    one. The suffix keeps it apart from VPD page 80h's: they name different things."""
    serial = f"{disk.serial}-M".encode("ascii")
    return serial + b" " * (-len(serial) % 4)


def read_media_serial_number(disk: "EmulatedDisk", request: Request) -> bytes:
    if not disk.medium_present:
        raise _sense.medium_not_present()  # no medium, no serial number (SPC-5 6.17)
    serial = media_serial_number(disk)
    return len(serial).to_bytes(4, "big") + serial
