"""The log pages that report how the host uses the emulated disk, and what it stores in it:
buffer over-run/under-run (01h, SPC-5 7.3.3), logical block provisioning (0Ch, SBC-4
6.4.5, thin disks), application client (0Fh, SPC-5 7.3.4, written by LOG SELECT), LPS
misalignment (15h/03h, SBC-4 6.4.6), non-volatile cache (17h, SBC-3 6.4.6) and general
statistics and performance (19h, SPC-5 7.3.23).

Imported at the first LOG SENSE or LOG SELECT of one of these pages (emu/logs.py names
them), not at start-up.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple

from sgframe.emu import sense as _sense

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

# What emu/logs.py calls these builders with and wants back; that module imports this
# one, so the few shared names are spelled here rather than imported back.
Parameters = List[Tuple[int, bytes]]
APPLICATION_CLIENT = 0x0F


def _parameter(code: int, control: int, value: bytes) -> bytes:
    return code.to_bytes(2, "big") + bytes((control, len(value))) + value

# --- 01h -------------------------------------------------------------------------------

#: The counters of 01h, by parameter code (SPC-5 7.3.3): COUNT BASIS 001b (per command)
#: in bits 7-5, CAUSE in bits 4-1 (1h service delivery subsystem busy, 2h transfer rate
#: too slow), TYPE in bit 0 (0 under-run, 1 over-run).
BUFFER_COUNTERS = tuple((1 << 5) | (cause << 1) | kind for cause in (1, 2) for kind in (0, 1))


def buffer_over_run_under_run(disk: "EmulatedDisk", default: bool) -> Parameters:
    # A transfer between the host's buffer and the emulated medium is one memory copy made
    # while the command holds the disk: the data buffer can neither run dry nor overflow,
    # so every counter stays at zero, which is what the page then truthfully reports.
    return [(code, _parameter(code, 0x00, bytes(4))) for code in BUFFER_COUNTERS]


# --- 0Ch -------------------------------------------------------------------------------

#: SCOPE 01b: the resources are dedicated to this logical unit (SBC-4 table 196).
_DEDICATED = 0x01


def logical_block_provisioning(disk: "EmulatedDisk", default: bool) -> Parameters:
    """Available (0001h) and used (0002h) LBA mapping resources, in units of 2^THRESHOLD
    EXPONENT logical blocks (VPD B2h says 0: one block each): every LBA of a thin disk
    can be mapped, and the mapped ones are the blocks the medium holds."""
    used = 0 if default else disk.medium.written_blocks
    available = disk.blocks - used

    def count(value: int) -> bytes:
        return min(value, 0xFFFFFFFF).to_bytes(4, "big") + bytes((_DEDICATED, 0, 0, 0))

    return [(1, _parameter(1, 0x03, count(available))), (2, _parameter(2, 0x03, count(used)))]


# --- 0Fh -------------------------------------------------------------------------------

#: General usage application client parameters 0000h-003Fh, FCh bytes each (SPC-5 7.3.4).
APPLICATION_CLIENT_PARAMETERS = 64
APPLICATION_CLIENT_LENGTH = 0xFC
#: DU 1 (the device server never updates them), FORMAT AND LINKING 11b (binary list).
_GENERAL_USAGE_CONTROL = 0x83


def application_client(disk: "EmulatedDisk", default: bool) -> Parameters:
    stored = {} if default else disk.logs.application_client
    empty = bytes(APPLICATION_CLIENT_LENGTH)
    return [(code, _parameter(code, _GENERAL_USAGE_CONTROL, stored.get(code, empty)))
            for code in range(APPLICATION_CLIENT_PARAMETERS)]


def log_select_parameters(disk: "EmulatedDisk", data: bytes) -> None:
    """Store the parameters of LOG SELECT's parameter list (PCR 0, PC 01b).

    Only the application client page is writable; every other page's values are the
    disk's own.  The whole list is checked before anything is stored, so a refused list
    changes nothing.  Field pointers count from the start of the parameter list.
    """
    updates: Dict[int, bytes] = {}
    offset = 0
    while offset < len(data):
        if len(data) - offset < 4:
            raise _sense.parameter_list_length_error()
        page, subpage = data[offset] & 0x3F, data[offset + 1]
        if page != APPLICATION_CLIENT or (data[offset] & 0x40 and subpage):
            raise _sense.invalid_field_in_parameter_list(offset, 5)  # not a writable page
        end = offset + 4 + int.from_bytes(data[offset + 2:offset + 4], "big")
        if end > len(data):
            raise _sense.parameter_list_length_error()
        updates.update(_application_client_parameters(data, offset + 4, end))
        offset = end
    disk.logs.application_client.update(updates)


def _application_client_parameters(data: bytes, offset: int, end: int) -> Dict[int, bytes]:
    found: Dict[int, bytes] = {}
    while offset < end:
        if end - offset < 4:
            raise _sense.parameter_list_length_error()
        code = int.from_bytes(data[offset:offset + 2], "big")
        length = data[offset + 3]
        if code >= APPLICATION_CLIENT_PARAMETERS:
            raise _sense.invalid_field_in_parameter_list(offset)  # no such parameter here
        if length != APPLICATION_CLIENT_LENGTH:
            raise _sense.invalid_field_in_parameter_list(offset + 3)
        if offset + 4 + length > end:
            raise _sense.parameter_list_length_error()
        found[code] = bytes(data[offset + 4:offset + 4 + length])
        offset += 4 + length
    return found


# --- 15h/03h ---------------------------------------------------------------------------

def lps_misalignment(disk: "EmulatedDisk", default: bool) -> Parameters:
    """Parameter 0000h: MAX_LPSM and the LPS MISALIGNMENT COUNT; 0001h on: the LBA of
    each misaligned write, the first LBA of the physical block it left partly unwritten
    (the write's first LBA when it starts inside one).  With one logical block per
    physical block (the default) no write can be misaligned."""
    state = disk.logs
    count, lbas = (0, []) if default else (state.lps_misalignments, state.lps_misaligned_lbas)
    out = [(0, _parameter(0, 0x03, state.max_lpsm.to_bytes(2, "big") + count.to_bytes(2, "big")))]
    out += [(n, _parameter(n, 0x03, lba.to_bytes(8, "big"))) for n, lba in enumerate(lbas, 1)]
    return out


# --- 17h -------------------------------------------------------------------------------

#: REMAINING and MAXIMUM NON-VOLATILE TIME 000000h: the cache is volatile (SBC-3 tables
#: 188, 189), as VPD 86h says (V_SUP 1, NV_SUP 0): its contents need SYNCHRONIZE CACHE.
VOLATILE = 0


def non_volatile_cache(disk: "EmulatedDisk", default: bool) -> Parameters:
    minutes = bytes((0,)) + VOLATILE.to_bytes(3, "big")
    return [(0, _parameter(0, 0x03, minutes)), (1, _parameter(1, 0x03, minutes))]


# --- 19h -------------------------------------------------------------------------------

#: TIME INTERVAL (parameter 0003h): 1 x 10^-6 s, the unit of every interval count.
INTERVAL_EXPONENT, INTERVAL_INTEGER = 6, 1
_INTERVAL_NS = 10 ** (9 - INTERVAL_EXPONENT) * INTERVAL_INTEGER


def _eights(values: List[int]) -> bytes:
    return b"".join(min(v, 2 ** 64 - 1).to_bytes(8, "big") for v in values)


def general_statistics(disk: "EmulatedDisk", default: bool) -> Parameters:
    """Parameters 0001h (statistics), 0002h (idle time), 0003h (time interval) and 0004h
    (force unit access statistics) from the READ and WRITE commands the disk processed.

    The emulated disk processes one command at a time, so each command's weight (the
    commands in progress while it is) is 1: the weighted figures are the plain sums.
    FUA_NV is obsolete in SBC-4 and never set: its counts stay zero."""
    s = disk.logs.statistics
    if default:
        reads = writes = received = sent = read_time = write_time = idle = 0
        read_fua = write_fua = read_fua_time = write_fua_time = 0
    else:
        reads, writes = s.commands["read"], s.commands["write"]
        received, sent = s.blocks["write"], s.blocks["read"]
        read_time, write_time = s.busy_ns["read"] // _INTERVAL_NS, s.busy_ns["write"] // _INTERVAL_NS
        read_fua, write_fua = s.fua["read"], s.fua["write"]
        read_fua_time, write_fua_time = s.fua_busy_ns["read"] // _INTERVAL_NS, s.fua_busy_ns["write"] // _INTERVAL_NS
        busy = s.busy_ns["read"] + s.busy_ns["write"]
        idle = max(0, s.now() - s.since - busy) // _INTERVAL_NS
    statistics = _eights([reads, writes, received, sent, read_time, write_time,
                          reads + writes, read_time + write_time])
    interval = INTERVAL_EXPONENT.to_bytes(4, "big") + INTERVAL_INTEGER.to_bytes(4, "big")
    fua = _eights([read_fua, write_fua, 0, 0, read_fua_time, write_fua_time, 0, 0])
    # FORMAT AND LINKING 11b: each parameter is a list of counters, not one counter.
    return [
        (1, _parameter(1, 0x03, statistics)),
        (2, _parameter(2, 0x03, _eights([idle]))),
        (3, _parameter(3, 0x03, interval)),
        (4, _parameter(4, 0x03, fua)),
    ]
