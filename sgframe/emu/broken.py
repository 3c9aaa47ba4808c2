"""``emu:nonconforming?rule=NAME``: an emulated disk that breaks exactly one rule of the standards.

The conformance suite tests itself with these: each of its tests must fail on the
device that breaks the rule it checks, and pass on ``emu:disk``. A rule is a function
``(disk, request, respond) -> Reply`` wrapped around the conforming disk's answer
(``respond(request)``): it changes the command, the answer, or both, and nothing else.
Rules named ``zoned_*`` break a host-managed zoned disk, ``removable_*`` a disk with a
removable medium, ``alua_*`` a disk with explicit ALUA, ``piN_*`` a disk formatted with
type N protection information, ``wp_*`` a write-protected disk.
"""
from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import attrs

from sgframe.emu import sense as _sense
from sgframe.emu.disk import EmulatedDisk
from sgframe.emu.reply import Reply, Request
from sgframe.errors import UsageError

__all__ = ["BrokenDisk", "RULES"]

Respond = Callable[[Request], Reply]
Rule = Callable[["BrokenDisk", Request, Respond], Reply]

_READS = (0x08, 0x28, 0xA8, 0x88)
_WRITES = (0x0A, 0x2A, 0xAA, 0x8A)


def _codes(reply: Reply) -> Tuple[Optional[int], Optional[int]]:
    """ASC and ASCQ of a CHECK CONDITION reply, either sense format."""
    sense = reply.sense
    if reply.status != _sense.CHECK_CONDITION or len(sense) < 4:
        return None, None
    if sense[0] & 0x7F in (0x72, 0x73):
        return sense[2], sense[3]
    return (sense[12], sense[13]) if len(sense) >= 14 else (None, None)


def _with_cdb(request: Request, cdb: bytes) -> Request:
    return attrs.evolve(request, cdb=bytes(cdb))


def _cdb_edit(request: Request, at: int, value: int, mask: int = 0xFF) -> Request:
    cdb = bytearray(request.cdb)
    cdb[at] = (cdb[at] & ~mask & 0xFF) | (value & mask)
    return _with_cdb(request, cdb)


def _good(request: Request) -> Reply:
    return Reply(_sense.GOOD, bytes(request.allocation_length))


def swallow(opcodes: Tuple[int, ...], asc: Optional[int] = None, status: Optional[int] = None,
            service_action: Optional[int] = None) -> Rule:
    """Answer GOOD (zeros for data) where the conforming disk fails with ``asc`` (or
    with ``status``): the device accepts what it must reject."""
    def rule(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
        reply = respond(request)
        cdb = request.cdb
        if cdb[0] not in opcodes or (service_action is not None and cdb[1] & 0x1F != service_action):
            return reply
        if status is not None and reply.status == status:
            return _good(request)
        if asc is not None and _codes(reply)[0] == asc:
            return _good(request)
        return reply
    return rule


def ignore(opcodes: Tuple[int, ...], when: Callable[[bytes], bool] = lambda cdb: True) -> Rule:
    """Answer GOOD without doing anything: the command is acknowledged and lost."""
    def rule(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
        if request.cdb[0] in opcodes and when(request.cdb):
            return _good(request)
        return respond(request)
    return rule


def edit_data(opcode: int, edit: Callable[[bytearray, Request], None],
              when: Callable[[bytes], bool] = lambda cdb: True) -> Rule:
    """Change the data-in of a successful ``opcode``."""
    def rule(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
        reply = respond(request)
        if request.cdb[0] == opcode and when(request.cdb) and reply.status == _sense.GOOD and reply.data:
            data = bytearray(reply.data)
            edit(data, request)
            return attrs.evolve(reply, data=bytes(data))
        return reply
    return rule


def edit_cdb(opcodes: Tuple[int, ...], edit: Callable[[Request], Request],
             when: Callable[[bytes], bool] = lambda cdb: True) -> Rule:
    """Execute another CDB than the one sent: a field ignored or misread."""
    def rule(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
        if request.cdb[0] in opcodes and when(request.cdb):
            return respond(edit(request))
        return respond(request)
    return rule


def _fail(key: int, asc: int, ascq: int, opcodes: Tuple[int, ...], when: Callable[[bytes], bool] = lambda cdb: True) -> Rule:
    def rule(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
        if request.cdb[0] in opcodes and when(request.cdb):
            return Reply(_sense.CHECK_CONDITION, b"",
                         _sense.build_sense(key, asc, ascq, descriptor=disk.modes.descriptor_sense))
        return respond(request)
    return rule


def _standard_inquiry(cdb: bytes) -> bool:
    return not cdb[1] & 0x01


def _evpd(page: int) -> Callable[[bytes], bool]:
    return lambda cdb: bool(cdb[1] & 0x01) and cdb[2] == page


def _short_inquiry(data: bytearray, request: Request) -> None:
    data[4] = 26  # 31 bytes in all: fewer than the 36 SPC-5 6.7.2 requires
    del data[31:]


def _zero_when_short(data: bytearray, request: Request) -> None:
    if request.allocation_length < 36:
        data[:] = bytes(len(data))


def _reverse_pages(data: bytearray, request: Request) -> None:
    data[4:] = bytes(reversed(data[4:]))


def _read_capacity_off_by_one(data: bytearray, request: Request) -> None:
    data[0:4] = (int.from_bytes(data[0:4], "big") - 1).to_bytes(4, "big")


def _mode_length_off_by_one(data: bytearray, request: Request) -> None:
    data[0] = (data[0] + 1) & 0xFF


def _block_length_4096(data: bytearray, request: Request) -> None:
    if int.from_bytes(data[6:8], "big") >= 8 and len(data) >= 16:
        data[13:16] = (4096).to_bytes(3, "big")


def _lba_status_from_zero(request: Request) -> Request:
    cdb = bytearray(request.cdb)
    cdb[2:10] = bytes(8)
    return _with_cdb(request, cdb)


def _read6_one_block(request: Request) -> Request:
    return _cdb_edit(request, 4, 1)


def _write_same_one_block(request: Request) -> Request:
    cdb = bytearray(request.cdb)
    if cdb[0] == 0x41:
        cdb[7:9] = (1).to_bytes(2, "big")
    else:
        cdb[10:14] = (1).to_bytes(4, "big")
    return _with_cdb(request, cdb)


def _drop_rsoc_self(data: bytearray, request: Request) -> None:
    at, out = 4, bytearray(data[:4])
    while at + 8 <= len(data):
        size = 8 + (12 if data[at + 5] & 0x02 else 0)
        descriptor = data[at:at + size]
        if not (descriptor[0] == 0xA3 and descriptor[5] & 0x01 and int.from_bytes(descriptor[2:4], "big") == 0x0C):
            out += descriptor
        at += size
    out[0:4] = (len(out) - 4).to_bytes(4, "big")
    data[:] = out


def _servactv_cleared(data: bytearray, request: Request) -> None:
    at = 4
    while at + 8 <= len(data):
        ctdp = data[at + 5] & 0x02
        data[at + 5] &= ~0x01 & 0xFF  # SERVACTV cleared, the service action left in place
        at += 8 + (12 if ctdp else 0)


def _rtpg_bad_state(data: bytearray, request: Request) -> None:
    if len(data) > 4:
        data[4] = (data[4] & 0xF0) | 0x05  # 5h is reserved (SPC-5 Table 167)


def _frozen_generation(data: bytearray, request: Request) -> None:
    data[0:4] = bytes(4)


def _odd_defect_length(data: bytearray, request: Request) -> None:
    data[2:4] = (3).to_bytes(2, "big")


def _ors_as_write(request: Request) -> Request:
    return _cdb_edit(request, 0, 0x8A)  # ORWRITE(16) has WRITE(16)'s layout


def _caw_writes_anyway(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    reply = respond(request)
    if request.cdb[0] == 0x89 and _codes(reply)[0] == 0x1D:
        count, size = request.cdb[13], disk.block_size
        write = bytearray(16)
        write[0] = 0x8A
        write[2:10] = request.cdb[2:10]
        write[10:14] = count.to_bytes(4, "big")
        respond(Request(bytes(write), request.data_out[count * size:2 * count * size], 0, request.nexus))
    return reply


def _fixed_sense_only(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    reply = respond(request)
    sense = reply.sense
    if sense and sense[0] & 0x7F == 0x72:
        return attrs.evolve(reply, sense=_sense.build_sense(sense[1] & 0x0F, sense[2], sense[3], descriptor=False))
    return reply


def _write_exclusive_leaks(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    reservations = disk.reservations
    if reservations.type == 1 and reservations.holder not in (None, request.nexus):
        holder, reservations.holder = reservations.holder, None
        try:
            return respond(request)
        finally:
            reservations.holder = holder
    return respond(request)


def _wrapping_range_check(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    cdb = request.cdb
    if cdb[0] in (0x88, 0x8A):
        lba, count = int.from_bytes(cdb[2:10], "big"), int.from_bytes(cdb[10:14], "big")
        if lba + count > 2**64 - 1 and (lba + count) % 2**64 <= disk.blocks:
            return _good(request)  # the sum wrapped past zero: "in range"
    return respond(request)


def _request_sense_says_nothing(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    reply = respond(request)
    if request.cdb[0] == 0x03 and reply.status == _sense.GOOD:
        empty = _sense.build_sense(0x0, 0x00, 0x00, descriptor=bool(request.cdb[1] & 0x01))
        return attrs.evolve(reply, data=empty[:request.allocation_length])
    return reply


def _protect_field(cdb: bytes) -> int:
    """RDPROTECT/WRPROTECT of a READ/WRITE 10/12/16/32 CDB."""
    return cdb[10] >> 5 if cdb[0] == 0x7F else cdb[1] >> 5


def _app_tags_lost(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """A READ with RDPROTECT returns application tag 0000h, whatever was written."""
    reply = respond(request)
    cdb = request.cdb
    if cdb[0] in _READS[1:] + (0x7F,) and _protect_field(cdb) and reply.status == _sense.GOOD:
        data, step = bytearray(reply.data), disk.block_size + 8
        for at in range(disk.block_size + 2, len(data) - 1, step):
            data[at:at + 2] = bytes(2)
        return attrs.evolve(reply, data=bytes(data))
    return reply


def _protect_as(value: int, byte: int = 1) -> Callable[[Request], Request]:
    """WRPROTECT (or RDPROTECT) read as ``value``: other checks than the ones asked for."""
    return lambda request: _cdb_edit(request, byte, value << 5, 0xE0)


def _pi_bytes_inside_block(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """RDPROTECT=000b transfers 8 bytes short per block, as if the protection
    information were counted inside the logical block."""
    reply = respond(request)
    if request.cdb[0] in _READS[1:] and not _protect_field(request.cdb) and reply.status == _sense.GOOD:
        size = disk.block_size
        data = b"".join(reply.data[at:at + size - 8] for at in range(0, len(reply.data), size))
        return attrs.evolve(reply, data=data)
    return reply


def _type3_checks_reference(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """Type 3: a WRITE with WRPROTECT checks the reference tag against the LBA, as type 1 would."""
    cdb = request.cdb
    if cdb[0] in _WRITES[1:] and _protect_field(cdb):
        lba = int.from_bytes(cdb[2:10] if cdb[0] == 0x8A else cdb[2:6], "big")
        step = disk.block_size + 8
        for index, at in enumerate(range(disk.block_size + 4, len(request.data_out) - 3, step)):
            if int.from_bytes(request.data_out[at:at + 4], "big") != (lba + index) & 0xFFFFFFFF:
                return Reply(_sense.CHECK_CONDITION, b"", _sense.build_sense(
                    _sense.ABORTED_COMMAND, 0x10, 0x03, descriptor=disk.modes.descriptor_sense))
    return respond(request)


def _designators_of_the_port(data: bytearray, request: Request) -> None:
    """Every designator of the Device Identification page says ASSOCIATION 01b (target port)."""
    at, end = 4, 4 + int.from_bytes(data[2:4], "big")
    while at + 4 <= min(end, len(data)):
        data[at + 1] = (data[at + 1] & 0xCF) | 0x10
        at += 4 + data[at + 3]


def _without_pages(data: bytearray, request: Request) -> None:
    """MODE SENSE (10) answers the header and block descriptors only."""
    del data[8 + int.from_bytes(data[6:8], "big"):]
    data[0:2] = (len(data) - 2).to_bytes(2, "big")


def _mode10_length_off_by_one(data: bytearray, request: Request) -> None:
    data[0:2] = ((int.from_bytes(data[0:2], "big") + 1) & 0xFFFF).to_bytes(2, "big")


def _blocks_of_256_bytes(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """READ CAPACITY (10) and (16) both say 256-byte logical blocks."""
    reply = respond(request)
    cdb, data = request.cdb, bytearray(reply.data)
    at = 4 if cdb[0] == 0x25 else 8 if cdb[0] == 0x9E and cdb[1] & 0x1F == 0x10 else None
    if at is None or reply.status != _sense.GOOD or len(data) < at + 4:
        return reply
    data[at:at + 4] = (256).to_bytes(4, "big")
    return attrs.evolve(reply, data=bytes(data))


def _last_lba_out_of_range(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """The range check of READ counts one block too few: the last LBA is out of range."""
    cdb = request.cdb
    if cdb[0] in _READS:
        lba = ((cdb[1] & 0x1F) << 16 | int.from_bytes(cdb[2:4], "big")) if cdb[0] == 0x08 else \
            int.from_bytes(cdb[2:10] if cdb[0] == 0x88 else cdb[2:6], "big")
        if lba == disk.blocks - 1:
            return Reply(_sense.CHECK_CONDITION, b"", _sense.build_sense(0x5, 0x21, 0x00, descriptor=disk.modes.descriptor_sense))
    return respond(request)


def _zero_length_writes_a_block(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """A WRITE of zero blocks writes one block of zeros at the LBA."""
    cdb = request.cdb
    at = {0x2A: (7, 2), 0xAA: (6, 4), 0x8A: (10, 4)}.get(cdb[0])
    if at is not None and not any(cdb[at[0]:at[0] + at[1]]):
        one = bytearray(cdb)
        one[at[0] + at[1] - 1] = 1
        return respond(Request(bytes(one), bytes(disk.block_size), 0, request.nexus))
    return respond(request)


def _range_to_the_end(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """SYNCHRONIZE CACHE of a range ending at the last LBA is out of range (off by one)."""
    cdb = request.cdb
    if cdb[0] in (0x35, 0x91):
        lba, count = ((int.from_bytes(cdb[2:6], "big"), int.from_bytes(cdb[7:9], "big")) if cdb[0] == 0x35
                      else (int.from_bytes(cdb[2:10], "big"), int.from_bytes(cdb[10:14], "big")))
        if count and lba + count == disk.blocks:
            return Reply(_sense.CHECK_CONDITION, b"", _sense.build_sense(0x5, 0x21, 0x00, descriptor=disk.modes.descriptor_sense))
    return respond(request)


def _unmap_zero_as_one(request: Request) -> Request:
    """UNMAP block descriptors with NUMBER OF LOGICAL BLOCKS zero unmap one block."""
    data = bytearray(request.data_out)
    for at in range(8, len(data) - 15, 16):
        if not any(data[at + 8:at + 12]):
            data[at + 8:at + 12] = (1).to_bytes(4, "big")
    return attrs.evolve(request, data_out=bytes(data))


def _fua_reads_ff(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    reply = respond(request)
    if request.cdb[0] in _READS[1:] and request.cdb[1] & 0x08 and reply.status == _sense.GOOD:
        return attrs.evolve(reply, data=b"\xff" * len(reply.data))
    return reply


def _pr_in(service_action: int) -> Callable[[bytes], bool]:
    return lambda cdb: cdb[1] & 0x1F == service_action


def _keys_length_plus_4(data: bytearray, request: Request) -> None:
    data[4:8] = (int.from_bytes(data[4:8], "big") + 4).to_bytes(4, "big")


def _reservation_type_cleared(data: bytearray, request: Request) -> None:
    if len(data) > 21:
        data[21] &= 0xF0


def _release_by_anyone(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """PERSISTENT RESERVE OUT RELEASE from a registered non-holder releases the reservation."""
    state = disk.reservations
    cdb = request.cdb
    if cdb[0] == 0x5F and cdb[1] & 0x1F == 0x02 and state.holder not in (None, request.nexus) \
            and request.nexus in state.registrations:
        state.holder, state.type = None, 0
        return _good(request)
    return respond(request)


def _unregister_keeps_reservation(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """The holder unregistering keeps its reservation."""
    state = disk.reservations
    holder, kind = state.holder, state.type
    reply = respond(request)
    if request.cdb[0] == 0x5F and request.cdb[1] & 0x1F in (0x00, 0x06) and holder == request.nexus \
            and state.holder is None:
        state.holder, state.type = holder, kind
    return reply


def _spc2_holder(test: Callable[[BrokenDisk, Request], bool], answer: Callable[[BrokenDisk, Request, Respond], Reply]) -> Rule:
    def rule(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
        if disk.reservations.spc2_holder is not None and test(disk, request):
            return answer(disk, request, respond)
        return respond(request)
    return rule


def _conflict(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    return Reply(_sense.RESERVATION_CONFLICT)


def _release_unit(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    disk.reservations.spc2_holder = None
    return _good(request)


def _allow_after_prevent_rejected(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """Once PREVENT is set, ALLOW is refused: the medium stays locked."""
    if request.cdb[0] == 0x1E and not request.cdb[4] & 0x03 and disk.prevent_removal:
        return Reply(_sense.CHECK_CONDITION, b"", _sense.build_sense(0x5, 0x53, 0x02, descriptor=disk.modes.descriptor_sense))
    return respond(request)


def _write_pointers_past_the_end(data: bytearray, request: Request) -> None:
    """REPORT ZONES puts the write pointer of every open or empty sequential zone one
    block past the zone's end."""
    for at in range(64, len(data) - 63, 64):
        if data[at] & 0x0F == 0x2 and data[at + 1] >> 4 != 0xE:
            end = int.from_bytes(data[at + 16:at + 24], "big") + int.from_bytes(data[at + 8:at + 16], "big")
            data[at + 24:at + 32] = (end + 1).to_bytes(8, "big")


def _boundary_ignored(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    """A write crossing a zone's end completes (the part in the zone written)."""
    reply = respond(request)
    if request.cdb[0] in _WRITES and _codes(reply) == (0x21, 0x05):
        return _good(request)
    return reply


def _sense_always_descriptor(disk: BrokenDisk, request: Request, respond: Respond) -> Reply:
    reply = respond(request)
    sense = reply.sense
    if sense and sense[0] & 0x7F == 0x70 and len(sense) >= 14:
        return attrs.evolve(reply, sense=_sense.build_sense(sense[2] & 0x0F, sense[12], sense[13], descriptor=True))
    return reply


def _all_mapped(data: bytearray, request: Request) -> None:
    for at in range(8, len(data) - 15, 16):
        data[at + 12] &= 0xF0  # PROVISIONING STATUS 0h: mapped


def _rsoc_one(cdb: bytes) -> bool:
    return cdb[1] & 0x1F == 0x0C and cdb[2] & 0x07 in (1, 2, 3)


def _support_as(old: int, new: int) -> Callable[[bytearray, Request], None]:
    def change(data: bytearray, request: Request) -> None:
        if len(data) > 1 and data[1] & 0x07 == old:
            data[1] = (data[1] & 0xF8) | new
    return change


def _zero_length(cdb: bytes) -> bool:
    at = {0x28: 7, 0xA8: 6, 0x88: 10}.get(cdb[0])
    return at is not None and not any(cdb[at:at + (2 if cdb[0] == 0x28 else 4)])


#: rule name -> (what it breaks, the rule).
RULES: Dict[str, Tuple[str, Rule]] = {
    "tur_not_ready": ("TEST UNIT READY reports NOT READY on a ready unit", _fail(0x2, 0x04, 0x00, (0x00,))),
    "inquiry_short": ("standard INQUIRY data of 31 bytes", edit_data(0x12, _short_inquiry, _standard_inquiry)),
    "inquiry_truncation": ("a truncated INQUIRY returns zeros instead of the leading bytes",
                           edit_data(0x12, _zero_when_short, _standard_inquiry)),
    "inquiry_control_character": ("a control character in VENDOR IDENTIFICATION",
                                  edit_data(0x12, lambda d, r: d.__setitem__(9, 0x01), _standard_inquiry)),
    "inquiry_page_without_evpd": ("EVPD=0 with a PAGE CODE is accepted",
                                  edit_cdb((0x12,), lambda r: _cdb_edit(r, 2, 0), lambda c: not c[1] & 1 and c[2] != 0)),
    "vpd_unsorted": ("the Supported VPD Pages page in descending order", edit_data(0x12, _reverse_pages, _evpd(0x00))),
    "vpd_wrong_page_code": ("page 80h answers as page 81h", edit_data(0x12, lambda d, r: d.__setitem__(1, 0x81), _evpd(0x80))),
    "vpd_unsupported_accepted": ("an unsupported VPD page is answered", swallow((0x12,), asc=0x24)),
    "inquiry_response_data_format_1": ("RESPONSE DATA FORMAT 1h (SCSI-1/CCS)",
                                       edit_data(0x12, lambda d, r: d.__setitem__(3, (d[3] & 0xF0) | 0x01), _standard_inquiry)),
    "inquiry_allocation_zero_rejected": ("INQUIRY with ALLOCATION LENGTH 0 is an error",
                                         _fail(0x5, 0x24, 0x00, (0x12,), lambda c: not c[1] & 1 and not any(c[3:5]))),
    "vpd_no_logical_unit_designator": ("page 83h names only the target port (ASSOCIATION 01b)",
                                       edit_data(0x12, _designators_of_the_port, _evpd(0x83))),
    "mode10_data_length": ("MODE SENSE (10) data length one too long", edit_data(0x5A, _mode10_length_off_by_one)),
    "mode_control_page_missing": ("MODE SENSE (10) for the Control page returns no page",
                                  edit_data(0x5A, _without_pages, lambda c: c[2] & 0x3F == 0x0A)),
    "mode_dbd_ignored": ("MODE SENSE (10) returns block descriptors despite DBD=1",
                         edit_cdb((0x5A,), lambda r: _cdb_edit(r, 1, 0, 0x08), lambda c: bool(c[1] & 0x08))),
    "capacity_block_length_256": ("READ CAPACITY says 256-byte logical blocks", _blocks_of_256_bytes),
    "read_capacity16_truncation": ("READ CAPACITY (16) with ALLOCATION LENGTH 8 returns zeros",
                                   edit_data(0x9E, lambda d, r: d.__setitem__(slice(0, len(d)), bytes(len(d))),
                                             lambda c: c[1] & 0x1F == 0x10 and int.from_bytes(c[10:14], "big") < 32)),
    "read_short": ("READ transfers one byte less than the blocks asked for",
                   edit_data(0x28, lambda d, r: d.__delitem__(slice(len(d) - 1, None)))),
    "read_last_lba_out_of_range": ("READ of the last LBA is out of range", _last_lba_out_of_range),
    "read_fua_garbage": ("READ with FUA=1 returns FFh bytes, not the data", _fua_reads_ff),
    "write_fua_lost": ("WRITE with FUA=1 acknowledged and not stored", ignore(_WRITES[1:], lambda c: bool(c[1] & 0x08))),
    "write_zero_length_writes_a_block": ("WRITE of zero blocks writes one", _zero_length_writes_a_block),
    "sync_whole_medium_rejected": ("SYNCHRONIZE CACHE of LBA 0, 0 blocks (everything) out of range",
                                   _fail(0x5, 0x21, 0x00, (0x35, 0x91), lambda c: not any(c[2:14] if c[0] == 0x91 else c[2:9]))),
    "sync_range_to_the_end_rejected": ("SYNCHRONIZE CACHE of a range ending at the last LBA out of range", _range_to_the_end),
    "unmap_empty_list_rejected": ("UNMAP with PARAMETER LIST LENGTH 0 is an error",
                                  _fail(0x5, 0x1A, 0x00, (0x42,), lambda c: not any(c[7:9]))),
    "unmap_zero_blocks_unmaps_one": ("an UNMAP descriptor of zero blocks unmaps one", edit_cdb((0x42,), _unmap_zero_as_one)),
    "verify_medium_error": ("VERIFY with BYTCHK=0 reports a medium error on a good medium",
                            _fail(0x3, 0x11, 0x00, (0x2F, 0xAF, 0x8F), lambda c: not c[1] & 0x06)),
    "verify_always_miscompares": ("VERIFY with BYTCHK=1 miscompares equal data",
                                  _fail(0xE, 0x1D, 0x00, (0x2F, 0xAF, 0x8F), lambda c: c[1] & 0x06 == 0x02)),
    "write_and_verify_beyond_capacity": ("WRITE AND VERIFY past the last LBA accepted", swallow((0x2E, 0xAE, 0x8E), asc=0x21)),
    "caw_beyond_capacity": ("COMPARE AND WRITE past the last LBA accepted", swallow((0x89,), asc=0x21)),
    "orwrite_beyond_capacity": ("ORWRITE past the last LBA accepted", swallow((0x8B,), asc=0x21)),
    "pr_read_keys_length": ("READ KEYS ADDITIONAL LENGTH not a multiple of 8",
                            edit_data(0x5E, _keys_length_plus_4, _pr_in(0x00))),
    "pr_capabilities_length": ("REPORT CAPABILITIES says LENGTH 0010h", edit_data(0x5E, lambda d, r: d.__setitem__(slice(0, 2), b"\x00\x10"), _pr_in(0x02))),
    "pr_reserve_unregistered": ("RESERVE from an unregistered I_T nexus succeeds",
                                swallow((0x5F,), status=_sense.RESERVATION_CONFLICT, service_action=0x01)),
    "pr_reservation_type_lost": ("READ RESERVATION reports TYPE 0h", edit_data(0x5E, _reservation_type_cleared, _pr_in(0x01))),
    "pr_preempt_lost": ("PREEMPT acknowledged and not done", ignore((0x5F,), lambda c: c[1] & 0x1F == 0x04)),
    "pr_release_by_non_holder": ("RELEASE from a registered non-holder releases the reservation", _release_by_anyone),
    "pr_release_wrong_type_accepted": ("RELEASE with another TYPE than the reservation's succeeds",
                                       swallow((0x5F,), asc=0x26, service_action=0x02)),
    "pr_unregister_keeps_reservation": ("the holder unregistering keeps its reservation", _unregister_keeps_reservation),
    "reserve_holder_conflicts": ("the holder of a RESERVE (6) gets RESERVATION CONFLICT for a READ",
                                 _spc2_holder(lambda d, r: r.cdb[0] in _READS and d.reservations.spc2_holder == r.nexus, _conflict)),
    "reserve_inquiry_conflicts": ("INQUIRY from another initiator conflicts with a RESERVE (6)",
                                  _spc2_holder(lambda d, r: r.cdb[0] == 0x12 and d.reservations.spc2_holder != r.nexus, _conflict)),
    "release_by_other_frees": ("RELEASE (6) from another initiator frees the unit",
                               _spc2_holder(lambda d, r: r.cdb[0] == 0x17 and d.reservations.spc2_holder != r.nexus, _release_unit)),
    "release_lost": ("RELEASE (6) acknowledged and not done", ignore((0x17,))),
    "allow_rejected": ("PREVENT ALLOW MEDIUM REMOVAL with PREVENT=00b is rejected",
                       _fail(0x5, 0x24, 0x00, (0x1E,), lambda c: not c[4] & 0x03)),
    "allow_after_prevent_rejected": ("ALLOW after PREVENT is refused (53h/02h)", _allow_after_prevent_rejected),
    "removable_eject_despite_prevent": ("START STOP UNIT ejects the medium while removal is prevented",
                                        swallow((0x1B,), asc=0x53)),
    "defect_header_short": ("READ DEFECT DATA (10) with ALLOCATION LENGTH 4 returns 2 bytes",
                            edit_data(0x37, lambda d, r: d.__delitem__(slice(2, None)), lambda c: int.from_bytes(c[7:9], "big") == 4)),
    "defect12_length_odd": ("READ DEFECT DATA (12) DEFECT LIST LENGTH not a multiple of the descriptor",
                            edit_data(0xB7, lambda d, r: d.__setitem__(slice(4, 8), (3).to_bytes(4, "big")))),
    "write_same_unmap_lost": ("WRITE SAME (16) with UNMAP acknowledged and not done", ignore((0x93,), lambda c: bool(c[1] & 0x08))),
    "write_same_ndob_lost": ("WRITE SAME (16) with NDOB acknowledged and not done", ignore((0x93,), lambda c: bool(c[1] & 0x01))),
    "write_same_anchor_accepted": ("ANCHOR=1 accepted although ANC_SUP=0",
                                   edit_cdb((0x93,), lambda r: _cdb_edit(r, 1, 0, 0x10), lambda c: bool(c[1] & 0x10))),
    "unmap_lba_count_unlimited": ("UNMAP of more LBAs than MAXIMUM UNMAP LBA COUNT accepted",
                                  swallow((0x42,), asc=0x26)),
    "caw_no_limit": ("COMPARE AND WRITE above MAXIMUM COMPARE AND WRITE LENGTH accepted", swallow((0x89,), asc=0x24)),
    "wp_writes_accepted": ("a WRITE completes on a write-protected medium", swallow(_WRITES, asc=0x27)),
    "wp_reads_rejected": ("READ (10) ends in DATA PROTECT on a write-protected medium",
                          _fail(0x7, 0x27, 0x00, (0x28,))),
    "atomic_write_lost": ("WRITE ATOMIC (16) acknowledged and not stored", ignore((0x9C,))),
    "atomic_write_no_limit": ("WRITE ATOMIC (16) above MAXIMUM ATOMIC TRANSFER LENGTH accepted", swallow((0x9C,), asc=0x24)),
    "rsoc_listed_command_unsupported": ("REPORTING OPTIONS 001b/010b say SUPPORT 001b for listed commands",
                                        edit_data(0xA3, _support_as(3, 1), _rsoc_one)),
    "rsoc_unlisted_command_supported": ("REPORTING OPTIONS 001b say SUPPORT 011b for a command not supported",
                                        edit_data(0xA3, _support_as(1, 3), _rsoc_one)),
    "sanitize_parameters_accepted": ("CRYPTOGRAPHIC ERASE with a parameter list accepted", swallow((0x48,), asc=0x24)),
    "sense_always_descriptor": ("descriptor format sense data despite D_SENSE=0", _sense_always_descriptor),
    "start_stops": ("START STOP UNIT with START=1 stops the unit",
                    edit_cdb((0x1B,), lambda r: _cdb_edit(r, 4, 0, 0x01), lambda c: c[4] & 0xF1 == 0x01)),
    "immed_rejected": ("START STOP UNIT with IMMED=1 is rejected", _fail(0x5, 0x24, 0x00, (0x1B,), lambda c: bool(c[1] & 0x01))),
    "prefetch_medium_error": ("PRE-FETCH of readable blocks reports a medium error", _fail(0x3, 0x11, 0x00, (0x34, 0x90))),
    "lba_status_always_mapped": ("GET LBA STATUS reports unmapped blocks as mapped",
                                 edit_data(0x9E, _all_mapped, lambda c: c[1] & 0x1F == 0x12)),
    "copy_params_available_data": ("RECEIVE COPY OPERATING PARAMETERS: AVAILABLE DATA 4 too many",
                                   edit_data(0x84, lambda d, r: d.__setitem__(slice(0, 4), (int.from_bytes(d[0:4], "big") + 4).to_bytes(4, "big")),
                                             lambda c: c[1] & 0x1F == 0x03)),
    "read_capacity_mismatch": ("READ CAPACITY (10) one block short", edit_data(0x25, _read_capacity_off_by_one)),
    "mode_data_length": ("MODE SENSE (6) data length one too long", edit_data(0x1A, _mode_length_off_by_one)),
    "mode_block_length": ("the block descriptor says 4096-byte blocks", edit_data(0x5A, _block_length_4096)),
    "mode_unsupported_page": ("an unsupported mode page is answered", swallow((0x5A,), asc=0x24)),
    "read_beyond_capacity": ("READ past the last LBA returns zeros", swallow(_READS, asc=0x21)),
    "lba_wraps": ("READ(16)/WRITE(16) add LBA and length in 64 bits before the range check",
                  _wrapping_range_check),
    "read_zero_length_error": ("READ of zero blocks is an error", _fail(0x5, 0x24, 0x00, _READS, _zero_length)),
    "read6_zero_is_one_block": ("READ (6) of length 0 reads one block", edit_cdb((0x08,), _read6_one_block, lambda c: c[4] == 0)),
    "rdprotect_ignored": ("RDPROTECT ignored without protection information",
                          edit_cdb(_READS[1:], lambda r: _cdb_edit(r, 1, 0, 0xE0), lambda c: bool(c[1] & 0xE0))),
    "wrprotect_ignored": ("WRPROTECT ignored without protection information",
                          edit_cdb(_WRITES[1:], lambda r: _cdb_edit(r, 1, 0, 0xE0), lambda c: bool(c[1] & 0xE0))),
    "write_lost": ("WRITE acknowledged and not stored", ignore(_WRITES)),
    "write_beyond_capacity": ("WRITE past the last LBA accepted", swallow(_WRITES, asc=0x21)),
    "verify_no_miscompare": ("VERIFY with BYTCHK=1 never miscompares", swallow((0x2F, 0xAF, 0x8F), asc=0x1D)),
    "verify_beyond_capacity": ("VERIFY past the last LBA accepted", swallow((0x2F, 0xAF, 0x8F), asc=0x21)),
    "write_and_verify_lost": ("WRITE AND VERIFY acknowledged and not stored", ignore((0x2E, 0xAE, 0x8E))),
    "write_same_one_block": ("WRITE SAME writes only the first block", edit_cdb((0x41, 0x93), _write_same_one_block)),
    "write_same_no_limit": ("WRITE SAME above MAXIMUM WRITE SAME LENGTH accepted", swallow((0x93,), asc=0x24)),
    "write_same_beyond_capacity": ("WRITE SAME past the last LBA accepted", swallow((0x41, 0x93), asc=0x21)),
    "unmap_lost": ("UNMAP acknowledged and not done", ignore((0x42,))),
    "unmap_beyond_capacity": ("UNMAP past the last LBA accepted", swallow((0x42,), asc=0x21)),
    "unmap_no_limits": ("UNMAP above the Block Limits accepted", swallow((0x42,), asc=0x26)),
    "lba_status_from_zero": ("GET LBA STATUS always reports from LBA 0",
                             edit_cdb((0x9E,), _lba_status_from_zero, lambda c: c[1] & 0x1F == 0x12)),
    "lba_status_beyond_capacity": ("GET LBA STATUS past the last LBA accepted", swallow((0x9E,), asc=0x21, service_action=0x12)),
    "prefetch_beyond_capacity": ("PRE-FETCH past the last LBA accepted", swallow((0x34, 0x90), asc=0x21)),
    "sync_beyond_capacity": ("SYNCHRONIZE CACHE past the last LBA accepted", swallow((0x35, 0x91), asc=0x21)),
    "caw_writes_on_miscompare": ("COMPARE AND WRITE writes despite a miscompare", _caw_writes_anyway),
    "caw_lost": ("COMPARE AND WRITE acknowledged and not stored", ignore((0x89,))),
    "orwrite_overwrites": ("ORWRITE overwrites instead of ORing", edit_cdb((0x8B,), _ors_as_write)),
    "rsoc_without_itself": ("REPORT SUPPORTED OPERATION CODES omits itself",
                            edit_data(0xA3, _drop_rsoc_self, lambda c: c[1] & 0x1F == 0x0C and c[2] & 0x07 == 0)),
    "rsoc_service_action_without_servactv": ("a service action listed with SERVACTV=0",
                                             edit_data(0xA3, _servactv_cleared, lambda c: c[1] & 0x1F == 0x0C and c[2] & 0x07 == 0)),
    "write_same_zero_blocks_with_wsnz": ("WRITE SAME of zero blocks accepted although WSNZ=1",
                                         ignore((0x41, 0x93), lambda c: not any(c[7:9] if c[0] == 0x41 else c[10:14]))),
    "rsoc_no_timeouts": ("RCTD ignored", edit_cdb((0xA3,), lambda r: _cdb_edit(r, 2, 0, 0x80), lambda c: c[1] & 0x1F == 0x0C)),
    "rsoc_reserved_option": ("REPORTING OPTIONS 111b accepted", swallow((0xA3,), asc=0x24, service_action=0x0C)),
    "rtpg_bad_state": ("REPORT TARGET PORT GROUPS reports a reserved state",
                       edit_data(0xA3, _rtpg_bad_state, lambda c: c[1] & 0x1F == 0x0A)),
    "rtpg_reserved_format_type": ("the extended header of REPORT TARGET PORT GROUPS says FORMAT TYPE 010b",
                                  edit_data(0xA3, lambda d, r: d.__setitem__(4, 0x20), lambda c: c[1] == 0x2A)),
    "alua_standby_reads": ("a READ completes while the target port group is in standby",
                           swallow(_READS, asc=0x04)),
    "pi1_app_tag_lost": ("READ with RDPROTECT returns application tag 0000h, not the one written", _app_tags_lost),
    "pi1_guard_unchecked": ("WRPROTECT=001b does not check the guard (done as 010b)",
                            edit_cdb(_WRITES[1:], _protect_as(2), lambda c: c[1] >> 5 == 1)),
    "pi1_reference_unchecked": ("WRPROTECT=001b does not check the reference tag (done as 100b)",
                                edit_cdb(_WRITES[1:], _protect_as(4), lambda c: c[1] >> 5 == 1)),
    "pi1_pi_inside_block": ("RDPROTECT=000b transfers 8 bytes less per block", _pi_bytes_inside_block),
    "pi1_protect_bit_clear": ("PROTECT=0 in the standard INQUIRY data of a disk with protection information",
                              edit_data(0x12, lambda d, r: d.__setitem__(5, d[5] & 0xFE), _standard_inquiry)),
    "pi1_reserved_p_type": ("READ CAPACITY(16) reports P_TYPE 011b (reserved)",
                            edit_data(0x9E, lambda d, r: d.__setitem__(12, (d[12] & 0xF1) | 0x06),
                                      lambda c: c[1] & 0x1F == 0x10)),
    "pi2_rdprotect_in_short_cdbs": ("type 2: READ(10/12/16) with RDPROTECT accepted",
                                    swallow(_READS[1:], asc=0x20)),
    "pi2_app_tag_lost": ("type 2: READ(32) with RDPROTECT returns application tag 0000h", _app_tags_lost),
    "pi2_reference_unchecked": ("type 2: WRITE(32) WRPROTECT=001b does not check the reference tag",
                                edit_cdb((0x7F,), _protect_as(4, 10), lambda c: len(c) > 10 and c[10] >> 5 == 1)),
    "pi3_reference_checked": ("type 3: the reference tag is checked against the LBA", _type3_checks_reference),
    "stop_ignored": ("START STOP UNIT with START=0 has no effect", ignore((0x1B,), lambda c: not c[4] & 0x01)),
    "power_condition_accepted": ("a reserved POWER CONDITION accepted", swallow((0x1B,), asc=0x24)),
    "reserve_ignored": ("RESERVE (6) acknowledged and not held", ignore((0x16,))),
    "reserve_by_other_granted": ("a second initiator's RESERVE (6) succeeds", swallow((0x16,), status=_sense.RESERVATION_CONFLICT)),
    "pr_generation_frozen": ("PRGENERATION never changes", edit_data(0x5E, _frozen_generation, lambda c: c[1] & 0x1F == 0)),
    "pr_register_wrong_key": ("REGISTER with a wrong key succeeds", swallow((0x5F,), status=_sense.RESERVATION_CONFLICT, service_action=0x00)),
    "pr_write_exclusive_leaks": ("WRITE EXCLUSIVE lets others write", _write_exclusive_leaks),
    "pr_preempt_unregistered": ("PREEMPT from an unregistered nexus succeeds",
                                swallow((0x5F,), status=_sense.RESERVATION_CONFLICT, service_action=0x04)),
    "pr_clear_lost": ("PERSISTENT RESERVE OUT CLEAR does nothing", ignore((0x5F,), lambda c: c[1] & 0x1F == 0x03)),
    "sense_always_fixed": ("fixed format sense data despite D_SENSE=1", _fixed_sense_only),
    "request_sense_desc_ignored": ("REQUEST SENSE ignores DESC=1",
                                   edit_cdb((0x03,), lambda r: _cdb_edit(r, 1, 0, 0x01), lambda c: bool(c[1] & 0x01))),
    "xcopy_lost": ("EXTENDED COPY acknowledged and not done", ignore((0x83,))),
    "copy_status_unknown_list": ("RECEIVE COPY STATUS of an unused list answered", swallow((0x84,), asc=0x24)),
    "defect_length_odd": ("DEFECT LIST LENGTH not a multiple of the descriptor length", edit_data(0x37, _odd_defect_length)),
    "sanitize_lost": ("SANITIZE acknowledged and not done", ignore((0x48,))),
    "sanitize_zero_passes": ("OVERWRITE COUNT zero accepted", swallow((0x48,), asc=0x26)),
    "zoned_unaligned_write": ("a write away from the write pointer accepted", swallow(_WRITES, asc=0x21)),
    "zoned_reset_lost": ("RESET WRITE POINTER acknowledged and not done", ignore((0x94,), lambda c: c[1] & 0x1F == 0x04)),
    "zoned_bad_zone_id": ("a ZONE ID inside a zone accepted", swallow((0x94,), asc=0x24)),
    "zoned_write_pointer_outside_zone": ("REPORT ZONES puts write pointers past their zone's end",
                                         edit_data(0x95, _write_pointers_past_the_end, lambda c: c[1] & 0x1F == 0x00)),
    "zoned_write_lost": ("a write at the write pointer acknowledged and not done", ignore(_WRITES)),
    "zoned_boundary_ignored": ("a write across the end of a zone completes", _boundary_ignored),
    "zoned_close_finishes": ("CLOSE ZONE does FINISH ZONE", edit_cdb((0x94,), lambda r: _cdb_edit(r, 1, 0x02, 0x1F),
                                                                     lambda c: c[1] & 0x1F == 0x01)),
    "zoned_reads_past_write_pointer": ("a READ past the write pointer returns data despite URSWRZ=0",
                                       swallow(_READS, asc=0x21)),
    "removable_reads_without_medium": ("READ and READ CAPACITY complete with the medium ejected",
                                       swallow((0x08, 0x28, 0x88, 0x25, 0x9E), asc=0x3A)),
    "removable_request_sense_empty": ("REQUEST SENSE reports NO SENSE with the medium ejected",
                                      _request_sense_says_nothing),
    "removable_load_ignored": ("START STOP UNIT with LOEJ=1 and START=1 does not load the medium",
                               ignore((0x1B,), lambda c: c[4] & 0x03 == 0x03)),
}


class BrokenDisk(EmulatedDisk):
    """An :class:`EmulatedDisk` whose answers go through one rule of :data:`RULES`."""

    def __init__(self, rule: str, **params: object) -> None:
        if rule not in RULES:
            raise UsageError(f"rule={rule!r}: unknown; known rules: {', '.join(sorted(RULES))}")
        if rule.startswith("zoned_"):
            params.setdefault("zoned", True)
            params.setdefault("blocks", 8192)
            params.setdefault("zone_size", 1024)
            params.setdefault("conventional_zones", 1)
        if rule.startswith("removable_"):
            params.setdefault("removable", True)
        if rule.startswith("alua_"):
            params.setdefault("alua", "explicit")
        if rule == "zoned_reads_past_write_pointer":
            params.setdefault("urswrz", False)
        if rule == "unmap_lba_count_unlimited":
            params.setdefault("blocks", 2**23)  # room for more blocks than the UNMAP limit
        if rule.startswith("wp_"):
            params.setdefault("write_protect", True)
        if rule[:3] in ("pi1", "pi2", "pi3"):
            params.setdefault("protection", int(rule[2]))
        super().__init__(**params)  # type: ignore[arg-type]
        self.rule = rule
        self._rule = RULES[rule][1]

    def respond(self, cdb: bytes, data_out: Optional[bytes] = None, allocation_length: int = 0, *,
                nexus: int = 0) -> Reply:
        conforming = super().respond

        def respond(request: Request) -> Reply:
            return conforming(request.cdb, request.data_out, request.allocation_length, nexus=request.nexus)

        return self._rule(self, Request(bytes(cdb), bytes(data_out or b""), max(0, int(allocation_length)), nexus), respond)
