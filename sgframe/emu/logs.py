"""LOG SENSE and LOG SELECT (SPC-5 6.6, 6.7, 7.3).

Pages 00h (supported pages; subpage FFh lists pages and subpages), 02h/03h (write
and read error counters, fed by the data path and injected medium errors), 0Dh
(temperature), 0Eh (start-stop cycle counter, fed by START STOP UNIT), 10h (self-test
results, fed by SEND DIAGNOSTIC) and 2Fh (informational exceptions).  Only cumulative
values exist (page control 01b and 11b); saving is not supported, so DS is set.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Tuple

import attrs

from sgframe.emu import sense as _sense
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

SUPPORTED = 0x00
WRITE_ERRORS = 0x02
READ_ERRORS = 0x03
TEMPERATURE = 0x0D
START_STOP = 0x0E
SELF_TEST = 0x10
INFORMATIONAL_EXCEPTIONS = 0x2F

PAGES = (SUPPORTED, WRITE_ERRORS, READ_ERRORS, TEMPERATURE, START_STOP, SELF_TEST, INFORMATIONAL_EXCEPTIONS)

# Error counter parameter codes (SPC-5 7.3.7): 0005h total bytes processed,
# 0006h total uncorrected errors.
BYTES_PROCESSED = 0x0005
UNCORRECTED = 0x0006


@attrs.frozen
class SelfTestResult:
    """One self-test results log parameter (SPC-5 7.3.21)."""

    self_test_code: int
    self_test_results: int
    self_test_number: int = 0
    accumulated_power_on_hours: int = 0
    address_of_first_failure: int = 0xFFFFFFFFFFFFFFFF
    sense_key: int = 0
    additional_sense_code: int = 0
    additional_sense_code_qualifier: int = 0

    def encode(self) -> bytes:
        return (
            bytes(((self.self_test_code << 5) | self.self_test_results, self.self_test_number))
            + self.accumulated_power_on_hours.to_bytes(2, "big")
            + self.address_of_first_failure.to_bytes(8, "big")
            + bytes((self.sense_key, self.additional_sense_code, self.additional_sense_code_qualifier, 0))
        )


class LogState:
    """The counters behind the log pages."""

    def __init__(self) -> None:
        self.temperature = 35
        self.reference_temperature = 65
        self.start_stop_cycles = 0
        self.load_unload_cycles = 0
        self.counters: Dict[int, Dict[int, int]] = {WRITE_ERRORS: {}, READ_ERRORS: {}}
        self.self_tests: List[SelfTestResult] = []

    def count(self, page: int, parameter: int, amount: int = 1) -> None:
        values = self.counters[page]
        values[parameter] = values.get(parameter, 0) + amount

    def reset_counters(self, page: int = 0) -> None:
        for code, values in self.counters.items():
            if page in (0, code):
                values.clear()

    def add_self_test(self, result: SelfTestResult) -> None:
        # Most recent first; the page holds twenty results (SPC-5 7.3.21).
        self.self_tests.insert(0, result)
        del self.self_tests[20:]


def _parameter(code: int, control: int, value: bytes) -> bytes:
    return code.to_bytes(2, "big") + bytes((control, len(value))) + value


def _parameters(disk: "EmulatedDisk", page: int, default: bool) -> List[Tuple[int, bytes]]:
    """(parameter code, encoded parameter) pairs of a page with parameters."""
    state = disk.logs
    if page in (WRITE_ERRORS, READ_ERRORS):
        values = {} if default else state.counters[page]
        return [(code, _parameter(code, 0x00, values.get(code, 0).to_bytes(8, "big"))) for code in range(7)]
    if page == TEMPERATURE:
        return [
            (0, _parameter(0, 0x03, bytes((0, state.temperature)))),
            (1, _parameter(1, 0x03, bytes((0, state.reference_temperature)))),
        ]
    if page == START_STOP:
        cycles = 0 if default else state.start_stop_cycles
        loads = 0 if default else state.load_unload_cycles
        return [
            (1, _parameter(1, 0x01, b"202601")),
            (2, _parameter(2, 0x01, b"      ")),
            (3, _parameter(3, 0x03, (50000).to_bytes(4, "big"))),
            (4, _parameter(4, 0x03, cycles.to_bytes(4, "big"))),
            (5, _parameter(5, 0x03, (200000).to_bytes(4, "big"))),
            (6, _parameter(6, 0x03, loads.to_bytes(4, "big"))),
        ]
    if page == SELF_TEST:
        results = [] if default else state.self_tests
        out = []
        for index in range(20):
            body = results[index].encode() if index < len(results) else bytes(16)
            out.append((index + 1, _parameter(index + 1, 0x03, body)))
        return out
    # INFORMATIONAL_EXCEPTIONS: ASC/ASCQ of the condition, most recent temperature.
    asc, ascq = (0x5D, 0xFF) if disk.modes.ie_test else (0x00, 0x00)
    return [(0, _parameter(0, 0x03, bytes((asc, ascq, state.temperature))))]


def _page(code: int, subpage: int, body: bytes) -> bytes:
    first = 0x80 | code  # DS: saving log parameters is not supported
    if subpage:
        first |= 0x40  # SPF
    return bytes((first, subpage)) + len(body).to_bytes(2, "big") + body


def log_sense(disk: "EmulatedDisk", request: Request) -> bytes:
    cdb = request.cdb
    if cdb[1] & 0x01:
        raise _sense.invalid_field_in_cdb(1, 0)
    page_control = cdb[2] >> 6
    if page_control not in (1, 3):
        raise _sense.invalid_field_in_cdb(2, 7)  # no threshold values
    page = cdb[2] & 0x3F
    subpage = cdb[3]
    pointer = request.u(5, 2)
    if page not in PAGES:
        raise _sense.invalid_field_in_cdb(2, 5)
    if page == SUPPORTED:
        if pointer:
            raise _sense.invalid_field_in_cdb(5)
        if subpage == 0x00:
            return _page(0, 0, bytes(PAGES))
        if subpage == 0xFF:
            pairs = [(SUPPORTED, 0x00), (SUPPORTED, 0xFF)] + [(code, 0x00) for code in PAGES[1:]]
            return _page(0, 0xFF, b"".join(bytes(pair) for pair in sorted(pairs)))
        raise _sense.invalid_field_in_cdb(3)
    if subpage:
        raise _sense.invalid_field_in_cdb(3)
    parameters = _parameters(disk, page, default=page_control == 3)
    if pointer > parameters[-1][0]:
        raise _sense.invalid_field_in_cdb(5)
    return _page(page, 0, b"".join(raw for code, raw in parameters if code >= pointer))


def log_select(disk: "EmulatedDisk", request: Request) -> None:
    cdb = request.cdb
    if cdb[1] & 0x01:
        raise _sense.invalid_field_in_cdb(1, 0)
    pcr = bool(cdb[1] & 0x02)
    page_control = cdb[2] >> 6
    page = cdb[2] & 0x3F
    length = request.u(7, 2)
    if pcr:
        if length:
            raise _sense.invalid_field_in_cdb(7)
        disk.logs.reset_counters()
    elif length:
        # Writing log parameters is not implemented; every parameter is read-only.
        request.parameters(length)
        raise _sense.invalid_field_in_parameter_list(0)
    else:
        if page and page not in PAGES:
            raise _sense.invalid_field_in_cdb(2, 5)
        if cdb[3]:
            raise _sense.invalid_field_in_cdb(3)
        if page_control in (1, 3):
            disk.logs.reset_counters(page)
    disk.unit_attention(0x2A, 0x02, exclude=request.nexus)
    return None
