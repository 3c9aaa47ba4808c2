"""The built-in command set of the emulated disk, registered like a plugin's would be.

Each row: operation code, service action, name, handler (``"module.function"`` in this
package, imported at the first command that needs it), CDB usage data (SPC-5
6.35.3; the mask of evaluated bits, which also rejects reserved bits), whether it
accesses the medium, its reservation access class, and where its ALLOCATION LENGTH
field is.  Control bytes are 00h: no command supports NACA or the obsolete LINK bit.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from sgframe.emu.table import NONE, READ, WRITE, CommandSpec, usage_from_hex

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

_FF8 = "ff ff ff ff ff ff ff ff"
_FF4 = "ff ff ff ff"

# Nominal and recommended timeouts (seconds) for the command timeouts descriptor.
_QUICK = (0, 10)
_DATA = (1, 30)
_LONG = (3600, 7200)

Row = Tuple[int, Optional[int], str, str, str, bool, str, Tuple[int, int], Optional[Tuple[int, int]]]


def _var(service_action: int, byte10: str) -> str:
    """Usage data of READ(32)/WRITE(32): 7Fh, service action in bytes 8-9."""
    return f"7f 00 00 00 00 00 3f 18 00 {service_action:02x} {byte10} 00 {_FF8} {_FF4} ff ff ff ff {_FF4}"


_ROWS: List[Row] = [
    (0x00, None, "TEST UNIT READY", "spc.test_unit_ready", "00 00 00 00 00 00", True, NONE, _QUICK, None),
    (0x03, None, "REQUEST SENSE", "spc.request_sense", "03 01 00 00 ff 00", False, NONE, _QUICK, (4, 1)),
    (0x04, None, "FORMAT UNIT", "sbc.format_unit", "04 ff 00 00 00 00", True, WRITE, _LONG, None),
    (0x08, None, "READ(6)", "sbc.read", "08 1f ff ff ff 00", True, READ, _DATA, None),
    (0x0A, None, "WRITE(6)", "sbc.write", "0a 1f ff ff ff 00", True, WRITE, _DATA, None),
    (0x12, None, "INQUIRY", "vpd.inquiry", "12 01 ff ff ff 00", False, NONE, _QUICK, (3, 2)),
    (0x15, None, "MODE SELECT(6)", "modes.mode_select", "15 11 00 00 ff 00", False, WRITE, _QUICK, None),
    (0x16, None, "RESERVE(6)", "reservations.reserve", "16 00 00 00 00 00", False, NONE, _QUICK, None),
    (0x17, None, "RELEASE(6)", "reservations.release", "17 00 00 00 00 00", False, NONE, _QUICK, None),
    (0x1A, None, "MODE SENSE(6)", "modes.mode_sense", "1a 08 ff ff ff 00", False, NONE, _QUICK, (4, 1)),
    (0x1B, None, "START STOP UNIT", "spc.start_stop_unit", "1b 01 00 0f f7 00", False, WRITE, (1, 60), None),
    (0x1C, None, "RECEIVE DIAGNOSTIC RESULTS", "spc.receive_diagnostic_results", "1c 01 ff ff ff 00", False, READ, _QUICK, (3, 2)),
    (0x1D, None, "SEND DIAGNOSTIC", "spc.send_diagnostic", "1d f7 00 ff ff 00", False, WRITE, (30, 120), None),
    (0x1E, None, "PREVENT ALLOW MEDIUM REMOVAL", "spc.prevent_allow_medium_removal", "1e 00 00 00 03 00", False, NONE, _QUICK, None),
    (0x25, None, "READ CAPACITY(10)", "sbc.read_capacity_10", "25 00 ff ff ff ff 00 00 01 00", False, NONE, _QUICK, None),
    (0x28, None, "READ(10)", "sbc.read", "28 fc ff ff ff ff 3f ff ff 00", True, READ, _DATA, None),
    (0x2A, None, "WRITE(10)", "sbc.write", "2a f8 ff ff ff ff 3f ff ff 00", True, WRITE, _DATA, None),
    (0x2E, None, "WRITE AND VERIFY(10)", "sbc.write_and_verify", "2e f6 ff ff ff ff 3f ff ff 00", True, WRITE, _DATA, None),
    (0x2F, None, "VERIFY(10)", "sbc.verify", "2f f6 ff ff ff ff 3f ff ff 00", True, READ, _DATA, None),
    (0x34, None, "PRE-FETCH(10)", "sbc.pre_fetch", "34 02 ff ff ff ff 3f ff ff 00", True, READ, _DATA, None),
    (0x35, None, "SYNCHRONIZE CACHE(10)", "sbc.synchronize_cache", "35 02 ff ff ff ff 3f ff ff 00", True, WRITE, _DATA, None),
    (0x38, None, "FORMAT WITH PRESET", "sbc.format_with_preset", "38 c0 ff ff ff ff 00 00 00 00", True, WRITE, _LONG, None),
    (0x3B, None, "WRITE BUFFER", "spc.write_buffer", "3b 1f ff ff ff ff ff ff ff 00", False, WRITE, _DATA, None),
    (0x3C, None, "READ BUFFER(10)", "spc.read_buffer", "3c 1f ff ff ff ff ff ff ff 00", False, READ, _DATA, (6, 3)),
    (0x41, None, "WRITE SAME(10)", "sbc.write_same", "41 f8 ff ff ff ff 3f ff ff 00", True, WRITE, _DATA, None),
    (0x42, None, "UNMAP", "sbc.unmap", "42 01 00 00 00 00 3f ff ff 00", True, WRITE, _DATA, None),
    (0x4C, None, "LOG SELECT", "logs.log_select", "4c 03 ff ff 00 00 00 ff ff 00", False, WRITE, _QUICK, None),
    (0x4D, None, "LOG SENSE", "logs.log_sense", "4d 01 ff ff 00 ff ff ff ff 00", False, NONE, _QUICK, (7, 2)),
    (0x55, None, "MODE SELECT(10)", "modes.mode_select", "55 11 00 00 00 00 00 ff ff 00", False, WRITE, _QUICK, None),
    (0x56, None, "RESERVE(10)", "reservations.reserve", "56 00 00 00 00 00 00 00 00 00", False, NONE, _QUICK, None),
    (0x57, None, "RELEASE(10)", "reservations.release", "57 00 00 00 00 00 00 00 00 00", False, NONE, _QUICK, None),
    (0x5A, None, "MODE SENSE(10)", "modes.mode_sense", "5a 18 ff ff 00 00 00 ff ff 00", False, NONE, _QUICK, (7, 2)),
    (0x7F, 0x0009, "READ(32)", "sbc.read", _var(0x09, "fc"), True, READ, _DATA, None),
    (0x7F, 0x000B, "WRITE(32)", "sbc.write", _var(0x0B, "f8"), True, WRITE, _DATA, None),
    (0x88, None, "READ(16)", "sbc.read", f"88 fc {_FF8} {_FF4} 3f 00", True, READ, _DATA, None),
    (0x89, None, "COMPARE AND WRITE", "sbc.compare_and_write", f"89 f8 {_FF8} 00 00 00 ff 3f 00", True, WRITE, _DATA, None),
    (0x8A, None, "WRITE(16)", "sbc.write", f"8a f8 {_FF8} {_FF4} 3f 00", True, WRITE, _DATA, None),
    (0x8E, None, "WRITE AND VERIFY(16)", "sbc.write_and_verify", f"8e f6 {_FF8} {_FF4} 3f 00", True, WRITE, _DATA, None),
    (0x8F, None, "VERIFY(16)", "sbc.verify", f"8f f6 {_FF8} {_FF4} 3f 00", True, READ, _DATA, None),
    (0x90, None, "PRE-FETCH(16)", "sbc.pre_fetch", f"90 02 {_FF8} {_FF4} 3f 00", True, READ, _DATA, None),
    (0x91, None, "SYNCHRONIZE CACHE(16)", "sbc.synchronize_cache", f"91 02 {_FF8} {_FF4} 3f 00", True, WRITE, _DATA, None),
    (0x93, None, "WRITE SAME(16)", "sbc.write_same", f"93 f9 {_FF8} {_FF4} 3f 00", True, WRITE, _DATA, None),
    (0x9E, 0x10, "READ CAPACITY(16)", "sbc.read_capacity_16", f"9e 10 {_FF8} {_FF4} 01 00", False, NONE, _QUICK, (10, 4)),
    (0x9E, 0x12, "GET LBA STATUS", "sbc.get_lba_status", f"9e 12 {_FF8} {_FF4} 03 00", True, READ, _DATA, (10, 4)),
    (0xA0, None, "REPORT LUNS", "spc.report_luns", "a0 00 ff 00 00 00 ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0xA3, 0x0A, "REPORT TARGET PORT GROUPS", "spc.report_target_port_groups", "a3 ea 00 00 00 00 ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0xA3, 0x0C, "REPORT SUPPORTED OPERATION CODES", "spc.report_supported_operation_codes", "a3 0c 87 ff ff ff ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0xA3, 0x0D, "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", "spc.report_supported_task_management_functions", "a3 0d 80 00 00 00 ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0xA8, None, "READ(12)", "sbc.read", "a8 fc ff ff ff ff ff ff ff ff 3f 00", True, READ, _DATA, None),
    (0xAA, None, "WRITE(12)", "sbc.write", "aa f8 ff ff ff ff ff ff ff ff 3f 00", True, WRITE, _DATA, None),
    # Added with issue 14.
    (0x07, None, "REASSIGN BLOCKS", "sbc_extra.reassign_blocks", "07 03 00 00 00 00", True, WRITE, _LONG, None),
    (0x37, None, "READ DEFECT DATA(10)", "sbc_extra.read_defect_data", "37 00 1f 00 00 00 00 ff ff 00", False, NONE, _QUICK, (7, 2)),
    (0x3E, None, "READ LONG(10)", "sbc_extra.read_long", "3e 06 ff ff ff ff 00 ff ff 00", True, READ, _DATA, None),
    (0x3F, None, "WRITE LONG(10)", "sbc_extra.write_long", "3f e0 ff ff ff ff 00 ff ff 00", True, WRITE, _DATA, None),
    (0x7F, 0x0012, "GET LBA STATUS(32)", "sbc.get_lba_status", f"7f 00 00 00 00 00 00 18 00 12 03 00 {_FF8} {_FF4} {_FF4} {_FF4}", True, READ, _DATA, (28, 4)),
    (0x83, 0x00, "EXTENDED COPY(LID1)", "copy_manager.extended_copy", f"83 00 00 00 00 00 00 00 00 00 {_FF4} 00 00", True, WRITE, _LONG, None),
    (0x84, 0x00, "RECEIVE COPY STATUS(LID1)", "copy_manager.receive_copy_status", f"84 00 ff 00 00 00 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x84, 0x01, "RECEIVE COPY DATA(LID1)", "copy_manager.receive_copy_data", f"84 01 ff 00 00 00 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x84, 0x03, "RECEIVE COPY OPERATING PARAMETERS", "copy_manager.receive_copy_operating_parameters", f"84 03 00 00 00 00 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x84, 0x04, "RECEIVE COPY FAILURE DETAILS(LID1)", "copy_manager.receive_copy_failure_details", f"84 04 ff 00 00 00 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x8B, None, "ORWRITE(16)", "sbc.orwrite", f"8b f8 {_FF8} {_FF4} 3f 00", True, WRITE, _DATA, None),
    (0x9E, 0x11, "READ LONG(16)", "sbc_extra.read_long", f"9e 11 {_FF8} 00 00 ff ff 03 00", True, READ, _DATA, None),
    (0x9E, 0x14, "STREAM CONTROL", "sbc_extra.stream_control", f"9e 74 00 00 ff ff 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x9E, 0x15, "BACKGROUND CONTROL", "sbc_extra.background_control", "9e 15 c0 ff 00 00 00 00 00 00 00 00 00 00 00 00", False, NONE, _QUICK, None),
    (0x9E, 0x16, "GET STREAM STATUS", "sbc_extra.get_stream_status", f"9e 16 00 00 ff ff 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x9F, 0x11, "WRITE LONG(16)", "sbc_extra.write_long", f"9f f1 {_FF8} 00 00 ff ff 00 00", True, WRITE, _DATA, None),
    # The allocation and transfer lengths of SECURITY PROTOCOL IN and OUT may count
    # 512-byte blocks (INC_512): the handlers apply them.
    (0xA2, None, "SECURITY PROTOCOL IN", "security.security_protocol_in", "a2 ff ff ff 80 00 ff ff ff ff 00 00", False, NONE, _QUICK, None),
    (0xB5, None, "SECURITY PROTOCOL OUT", "security.security_protocol_out", "b5 ff ff ff 80 00 ff ff ff ff 00 00", False, NONE, _QUICK, None),
    (0xAE, None, "WRITE AND VERIFY(12)", "sbc.write_and_verify", "ae f6 ff ff ff ff ff ff ff ff 3f 00", True, WRITE, _DATA, None),
    (0xAF, None, "VERIFY(12)", "sbc.verify", "af f6 ff ff ff ff ff ff ff ff 3f 00", True, READ, _DATA, None),
    (0xB7, None, "READ DEFECT DATA(12)", "sbc_extra.read_defect_data", "b7 1f ff ff ff ff ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0x9C, None, "WRITE ATOMIC(16)", "sbc.write_atomic", f"9c f8 {_FF8} ff ff ff ff 3f 00", True, WRITE, _DATA, None),
    (0xA3, 0x05, "REPORT IDENTIFYING INFORMATION", "spc_extra.report_identifying_information", "a3 05 00 00 00 00 ff ff ff ff fe 00", False, NONE, _QUICK, (6, 4)),
    (0xA3, 0x0E, "REPORT PRIORITY", "spc_extra.report_priority", "a3 0e c0 00 00 00 ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0xAB, 0x01, "READ MEDIA SERIAL NUMBER", "spc_extra.read_media_serial_number", "ab 01 00 00 00 00 ff ff ff ff 00 00", False, NONE, _QUICK, (6, 4)),
    (0x9E, 0x13, "REPORT REFERRALS", "alua.report_referrals", f"9e 13 {_FF8} {_FF4} 01 00", False, NONE, _QUICK, (10, 4)),
    (0x9E, 0x17, "GET PHYSICAL ELEMENT STATUS", "depopulation.get_physical_element_status", f"9e 17 00 00 00 00 {_FF4} {_FF4} cf 00", False, NONE, _QUICK, (10, 4)),
    (0x83, 0x01, "EXTENDED COPY(LID4)", "copy_manager.extended_copy_lid4", f"83 01 00 00 00 00 00 00 00 00 {_FF4} 00 00", True, WRITE, _LONG, None),
    (0x84, 0x05, "RECEIVE COPY STATUS(LID4)", "copy_manager.receive_copy_status_lid4", f"84 05 {_FF4} 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x84, 0x06, "RECEIVE COPY DATA(LID4)", "copy_manager.receive_copy_data_lid4", f"84 06 {_FF4} 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
    (0x84, 0x07, "RECEIVE ROD TOKEN INFORMATION", "copy_manager.receive_rod_token_information", f"84 07 {_FF4} 00 00 00 00 {_FF4} 00 00", False, NONE, _QUICK, (10, 4)),
]

# Commands of issue 14's list the emulated disk does not have, as a disk of its kind
# does not; the command table answers them ILLEGAL REQUEST, INVALID COMMAND OPERATION
# CODE (20h/00h), or INVALID FIELD IN CDB pointing at the service action where the
# operation code has others:
# * SET TARGET PORT GROUPS (A4h/0Ah) unless alua=explicit: TPGS 01b is implicit ALUA
#   only (SPC-5 5.16.2.3: explicit transitions need TPGS 10b or 11b).
# * POPULATE TOKEN, WRITE USING TOKEN (83h/10h, 11h): sgframe declares no such commands,
#   so no ROD token is ever made; RECEIVE ROD TOKEN INFORMATION reports none.
# * REPORT REALMS, REPORT ZONE DOMAINS, ZONE ACTIVATE, ZONE QUERY (95h/06h-09h) unless
#   the zoned disk is made with zone_domains: a disk of one zone domain has no realms.

# The plain (not zoned) disk's depopulation truncates the capacity; a zoned disk would
# take REMOVE ELEMENT AND MODIFY ZONES (ZBC-2), which is not emulated.
_FLAT_ROWS: List[Row] = [
    (0x9E, 0x18, "REMOVE ELEMENT AND TRUNCATE", "depopulation.remove_element_and_truncate", f"9e 18 {_FF8} {_FF4} 00 00", True, WRITE, _LONG, None),
]

for _sa, _name in ((0x00, "READ KEYS"), (0x01, "READ RESERVATION"), (0x02, "REPORT CAPABILITIES"), (0x03, "READ FULL STATUS")):
    _ROWS.append((0x5E, _sa, f"PERSISTENT RESERVE IN ({_name})", "reservations.persistent_reserve_in",
                  f"5e {_sa:02x} 00 00 00 00 00 ff ff 00", False, NONE, _QUICK, (7, 2)))
for _sa, _name in ((0x00, "REGISTER"), (0x01, "RESERVE"), (0x02, "RELEASE"), (0x03, "CLEAR"), (0x04, "PREEMPT"),
                   (0x05, "PREEMPT AND ABORT"), (0x06, "REGISTER AND IGNORE EXISTING KEY")):
    _ROWS.append((0x5F, _sa, f"PERSISTENT RESERVE OUT ({_name})", "reservations.persistent_reserve_out",
                  f"5f {_sa:02x} ff 00 00 ff ff ff ff 00", False, NONE, _QUICK, None))
for _sa, _name in ((0x01, "OVERWRITE"), (0x02, "BLOCK ERASE"), (0x03, "CRYPTOGRAPHIC ERASE"), (0x1F, "EXIT FAILURE MODE")):
    _ROWS.append((0x48, _sa, f"SANITIZE ({_name})", "sbc.sanitize",
                  f"48 {0xE0 | _sa:02x} 00 00 00 00 00 ff ff 00", False, WRITE, _LONG, None))

_ZONED_ROWS: List[Row] = [
    (0x95, 0x00, "REPORT ZONES", "zoned.report_zones", f"95 00 {_FF8} {_FF4} bf 00", True, READ, _QUICK, (10, 4)),
    (0x94, 0x01, "CLOSE ZONE", "zoned.close_zone", f"94 01 {_FF8} 00 00 ff ff 01 00", True, WRITE, _QUICK, None),
    (0x94, 0x02, "FINISH ZONE", "zoned.finish_zone", f"94 02 {_FF8} 00 00 ff ff 01 00", True, WRITE, _QUICK, None),
    (0x94, 0x03, "OPEN ZONE", "zoned.open_zone", f"94 03 {_FF8} 00 00 ff ff 01 00", True, WRITE, _QUICK, None),
    (0x94, 0x04, "RESET WRITE POINTER", "zoned.reset_write_pointer", f"94 04 {_FF8} 00 00 ff ff 01 00", True, WRITE, _QUICK, None),
]

# A zoned disk with zone domains (ZBC-2 4.6) adds these.
_DOMAIN_ROWS: List[Row] = [
    (0x95, 0x06, "REPORT REALMS", "zone_domains.report_realms", f"95 06 {_FF8} {_FF4} 3f 00", False, NONE, _QUICK, (10, 4)),
    (0x95, 0x07, "REPORT ZONE DOMAINS", "zone_domains.report_zone_domains", f"95 07 {_FF8} {_FF4} 3f 00", False, NONE, _QUICK, (10, 4)),
    (0x95, 0x08, "ZONE ACTIVATE(16)", "zone_domains.zone_activate", f"95 88 {_FF8} ff ff ff ff ff 00", True, WRITE, _QUICK, (12, 2)),
    (0x95, 0x09, "ZONE QUERY(16)", "zone_domains.zone_query", f"95 89 {_FF8} ff ff ff ff ff 00", False, NONE, _QUICK, (12, 2)),
]


class _Handler:
    """A row's handler, its module imported at the first command it answers: a disk is
    made at every ``sgframe ... emu:disk`` start, and its handler modules cost more
    to import than a TEST UNIT READY."""

    __slots__ = ("path", "_function")

    def __init__(self, path: str) -> None:
        self.path = path
        self._function: Any = None

    def __call__(self, disk: Any, request: Any) -> Any:
        function = self._function
        if function is None:
            module, name = self.path.rsplit(".", 1)
            function = self._function = getattr(import_module(f"sgframe.emu.{module}"), name)
        return function(disk, request)

    def __repr__(self) -> str:
        return f"<emulated {self.path}>"


# The specs of the rows, each made at the first lookup of its command (the table's
# add_unmade) and shared by every disk after: the records are frozen.
_MADE: Dict[Row, CommandSpec] = {}
_HANDLERS: Dict[str, _Handler] = {}


def _spec(row: Row) -> CommandSpec:
    spec = _MADE.get(row)
    if spec is None:
        opcode, service_action, name, handler, usage, medium, access, timeouts, allocation = row
        spec = _MADE[row] = CommandSpec(
            opcode=opcode,
            service_action=service_action,
            name=name,
            handler=_HANDLERS.setdefault(handler, _Handler(handler)),
            usage=usage_from_hex(usage),
            medium=medium,
            access=access,
            timeouts=timeouts,
            allocation=allocation,
        )
    return spec


def set_target_port_groups_spec() -> CommandSpec:
    """SET TARGET PORT GROUPS, which only a disk with explicit ALUA has."""
    return CommandSpec(
        opcode=0xA4, service_action=0x0A, name="SET TARGET PORT GROUPS",
        handler=_HANDLERS.setdefault("alua.set_target_port_groups", _Handler("alua.set_target_port_groups")),
        usage=usage_from_hex("a4 0a 00 00 00 00 ff ff ff ff 00 00"), medium=False, access=NONE,
        timeouts=_QUICK, allocation=None)


def register_builtins(disk: "EmulatedDisk") -> None:
    rows = _ROWS + _ZONED_ROWS if disk.zoned else _ROWS + _FLAT_ROWS
    if disk.zones is not None and disk.zones.domains:
        rows = rows + _DOMAIN_ROWS
    add = disk.table.add_unmade
    for row in rows:
        if row[0] == 0x42 and not disk.lbpu:
            continue  # UNMAP exists only on a thin-provisioned disk
        add(row[0], row[1], _spec, row)
