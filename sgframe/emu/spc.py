"""SPC-5 commands of the emulated disk that are not about the medium's data:
TEST UNIT READY, REQUEST SENSE, REPORT LUNS, REPORT SUPPORTED OPERATION CODES,
REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS, REPORT TARGET PORT GROUPS, START STOP
UNIT, PREVENT ALLOW MEDIUM REMOVAL, SEND DIAGNOSTIC, RECEIVE DIAGNOSTIC RESULTS,
READ BUFFER(10) and WRITE BUFFER."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request
from sgframe.emu.table import CommandSpec

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

ECHO_BUFFER_CAPACITY = 4096


def test_unit_ready(disk: "EmulatedDisk", request: Request) -> None:
    # A stopped unit is caught before the handler (the entry is a medium command).
    return None


def request_sense(disk: "EmulatedDisk", request: Request) -> bytes:
    descriptor = bool(request.cdb[1] & 0x01)
    pending = disk.pop_unit_attention(request.nexus)
    if pending is not None:
        key, (asc, ascq) = _sense.UNIT_ATTENTION, pending
    elif not disk.medium_present:
        key, asc, ascq = _sense.NOT_READY, 0x3A, 0x00
    elif not disk.started:
        key, asc, ascq = _sense.NOT_READY, 0x04, 0x02
    else:
        key, asc, ascq = _sense.NO_SENSE, 0x00, 0x00
    return _sense.build_sense(key, asc, ascq, descriptor=descriptor)[: request.cdb[4]]


def report_luns(disk: "EmulatedDisk", request: Request) -> bytes:
    select = request.cdb[2]
    if request.u(6, 4) < 16:
        raise _sense.invalid_field_in_cdb(6)  # SPC-5 6.33: at least 16 bytes
    if select in (0x00, 0x02):
        luns = bytes(8)  # LUN 0, peripheral device addressing
    elif select in (0x01, 0x10, 0x11, 0x12):
        luns = b""  # no well-known or administrative logical units
    else:
        raise _sense.invalid_field_in_cdb(2)
    return len(luns).to_bytes(4, "big") + bytes(4) + luns


def _timeouts(spec: CommandSpec) -> bytes:
    nominal, recommended = spec.timeouts
    return bytes((0x00, 0x0A, 0x00, 0x00)) + nominal.to_bytes(4, "big") + recommended.to_bytes(4, "big")


def report_supported_operation_codes(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    rctd = bool(cdb[2] & 0x80)
    options = cdb[2] & 0x07
    opcode = cdb[3]
    service_action = request.u(4, 2)
    if options == 0:
        out = bytearray()
        for spec in disk.table:
            out += bytes((spec.opcode, 0)) + (spec.service_action or 0).to_bytes(2, "big")
            out += bytes((0, (0x02 if rctd else 0) | (0x01 if spec.service_action is not None else 0)))
            out += spec.cdb_length.to_bytes(2, "big")
            if rctd:
                out += _timeouts(spec)
        return len(out).to_bytes(4, "big") + bytes(out)
    with_sa = disk.table.has_service_actions(opcode)
    if options == 1:
        if with_sa:
            raise _sense.invalid_field_in_cdb(2, 2)
        spec: Optional[CommandSpec] = disk.table.get(opcode, None)
    elif options == 2:
        known = with_sa or disk.table.get(opcode, None) is not None
        if known and not with_sa:
            raise _sense.invalid_field_in_cdb(2, 2)
        spec = disk.table.get(opcode, service_action)
    elif options == 3:
        spec = disk.table.get(opcode, service_action if with_sa else None)
    else:
        raise _sense.invalid_field_in_cdb(2, 2)
    if spec is None:
        return bytes((0, 0x01, 0, 0))  # SUPPORT 001b: not supported
    usage = bytes(spec.usage)
    head = bytes((0, (0x80 if rctd else 0) | 0x03)) + len(usage).to_bytes(2, "big")
    return head + usage + (_timeouts(spec) if rctd else b"")


def report_supported_task_management_functions(disk: "EmulatedDisk", request: Request) -> bytes:
    if request.u(6, 4) < 4:
        raise _sense.invalid_field_in_cdb(6)
    # ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, TARGET RESET;
    # I_T NEXUS RESET.
    data = bytes((0xDA, 0x01, 0x00, 0x00))
    if request.cdb[2] & 0x80:  # REPD: the extended format, 16 bytes
        data = data[:3] + b"\x0c" + bytes(12)
    return data


def report_target_port_groups(disk: "EmulatedDisk", request: Request) -> bytes:
    data_format = request.cdb[1] >> 5
    # One target port group (1) holding relative target port 1: always active/optimized
    # with implicit ALUA, in the state last set with explicit ALUA (sgframe.emu.alua).
    group = disk.alua.descriptor()
    if data_format == 0:
        body = group
    elif data_format == 1:
        body = bytes((0x10, 0, 0, 0)) + group  # extended header, implicit transition time 0
    else:
        raise _sense.invalid_field_in_cdb(1, 7)
    return len(body).to_bytes(4, "big") + body


def start_stop_unit(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    condition = cdb[4] >> 4
    if cdb[4] & 0x02 and condition == 0:
        if not disk.removable:
            raise _sense.invalid_field_in_cdb(4, 1)  # LOEJ: the medium is not removable
        load = bool(cdb[4] & 0x01)
        if not load and disk.prevent_removal:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x53, 0x02)  # MEDIUM REMOVAL PREVENTED
        disk.medium_present = load
        disk.started = load
        return None
    if cdb[4] & 0x02:
        raise _sense.invalid_field_in_cdb(4, 1)  # LOEJ is ignored unless POWER CONDITION is 0h
    if condition == 0:
        if cdb[3] & 0x0F:
            raise _sense.invalid_field_in_cdb(3, 3)
        start = bool(cdb[4] & 0x01)
        if start and not disk.started:
            disk.logs.start_stop_cycles += 1
            disk.logs.power_transition(0x1)  # a started disk is active
        disk.started = start
    elif condition == 1:
        if not disk.started:
            disk.logs.start_stop_cycles += 1
        disk.started = True
    elif condition not in (0x2, 0x3, 0x7, 0xA, 0xB):
        raise _sense.invalid_field_in_cdb(4, 7)
    # IDLE, STANDBY and the LU_CONTROL / FORCE conditions are accepted: an
    # emulated disk has no power to save, but counts the transitions (log page 1Ah).
    disk.logs.power_transition(condition)
    return None


def prevent_allow_medium_removal(disk: "EmulatedDisk", request: Request) -> None:
    prevent = request.cdb[4] & 0x03
    if prevent > 1:
        raise _sense.invalid_field_in_cdb(4, 1)  # 10b and 11b are for medium changers
    disk.prevent_removal = bool(prevent)
    return None


def send_diagnostic(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    code = cdb[1] >> 5
    length = request.u(3, 2)
    if cdb[1] & 0x04:  # SELFTEST: the default self-test
        if code:
            raise _sense.invalid_field_in_cdb(1, 7)
        if disk.bad_ranges:
            raise _sense.Failure(_sense.HARDWARE_ERROR, 0x3E, 0x03)
        return None
    if code:
        if length:
            raise _sense.invalid_field_in_cdb(3)
        if code == 4:  # abort background self-test: none is ever running
            return None
        if code not in (1, 2, 5, 6):
            raise _sense.invalid_field_in_cdb(1, 7)
        from sgframe.emu.logs import SelfTestResult  # the log-page layouts: only for a self-test

        first_bad = None
        if code in (2, 6):  # only the extended test reads the whole medium
            bad = disk.bad_ranges
            first_bad = min(start for start, _ in bad) if bad else None
        if first_bad is None:
            disk.logs.add_self_test(SelfTestResult(code, 0))
            return None
        disk.logs.add_self_test(
            SelfTestResult(code, 7, address_of_first_failure=first_bad, sense_key=_sense.MEDIUM_ERROR,
                           additional_sense_code=0x11)
        )
        if code == 6:  # a failed foreground test ends the command (SPC-5 5.19.3)
            raise _sense.Failure(_sense.HARDWARE_ERROR, 0x3E, 0x03)
        return None
    if not length:
        return None
    if not cdb[1] & 0x10:
        raise _sense.invalid_field_in_cdb(1, 4)  # only page format parameter lists
    data = request.parameters(length)
    if length < 4 or 4 + int.from_bytes(data[2:4], "big") != length:
        raise _sense.parameter_list_length_error()
    if data[0] != 0x00:
        raise _sense.invalid_field_in_parameter_list(0)
    return None


def receive_diagnostic_results(disk: "EmulatedDisk", request: Request) -> bytes:
    if request.cdb[1] & 0x01 and request.cdb[2] != 0x00:
        raise _sense.invalid_field_in_cdb(2)
    # The supported diagnostic pages page lists itself only (SPC-5 7.2.2).
    return bytes((0x00, 0x00, 0x00, 0x01, 0x00))


def read_buffer(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    mode = cdb[1] & 0x1F
    buffer_id = cdb[2]
    offset = request.u(3, 3)
    length = request.u(6, 3)
    capacity = len(disk.buffer)
    if mode in (0x00, 0x02, 0x03) and buffer_id:
        raise _sense.invalid_field_in_cdb(2)
    if mode == 0x00:
        if offset:
            raise _sense.invalid_field_in_cdb(3)
        data = b"\x00" + capacity.to_bytes(3, "big") + bytes(disk.buffer)
    elif mode == 0x02:
        if offset > capacity:
            raise _sense.invalid_field_in_cdb(3)
        data = bytes(disk.buffer[offset:])
    elif mode == 0x03:
        data = b"\x00" + capacity.to_bytes(3, "big")  # OFFSET BOUNDARY 0: byte offsets
    elif mode == 0x0A:
        echo = disk.echo_buffer
        if echo is None:
            raise _sense.Failure(_sense.ILLEGAL_REQUEST, 0x2C, 0x00)  # COMMAND SEQUENCE ERROR
        data = echo
    elif mode == 0x0B:
        data = bytes((0, 0)) + ECHO_BUFFER_CAPACITY.to_bytes(2, "big")
    else:
        raise _sense.invalid_field_in_cdb(1, 4)
    return data[:length]


def write_buffer(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    mode = cdb[1] & 0x1F
    buffer_id = cdb[2]
    offset = request.u(3, 3)
    length = request.u(6, 3)
    capacity = len(disk.buffer)
    if mode in (0x00, 0x02) and buffer_id:
        raise _sense.invalid_field_in_cdb(2)
    if mode == 0x00:
        if offset:
            raise _sense.invalid_field_in_cdb(3)
        if length > capacity + 4:
            raise _sense.invalid_field_in_cdb(6)
        data = request.parameters(length)[4:]
        disk.buffer[: len(data)] = data
    elif mode == 0x02:
        if offset > capacity:
            raise _sense.invalid_field_in_cdb(3)
        if offset + length > capacity:
            raise _sense.invalid_field_in_cdb(6)
        disk.buffer[offset : offset + length] = request.parameters(length)
    elif mode == 0x0A:
        if length > ECHO_BUFFER_CAPACITY:
            raise _sense.invalid_field_in_cdb(6)
        disk.echo_buffer = request.parameters(length)
    elif mode == 0x05:
        # Download microcode and save: accepted and discarded; every other I_T
        # nexus learns of it (SPC-5 6.49.6).
        request.parameters(length)
        disk.unit_attention(0x3F, 0x01, exclude=request.nexus)
    else:
        raise _sense.invalid_field_in_cdb(1, 4)
    return None
