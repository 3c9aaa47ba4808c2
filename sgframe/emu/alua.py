"""Explicit asymmetric logical unit access (ALUA) for the emulated disk (SPC-5 5.16).

``EmulatedDisk(alua="explicit")`` (``emu:disk?alua=explicit``) reports TPGS=11b, takes SET
TARGET PORT GROUPS, and answers REPORT TARGET PORT GROUPS with the state last set. The
disk has one target port group (1) holding one target port (relative port 1); every
I_T nexus of the emulator goes through that port, so a state set through one nexus is
what every nexus sees, and the others get UNIT ATTENTION, ASYMMETRIC ACCESS STATE
CHANGED (2Ah/06h) as SPC-5 5.16.2.3 asks.

In the standby and unavailable states only the commands SPC-5 5.16.2.4.4 and 5.16.2.4.5
list complete; every other command ends in NOT READY, LOGICAL UNIT NOT ACCESSIBLE with
ASCQ 0Bh (TARGET PORT IN STANDBY STATE) or 0Ch (TARGET PORT IN UNAVAILABLE STATE).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.errors import UsageError

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

__all__ = ["Alua", "MODES", "report_referrals", "set_target_port_groups"]

#: The ``alua`` values a disk takes: implicit (TPGS=01b, one fixed active/optimized
#: group, the default) or explicit (TPGS=11b, states set by SET TARGET PORT GROUPS).
MODES = ("implicit", "explicit")

ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED, STANDBY, UNAVAILABLE = 0x0, 0x1, 0x2, 0x3
GROUP = 1
RELATIVE_PORT = 1

# Supported states, byte 1 of the descriptor (SPC-5 Table 168): U_SUP, S_SUP, AN_SUP, AO_SUP.
_SUPPORTED = 0x08 | 0x04 | 0x02 | 0x01
_SETTABLE = (ACTIVE_OPTIMIZED, ACTIVE_NON_OPTIMIZED, STANDBY, UNAVAILABLE)

# What completes in standby (SPC-5 5.16.2.4.4): INQUIRY, LOG SELECT/SENSE, MODE
# SELECT/SENSE (6 and 10), REPORT LUNS, RECEIVE DIAGNOSTIC RESULTS, SEND DIAGNOSTIC,
# REQUEST SENSE, PERSISTENT RESERVE IN/OUT; REPORT and SET TARGET PORT GROUPS and the
# echo buffer modes of READ/WRITE BUFFER are checked apart (service action, mode).
_STANDBY_OPCODES = frozenset((0x12, 0x4C, 0x4D, 0x15, 0x55, 0x1A, 0x5A, 0xA0, 0x1C, 0x1D, 0x03, 0x5E, 0x5F))
# ... and in unavailable (5.16.2.4.5): INQUIRY, REPORT LUNS, REQUEST SENSE and the same extras.
_UNAVAILABLE_OPCODES = frozenset((0x12, 0xA0, 0x03))
_ECHO_BUFFER_MODES = (0x0A, 0x0B)  # WRITE BUFFER 0Ah (write echo), READ BUFFER 0Ah/0Bh
_NOT_ACCESSIBLE_ASCQ = {STANDBY: 0x0B, UNAVAILABLE: 0x0C}


class Alua:
    """The access state of the disk's one target port group."""

    def __init__(self, mode: str) -> None:
        if mode not in MODES:
            raise UsageError(f"alua={mode!r}: allowed: {', '.join(MODES)}")
        self.explicit = mode == "explicit"
        self.state = ACTIVE_OPTIMIZED
        self.status = 0x00  # STATUS CODE: 01h once SET TARGET PORT GROUPS has changed the state

    @property
    def tpgs(self) -> int:
        """The TPGS field of the standard INQUIRY data (byte 5 bits 5-4)."""
        return 0x3 if self.explicit else 0x1

    def check_access(self, request: Request) -> None:
        """Raise NOT READY, LOGICAL UNIT NOT ACCESSIBLE for a command the state forbids."""
        if self.state not in _NOT_ACCESSIBLE_ASCQ:
            return
        cdb = request.cdb
        allowed = _STANDBY_OPCODES if self.state == STANDBY else _UNAVAILABLE_OPCODES
        if cdb[0] in allowed:
            return
        if cdb[0] in (0xA3, 0xA4) and len(cdb) > 1 and cdb[1] & 0x1F == 0x0A:
            return  # REPORT / SET TARGET PORT GROUPS
        if cdb[0] in (0x3B, 0x3C) and len(cdb) > 1 and cdb[1] & 0x1F in _ECHO_BUFFER_MODES:
            return
        raise _sense.Failure(_sense.NOT_READY, 0x04, _NOT_ACCESSIBLE_ASCQ[self.state])

    def descriptor(self) -> bytes:
        """The target port group descriptor of REPORT TARGET PORT GROUPS (SPC-5 6.36.2):
        PREF=0 and the state, the supported states (T_SUP=0: no transitioning is ever
        reported), the group, the status code (01h: altered by SET TARGET PORT GROUPS),
        the port count and the one relative target port."""
        return (bytes((self.state, _SUPPORTED if self.explicit else 0x01)) + GROUP.to_bytes(2, "big")
                + bytes((0, self.status, 0, 1)) + bytes(2) + RELATIVE_PORT.to_bytes(2, "big"))


def set_target_port_groups(disk: "EmulatedDisk", request: Request) -> None:
    """SET TARGET PORT GROUPS (SPC-5 6.44): 4 reserved bytes, then 4-byte descriptors of
    (state, reserved, target port group). An unknown group or a state that cannot be set
    is INVALID FIELD IN PARAMETER LIST; the descriptors are all checked before any is
    applied, so a rejected list changes nothing."""
    alua = disk.alua
    data = request.data_out
    length = request.u(6, 4)
    if len(data) < length:
        raise _sense.parameter_list_length_error()
    data = data[:length]
    if length < 4 or (length - 4) % 4:
        raise _sense.parameter_list_length_error()
    wanted = []
    for at in range(4, length, 4):
        state, group = data[at] & 0x0F, int.from_bytes(data[at + 2:at + 4], "big")
        if state not in _SETTABLE:
            raise _sense.invalid_field_in_parameter_list(at, 3)
        if group != GROUP:
            raise _sense.invalid_field_in_parameter_list(at + 2)
        wanted.append(state)
    for state in wanted:
        if state != alua.state:
            alua.state, alua.status = state, 0x01
            disk.unit_attention(0x2A, 0x06, exclude=request.nexus)


def report_referrals(disk: "EmulatedDisk", request: Request) -> bytes:
    """REPORT REFERRALS (SBC-4 5.22): one user data segment, the whole LBA range, reached
    through the disk's one target port group in its current access state, as VPD page
    B3h describes it (no segment size or multiplier: a single segment).

    ONE_SEG (byte 14 bit 0) asks for the segment holding LOGICAL BLOCK ADDRESS only;
    without it, that segment and every later one: here both are the one segment."""
    lba = request.u(2, 8)
    if lba > disk.last_lba:
        raise _sense.lba_out_of_range()
    group = bytes((disk.alua.state, 0)) + GROUP.to_bytes(2, "big")
    descriptor = bytes((0, 0, 0, 1)) + (0).to_bytes(8, "big") + disk.last_lba.to_bytes(8, "big") + group
    return bytes(2) + len(descriptor).to_bytes(2, "big") + descriptor
