"""LOG SENSE and LOG SELECT (SPC-5 6.6, 6.7, 7.3): the log pages of a disk.

Pages and subpages, keyed by (page, subpage):

* 00h supported pages (00h/FFh and xxh/FFh list pages and subpages);
* 01h buffer over-run/under-run (emu/logs_extra.py: an in-memory transfer never runs
  over or under, its counters stay zero);
* 02h, 03h, 05h write, read and verify error counters, fed by the data path and
  injected medium errors; 06h non-medium errors; 07h last n error events (none: the
  emulated disk has no event log);
* 08h format status, fed by FORMAT UNIT;
* 0Bh last n deferred errors (always empty), 0Bh/01h last n inquiry data changed
  (INQUIRY data never changes) and 0Bh/02h last n mode page data changed, fed by MODE
  SELECT;
* 0Ch logical block provisioning on a thin provisioned disk (LBPU): the mapped blocks;
* 0Dh temperature, 0Dh/01h environmental reporting, 0Dh/02h environmental limits, and
  2Fh informational exceptions, all from one temperature;
* 0Eh start-stop cycle counter (fed by START STOP UNIT), 0Eh/01h utilization;
* 0Fh application client: 64 general usage parameters that LOG SELECT writes;
* 10h self-test results, fed by SEND DIAGNOSTIC; 11h solid state media (the disk is
  non-rotating, VPD B1h);
* 14h/01h zoned block device statistics on a zoned disk, from emu/zoned.py;
* 15h background scan results and 15h/01h pending defects, from the injected medium
  errors (each bad range is a defect waiting for a write or REASSIGN BLOCKS); 15h/02h
  background operation (BACKGROUND CONTROL has nothing to run: never active); 15h/03h
  LPS misalignment, fed by writes that split a physical block (``physical_block_size``);
* 17h non-volatile cache: the write cache is volatile (VPD 86h V_SUP 1, NV_SUP 0);
* 18h protocol-specific port: the SAS port of mode page 19h, its phys and their (zero)
  error counters and phy events;
* 19h general statistics and performance, fed by the READ and WRITE commands;
* 1Ah power condition transitions, fed by START STOP UNIT's power conditions.

Not here: 16h ATA PASS-THROUGH results (SAT-4) reports the ATA commands a SATL passed
through, and this SAS disk has no ATA PASS-THROUGH (the sgframe-sat plugin's emu:sata
adds one); 19h/01h-1Fh group statistics (optional, SPC-5 7.3.24: only the general
statistics are kept) and 19h/20h cache memory statistics (the cache is not modelled: no
hit to count).  LOG SENSE of a page not in 00h is ILLEGAL REQUEST, INVALID FIELD IN CDB.

Only cumulative values exist (page control 01b and 11b); saving is not supported, so DS is set.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Tuple

from sgframe._records import record
from sgframe.emu import modes as _modes
from sgframe.emu import sense as _sense
from sgframe.emu import vpd as _vpd
from sgframe.emu.reply import Request

if TYPE_CHECKING:
    from sgframe.emu.state import DiskState as EmulatedDisk

SUPPORTED = 0x00
BUFFER_OVER_RUN = 0x01
WRITE_ERRORS = 0x02
READ_ERRORS = 0x03
VERIFY_ERRORS = 0x05
NON_MEDIUM = 0x06
ERROR_EVENTS = 0x07
FORMAT_STATUS = 0x08
LAST_N = 0x0B
PROVISIONING = 0x0C
TEMPERATURE = 0x0D
START_STOP = 0x0E
APPLICATION_CLIENT = 0x0F
SELF_TEST = 0x10
SOLID_STATE_MEDIA = 0x11
ZONED_STATISTICS = 0x14
BACKGROUND_SCAN = 0x15
NON_VOLATILE_CACHE = 0x17
PROTOCOL_PORT = 0x18
STATISTICS = 0x19
POWER_TRANSITIONS = 0x1A
INFORMATIONAL_EXCEPTIONS = 0x2F

# Error counter parameter codes (SPC-5 7.3.7): 0005h total bytes processed,
# 0006h total uncorrected errors.
BYTES_PROCESSED = 0x0005
UNCORRECTED = 0x0006

# Power condition transitions parameter codes (SPC-5 7.3.16) by START STOP UNIT's POWER
# CONDITION field: ACTIVE, IDLE (idle_a), STANDBY (standby_z).
_TRANSITIONS = {0x1: 0x0001, 0x2: 0x0002, 0x3: 0x0008}

HUMIDITY = 40  # percent; the emulated disk sits in a data centre
#: MAX_LPSM of 15h/03h: how many misaligned LBAs the page keeps (SBC-4 6.4.6).
MAX_LPSM = 16
ENDURANCE_USED = 3  # percent of the rated write endurance, for 11h


@record
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


class IoStatistics:
    """What the general statistics and performance page (19h) counts: READ and WRITE
    commands, their blocks, FUA use and the time spent processing them (SPC-5 7.3.23)."""

    def __init__(self) -> None:
        import time  # a built-in module: no cost, and only the clock is needed

        self._clock = time.perf_counter_ns
        self.since = self._clock()  # the time idle intervals are counted from
        self.reset()

    def reset(self) -> None:
        self.commands = {"read": 0, "write": 0}
        self.blocks = {"read": 0, "write": 0}
        self.fua = {"read": 0, "write": 0}
        self.busy_ns = {"read": 0, "write": 0}
        self.fua_busy_ns = {"read": 0, "write": 0}
        self.since = self._clock()

    def now(self) -> int:
        return self._clock()

    def done(self, kind: str, blocks: int, fua: bool, started_ns: int) -> None:
        """A READ (``kind`` "read") or WRITE command ended, ``blocks`` moved."""
        self.commands[kind] += 1
        self.blocks[kind] += blocks
        elapsed = self._clock() - started_ns
        self.busy_ns[kind] += elapsed
        if fua:
            self.fua[kind] += 1
            self.fua_busy_ns[kind] += elapsed


class LogState:
    """The counters behind the log pages."""

    def __init__(self) -> None:
        self.temperature = 35
        self.reference_temperature = 65
        # Extremes since manufacture and since power on, kept in step with ``temperature``.
        self.lifetime_temperatures = (20, 45)
        self.start_stop_cycles = 0
        self.load_unload_cycles = 0
        self.counters: Dict[int, Dict[int, int]] = {WRITE_ERRORS: {}, READ_ERRORS: {}, VERIFY_ERRORS: {}}
        self.non_medium_errors = 0
        self.self_tests: List[SelfTestResult] = []
        self.transitions: Dict[int, int] = {}
        self.power_condition = 0x1  # START STOP UNIT's POWER CONDITION code: active
        # FORMAT DATA OUT of the last FORMAT UNIT; None: never formatted here.
        self.format_data_out = None
        self.mode_changes: List[Tuple[int, int]] = []
        self.mode_generation = 0
        # Application client log page (0Fh): parameter code -> the data LOG SELECT stored.
        self.application_client: Dict[int, bytes] = {}
        self.statistics = IoStatistics()
        # LPS misalignment (15h/03h): writes that split a physical block, and the LBAs
        # of the first MAX_LPSM of them.
        self.lps_misalignments = 0
        self.lps_misaligned_lbas: List[int] = []
        self.max_lpsm = MAX_LPSM

    def count(self, page: int, parameter: int, amount: int = 1) -> None:
        values = self.counters[page]
        values[parameter] = values.get(parameter, 0) + amount

    def reset_counters(self, page: int = 0) -> None:
        for code, values in self.counters.items():
            if page in (0, code):
                values.clear()
        if page in (0, NON_MEDIUM):
            self.non_medium_errors = 0
        if page in (0, POWER_TRANSITIONS):
            self.transitions.clear()
        if page in (0, STATISTICS):
            self.statistics.reset()
        if page in (0, BACKGROUND_SCAN):
            self.lps_misalignments = 0
            self.lps_misaligned_lbas.clear()
        if page in (0, APPLICATION_CLIENT):
            # The parameters' default is all zero bytes, what an unwritten one holds.
            self.application_client.clear()

    def lps_misaligned(self, lba: int) -> None:
        """A write left the physical block holding ``lba`` partly unwritten."""
        self.lps_misalignments = min(self.lps_misalignments + 1, 0xFFFF)  # a 2-byte count that saturates
        if len(self.lps_misaligned_lbas) < self.max_lpsm:
            self.lps_misaligned_lbas.append(lba)

    def add_self_test(self, result: SelfTestResult) -> None:
        # Most recent first; the page holds twenty results (SPC-5 7.3.21).
        self.self_tests.insert(0, result)
        del self.self_tests[20:]

    def power_transition(self, condition: int) -> None:
        """START STOP UNIT asked for POWER CONDITION ``condition``; a change is counted."""
        code = _TRANSITIONS.get(condition)
        if code is not None and condition != self.power_condition:
            self.transitions[code] = self.transitions.get(code, 0) + 1
            self.power_condition = condition

    def formatted(self, format_data_out: bytes) -> None:
        self.format_data_out = bytes(format_data_out)

    def mode_pages_changed(self, keys: List[Tuple[int, int]]) -> None:
        # The last n: the page keeps the 16 most recent changes (SPC-5 7.3.11).
        self.mode_generation += 1
        self.mode_changes = (self.mode_changes + list(keys))[-16:]


def _parameter(code: int, control: int, value: bytes) -> bytes:
    return code.to_bytes(2, "big") + bytes((control, len(value))) + value


Parameters = List[Tuple[int, bytes]]


def _error_counters(disk: "EmulatedDisk", page: int, default: bool) -> Parameters:
    values = {} if default else disk.logs.counters[page]
    return [(code, _parameter(code, 0x00, values.get(code, 0).to_bytes(8, "big"))) for code in range(7)]


def _non_medium(disk: "EmulatedDisk", default: bool) -> Parameters:
    return [(0, _parameter(0, 0x00, (0 if default else disk.logs.non_medium_errors).to_bytes(8, "big")))]


def _format_status(disk: "EmulatedDisk", default: bool) -> Parameters:
    data = disk.logs.format_data_out
    # All FFh: "not available" (SBC-4 6.4.3), until this disk is formatted.
    missing = b"\xff" * 4
    counter = missing if data is None else bytes(4)
    return [
        (0, _parameter(0, 0x03, missing if data is None else data)),
        (1, _parameter(1, 0x02, counter)),
        (2, _parameter(2, 0x02, counter)),
        (3, _parameter(3, 0x02, counter)),
        (4, _parameter(4, 0x02, counter)),
    ]


def _deferred_errors(disk: "EmulatedDisk", default: bool) -> Parameters:
    # Nothing is ever deferred: writes complete before status (no write-back failure).
    return []


def _mode_changes(disk: "EmulatedDisk", default: bool) -> Parameters:
    state = disk.logs
    changes = [] if default else state.mode_changes
    out = [(0, _parameter(0, 0x03, _generations(disk, default)))]
    for index, (page, subpage) in enumerate(changes, 1):
        first = page | (0x40 if subpage else 0)
        out.append((index, _parameter(index, 0x03, bytes((first, subpage, 0, 0)))))
    return out


def _no_events(disk: "EmulatedDisk", default: bool) -> Parameters:
    return []


def _generations(disk: "EmulatedDisk", default: bool) -> bytes:
    # SPC-5 7.3.12, 7.3.13: parameter 0000h of both pages holds both generation numbers,
    # INQUIRY data changed (never, here) then mode page data changed.
    return (0).to_bytes(4, "big") + (0 if default else disk.logs.mode_generation).to_bytes(4, "big")


def _inquiry_changes(disk: "EmulatedDisk", default: bool) -> Parameters:
    # INQUIRY data never changes on this disk: no change parameters after 0000h.
    return [(0, _parameter(0, 0x03, _generations(disk, default)))]


def _solid_state_media(disk: "EmulatedDisk", default: bool) -> Parameters:
    # SBC-4 6.4.13: parameter 0001h, PERCENTAGE USED ENDURANCE INDICATOR in byte 3.
    return [(1, _parameter(1, 0x03, bytes((0, 0, 0, 0 if default else ENDURANCE_USED))))]


def _background_operation(disk: "EmulatedDisk", default: bool) -> Parameters:
    # SBC-4 6.4.3: parameter 0000h, BO STATUS 00h: no background operation.
    return [(0, _parameter(0, 0x03, bytes(4)))]


def _protocol_port(disk: "EmulatedDisk", default: bool) -> Parameters:
    # SPL-4 9.2.7.2: one parameter per relative target port (1), protocol identifier 6h,
    # then a SAS phy log descriptor per phy with the addresses of mode page 19h/01h. The
    # link counters are zero (an emulated link loses no dwords); two phy event
    # descriptors say which events would be counted.
    phys = b""
    for phy in range(_vpd.SAS_PHYS):
        d = bytearray(52)
        d[1] = phy
        d[3] = 48 + 2 * 12  # SAS PHY LOG DESCRIPTOR LENGTH: what follows byte 3
        d[4] = 0x10 | 0x1  # ATTACHED DEVICE TYPE end device, ATTACHED REASON power on
        d[5] = 0x10 | 0xB  # REASON power on, NEGOTIATED LOGICAL LINK RATE 12 Gb/s
        d[6] = 0x08  # ATTACHED SSP INITIATOR PORT
        d[8:16] = _modes.sas_address(disk, phy).to_bytes(8, "big")
        d[16:24] = _modes.attached_sas_address(phy).to_bytes(8, "big")
        d[24] = phy  # ATTACHED PHY IDENTIFIER
        d[50], d[51] = 12, 2  # PHY EVENT DESCRIPTOR LENGTH, NUMBER OF PHY EVENT DESCRIPTORS
        events = b"".join(bytes(3) + bytes((source,)) + bytes(8) for source in (0x01, 0x02))
        phys += bytes(d) + events
    value = bytes((_vpd.SAS_PROTOCOL, 0, 0, _vpd.SAS_PHYS)) + phys
    return [(1, _parameter(1, 0x03, value))]


def _temperature(disk: "EmulatedDisk", default: bool) -> Parameters:
    state = disk.logs
    return [
        (0, _parameter(0, 0x03, bytes((0, state.temperature)))),
        (1, _parameter(1, 0x03, bytes((0, state.reference_temperature)))),
    ]


def _environmental_reporting(disk: "EmulatedDisk", default: bool) -> Parameters:
    state = disk.logs
    low, high = state.lifetime_temperatures
    now = state.temperature
    # OTV and ORHV clear: no other sensor, its bytes zero.
    temperature = bytes((0, now, max(high, now), min(low, now), now, now, 0, 0))
    humidity = bytes((0, HUMIDITY, HUMIDITY, HUMIDITY, HUMIDITY, HUMIDITY, 0, 0))
    return [(0x0000, _parameter(0x0000, 0x03, temperature)), (0x0100, _parameter(0x0100, 0x03, humidity))]


def _environmental_limits(disk: "EmulatedDisk", default: bool) -> Parameters:
    # The high critical trigger is the reference temperature of page 0Dh; 80h / FFh: no limit.
    ref = disk.logs.reference_temperature
    temperature = bytes((ref, ref - 5, 0x80, 0x80, ref - 10, ref - 15, 5, 0))
    humidity = bytes((90, 85, 0xFF, 0xFF, 80, 75, 20, 10))
    return [(0x0000, _parameter(0x0000, 0x03, temperature)), (0x0100, _parameter(0x0100, 0x03, humidity))]


def _start_stop(disk: "EmulatedDisk", default: bool) -> Parameters:
    state = disk.logs
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


def _utilization(disk: "EmulatedDisk", default: bool) -> Parameters:
    # No workload specification: 0.00 % of it, and a usage rate of 0 %.
    return [(0, _parameter(0, 0x03, bytes(2))), (1, _parameter(1, 0x03, bytes(2)))]


def _self_tests(disk: "EmulatedDisk", default: bool) -> Parameters:
    results = [] if default else disk.logs.self_tests
    out = []
    for index in range(20):
        body = results[index].encode() if index < len(results) else bytes(16)
        out.append((index + 1, _parameter(index + 1, 0x03, body)))
    return out


def _background_scan(disk: "EmulatedDisk", default: bool) -> Parameters:
    # Status 08h: background medium scans enabled, waiting for the interval timer; none
    # has run on an emulated disk younger than its interval.
    status = 0x08 if disk.modes.background_medium_scans else 0x00
    out = [(0, _parameter(0, 0x03, bytes(4) + bytes((0, status)) + bytes(6)))]
    for index, (start, _stop) in enumerate(disk.bad_ranges, 1):
        # Reassign status 1h: pending a write or REASSIGN BLOCKS; MEDIUM ERROR 11h/00h.
        value = bytes(4) + bytes((0x10 | _sense.MEDIUM_ERROR, 0x11, 0x00)) + bytes(5) + start.to_bytes(8, "big")
        out.append((index, _parameter(index, 0x03, value)))
    return out


def _pending_defects(disk: "EmulatedDisk", default: bool) -> Parameters:
    bad = disk.bad_ranges
    out = [(0, _parameter(0, 0x03, len(bad).to_bytes(4, "big")))]
    for index, (start, _stop) in enumerate(bad, 1):
        out.append((index, _parameter(index, 0x03, bytes(4) + start.to_bytes(8, "big"))))
    return out


def _power_transitions(disk: "EmulatedDisk", default: bool) -> Parameters:
    values = {} if default else disk.logs.transitions
    return [(code, _parameter(code, 0x02, values.get(code, 0).to_bytes(4, "big"))) for code in (1, 2, 3, 4, 8, 9)]


def _informational_exceptions(disk: "EmulatedDisk", default: bool) -> Parameters:
    # ASC/ASCQ of the condition, most recent temperature.
    asc, ascq = (0x5D, 0xFF) if disk.modes.ie_test else (0x00, 0x00)
    return [(0, _parameter(0, 0x03, bytes((asc, ascq, disk.logs.temperature))))]


Builder = Callable[["EmulatedDisk", bool], Parameters]


def _extra(name: str) -> Builder:
    """The builder ``name`` of emu/logs_extra.py, imported at its page's first LOG SENSE."""
    def build(disk: "EmulatedDisk", default: bool) -> Parameters:
        from sgframe.emu import logs_extra

        return getattr(logs_extra, name)(disk, default)

    build.__name__ = name
    return build


#: (page, subpage) -> the builder of its parameters.
PAGES: Dict[Tuple[int, int], Builder] = {
    (BUFFER_OVER_RUN, 0): _extra("buffer_over_run_under_run"),
    (WRITE_ERRORS, 0): lambda disk, default: _error_counters(disk, WRITE_ERRORS, default),
    (READ_ERRORS, 0): lambda disk, default: _error_counters(disk, READ_ERRORS, default),
    (VERIFY_ERRORS, 0): lambda disk, default: _error_counters(disk, VERIFY_ERRORS, default),
    (NON_MEDIUM, 0): _non_medium,
    (ERROR_EVENTS, 0): _no_events,
    (FORMAT_STATUS, 0): _format_status,
    (LAST_N, 0): _deferred_errors,
    (LAST_N, 0x01): _inquiry_changes,
    (LAST_N, 0x02): _mode_changes,
    (TEMPERATURE, 0): _temperature,
    (TEMPERATURE, 0x01): _environmental_reporting,
    (TEMPERATURE, 0x02): _environmental_limits,
    (START_STOP, 0): _start_stop,
    (START_STOP, 0x01): _utilization,
    (APPLICATION_CLIENT, 0): _extra("application_client"),
    (SELF_TEST, 0): _self_tests,
    (SOLID_STATE_MEDIA, 0): _solid_state_media,
    (BACKGROUND_SCAN, 0): _background_scan,
    (BACKGROUND_SCAN, 0x01): _pending_defects,
    (BACKGROUND_SCAN, 0x02): _background_operation,
    (BACKGROUND_SCAN, 0x03): _extra("lps_misalignment"),
    (NON_VOLATILE_CACHE, 0): _extra("non_volatile_cache"),
    (PROTOCOL_PORT, 0): _protocol_port,
    (STATISTICS, 0): _extra("general_statistics"),
    (POWER_TRANSITIONS, 0): _power_transitions,
    (INFORMATIONAL_EXCEPTIONS, 0): _informational_exceptions,
}


def _page(code: int, subpage: int, body: bytes) -> bytes:
    first = 0x80 | code  # DS: saving log parameters is not supported
    if subpage:
        first |= 0x40  # SPF
    return bytes((first, subpage)) + len(body).to_bytes(2, "big") + body


def _zoned_statistics(disk: "EmulatedDisk", default: bool) -> Parameters:
    # ZBC-2 5.3: eight-byte counters; the ones this disk keeps, in parameter code order.
    values = disk.zones.statistics
    return [(code, _parameter(code, 0x03, (0 if default else value).to_bytes(8, "big")))
            for code, value in sorted(values.items())]


_PROVISIONING_PAGES = {**PAGES, (PROVISIONING, 0): _extra("logical_block_provisioning")}


def _pages(disk: "EmulatedDisk") -> Dict[Tuple[int, int], Builder]:
    """The pages of this disk: a zoned one has the zoned block device statistics too, a
    thin provisioned one (LBPU, VPD B2h) the logical block provisioning page."""
    if getattr(disk, "zones", None) is not None:
        return {**PAGES, (ZONED_STATISTICS, 0x01): _zoned_statistics}
    return _PROVISIONING_PAGES if disk.lbpu else PAGES


def _page_codes(disk: "EmulatedDisk") -> List[int]:
    return sorted({SUPPORTED} | {page for page, _ in _pages(disk)})


def _pairs(disk: "EmulatedDisk", page: int = -1) -> List[Tuple[int, int]]:
    """Every (page, subpage) this disk has, with xxh/FFh for each page (SPC-5 7.3.19)."""
    keys = set(_pages(disk)) | {(SUPPORTED, 0)}
    pairs = keys | {(code, 0xFF) for code, _ in keys}
    return sorted(p for p in pairs if page in (-1, p[0]))


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
    if page not in _page_codes(disk):
        raise _sense.invalid_field_in_cdb(2, 5)
    if page == SUPPORTED and subpage == 0x00:
        if pointer:
            raise _sense.invalid_field_in_cdb(5)
        return _page(0, 0, bytes(_page_codes(disk)))
    if subpage == 0xFF:
        if pointer:
            raise _sense.invalid_field_in_cdb(5)
        pairs = _pairs(disk, -1 if page == SUPPORTED else page)
        return _page(page, 0xFF, b"".join(bytes(pair) for pair in pairs))
    builder = _pages(disk).get((page, subpage))
    if builder is None:
        raise _sense.invalid_field_in_cdb(3)
    parameters = builder(disk, page_control == 3)
    if pointer > (parameters[-1][0] if parameters else 0):
        raise _sense.invalid_field_in_cdb(5)
    return _page(page, subpage, b"".join(raw for code, raw in parameters if code >= pointer))


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
        # SPC-5 6.6: with a parameter list the pages are in the list, not in the CDB; only
        # cumulative values (PC 01b) are written, as only they exist (LOG SENSE).
        if page:
            raise _sense.invalid_field_in_cdb(2, 5)
        if cdb[3]:
            raise _sense.invalid_field_in_cdb(3)
        if page_control != 1:
            raise _sense.invalid_field_in_cdb(2, 7)
        from sgframe.emu import logs_extra

        logs_extra.log_select_parameters(disk, request.parameters(length))
    else:
        if page and page not in _page_codes(disk):
            raise _sense.invalid_field_in_cdb(2, 5)
        if cdb[3]:
            raise _sense.invalid_field_in_cdb(3)
        if page_control in (1, 3):
            disk.logs.reset_counters(page)
    disk.unit_attention(0x2A, 0x02, exclude=request.nexus)
    return None
