"""SECURITY PROTOCOL IN of the emulated disk (SPC-5 6.40): protocol 00h only, the
security protocol information every device that has the command must answer. The disk
has no certificate and claims no compliance."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

SUPPORTED = (0x00,)


def security_protocol_in(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    if cdb[1] not in SUPPORTED:
        raise _sense.invalid_field_in_cdb(1)
    specific = request.u(2, 2)
    if specific == 0x0000:
        data = bytes(6) + len(SUPPORTED).to_bytes(2, "big") + bytes(SUPPORTED)
    elif specific == 0x0001:
        data = bytes(4)  # CERTIFICATE LENGTH 0: no certificate
    elif specific == 0x0002:
        data = bytes(4)  # no compliance descriptors
    else:
        raise _sense.invalid_field_in_cdb(2)
    allocation = request.u(6, 4)
    if cdb[4] & 0x80:
        # INC_512: the allocation length counts 512-byte blocks, and the data is padded
        # to a whole number of them.
        allocation *= 512
        data = data.ljust(-(-len(data) // 512) * 512, b"\0")
    return data[:allocation]
