"""Log pages whose parameters are counters: each parameter code is one named number.

Buffer over-run/under-run (01h), the error counter pages (02h-05h), non-medium error
(06h), format status (08h), start-stop cycle counter (0Eh), utilization (0Eh/01h), solid
state media (11h), zoned block device statistics (14h/01h) and power condition
transitions (1Ah).
"""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from .._util import Record, ascii_text, raw_repr, record
from ._core import LogPage, read_counters, read_page

__all__ = [
    "ERROR_COUNTER_NAMES",
    "BUFFER_COUNT_BASIS_NAMES",
    "BUFFER_CAUSE_NAMES",
    "BufferOverRunUnderRunCounter",
    "BufferOverRunUnderRunPage",
    "ErrorCounterPage",
    "NonMediumErrorPage",
    "FormatStatusPage",
    "StartStopCycleCounterPage",
    "UtilizationPage",
    "SolidStateMediaPage",
    "ZonedBlockDeviceStatisticsPage",
    "PowerConditionTransitionsPage",
    "decode_buffer_over_run_under_run_page",
    "decode_error_counter_page",
    "decode_non_medium_error_page",
    "decode_format_status_page",
    "decode_start_stop_cycle_counter_page",
    "decode_utilization_page",
    "decode_solid_state_media_page",
    "decode_zoned_block_device_statistics_page",
    "decode_power_condition_transitions_page",
]

#: SPC-5 7.3.2 (write, read, read reverse and verify error counter pages): parameter codes.
ERROR_COUNTER_NAMES = {
    0x0000: "errors corrected without substantial delay",
    0x0001: "errors corrected with possible delays",
    0x0002: "total rewrites or rereads",
    0x0003: "total errors corrected",
    0x0004: "total times correction algorithm processed",
    0x0005: "total bytes processed",
    0x0006: "total uncorrected errors",
}


def _fields(names):
    """Record field names from T10 parameter names: lower snake case."""
    return {code: name.replace("-", "_").replace(" ", "_") for code, name in names.items()}


# --- 01h ---------------------------------------------------------------------------------

#: SPC-5 table 358 (COUNT BASIS field of the parameter code).
BUFFER_COUNT_BASIS_NAMES = {0: "undefined", 1: "per command", 2: "per failed reconnect",
                            3: "per unit of time"}
#: SPC-5 table 359 (CAUSE field of the parameter code).
BUFFER_CAUSE_NAMES = {0: "undefined", 1: "service delivery subsystem busy", 2: "transfer rate too slow"}


@record
class BufferOverRunUnderRunCounter(Record):
    """One buffer over-run/under-run counter; its parameter code packs what it counts
    (SPC-5 7.3.3: COUNT BASIS bits 7-5, CAUSE bits 4-1, TYPE bit 0 of the low byte)."""

    parameter_code: int
    count_basis: int
    count_basis_name: str
    cause: int
    cause_name: str
    type: int
    type_name: str
    count: Optional[int]


@record
class BufferOverRunUnderRunPage(LogPage):
    """Buffer over-run/under-run, 01h (SPC-5 7.3.3)."""

    counters: Tuple[BufferOverRunUnderRunCounter, ...] = ()


def decode_buffer_over_run_under_run_page(data: bytes) -> BufferOverRunUnderRunPage:
    r, f = read_page(data, "Buffer over-run/under-run log page")
    out = []
    for p in f["parameters"]:
        low = p.parameter_code & 0xFF
        basis, cause, kind = low >> 5, (low >> 1) & 0xF, low & 1
        out.append(BufferOverRunUnderRunCounter(
            parameter_code=p.parameter_code,
            count_basis=basis, count_basis_name=BUFFER_COUNT_BASIS_NAMES.get(basis, "reserved"),
            cause=cause, cause_name=BUFFER_CAUSE_NAMES.get(cause, "reserved"),
            type=kind, type_name="over-run" if kind else "under-run",
            count=int.from_bytes(p.value, "big") if p.value else None,
        ))
    return BufferOverRunUnderRunPage(counters=tuple(out), problems=tuple(r.problems), **f)


# --- 02h-05h -------------------------------------------------------------------------------

@record
class ErrorCounterPage(LogPage):
    """Write (02h), read (03h), read reverse (04h) or verify (05h) error counters (SPC-5 7.3.6)."""

    errors_corrected_without_substantial_delay: Optional[int] = None
    errors_corrected_with_possible_delays: Optional[int] = None
    total_rewrites_or_rereads: Optional[int] = None
    total_errors_corrected: Optional[int] = None
    total_times_correction_algorithm_processed: Optional[int] = None
    total_bytes_processed: Optional[int] = None
    total_uncorrected_errors: Optional[int] = None


def decode_error_counter_page(data: bytes) -> ErrorCounterPage:
    r, f = read_page(data, "Error counter log page", ERROR_COUNTER_NAMES)
    more = read_counters(r, f["parameters"], _fields(ERROR_COUNTER_NAMES))
    return ErrorCounterPage(problems=tuple(r.problems), **more, **f)


# --- 06h -----------------------------------------------------------------------------------

@record
class NonMediumErrorPage(LogPage):
    """Non-medium error, 06h (SPC-5 7.3.12): parameter 0000h is the count."""

    non_medium_error_count: Optional[int] = None


def decode_non_medium_error_page(data: bytes) -> NonMediumErrorPage:
    names = {0x0000: "non-medium error count"}
    r, f = read_page(data, "Non-medium error log page", names)
    more = read_counters(r, f["parameters"], _fields(names))
    return NonMediumErrorPage(problems=tuple(r.problems), **more, **f)


# --- 08h -----------------------------------------------------------------------------------

_FORMAT_STATUS_NAMES = {
    0x0001: "grown defects during certification",
    0x0002: "total blocks reassigned during format",
    0x0003: "total new blocks reassigned",
    0x0004: "power on minutes since format",
}


@record
class FormatStatusPage(LogPage):
    """Format status, 08h (SBC-4 6.4.3).  A counter of all FFh bytes is "not available"
    (``None``); ``format_data_out`` is the parameter list of the last FORMAT UNIT."""

    format_data_out: Optional[bytes] = attrs.field(default=None, repr=raw_repr)
    grown_defects_during_certification: Optional[int] = None
    total_blocks_reassigned_during_format: Optional[int] = None
    total_new_blocks_reassigned: Optional[int] = None
    power_on_minutes_since_format: Optional[int] = None


def decode_format_status_page(data: bytes) -> FormatStatusPage:
    names = {0x0000: "format data out", **_FORMAT_STATUS_NAMES}
    r, f = read_page(data, "Format status log page", names)
    more: dict = {}
    fields = _fields(_FORMAT_STATUS_NAMES)
    for p in f["parameters"]:
        unavailable = not p.value or p.value == b"\xff" * len(p.value)
        if p.parameter_code == 0:
            more["format_data_out"] = None if unavailable else p.value
        elif p.parameter_code in fields and not unavailable:
            more[fields[p.parameter_code]] = int.from_bytes(p.value, "big")
    return FormatStatusPage(problems=tuple(r.problems), **more, **f)


# --- 0Eh, 0Eh/01h --------------------------------------------------------------------------

@record
class StartStopCycleCounterPage(LogPage):
    """Start-stop cycle counter (SBC-4 6.4.10).  Dates are the ASCII year and week."""

    year_of_manufacture: Optional[str] = None
    week_of_manufacture: Optional[str] = None
    accounting_date_year: Optional[str] = None
    accounting_date_week: Optional[str] = None
    specified_cycle_count_over_device_lifetime: Optional[int] = None
    accumulated_start_stop_cycles: Optional[int] = None
    specified_load_unload_count_over_device_lifetime: Optional[int] = None
    accumulated_load_unload_cycles: Optional[int] = None


_START_STOP_COUNTERS = {
    0x0003: "specified cycle count over device lifetime",
    0x0004: "accumulated start-stop cycles",
    0x0005: "specified load-unload count over device lifetime",
    0x0006: "accumulated load-unload cycles",
}


def decode_start_stop_cycle_counter_page(data: bytes) -> StartStopCycleCounterPage:
    names = {0x0001: "date of manufacture", 0x0002: "accounting date", **_START_STOP_COUNTERS}
    r, f = read_page(data, "Start-stop cycle counter log page", names)
    more = read_counters(r, f["parameters"], _fields(_START_STOP_COUNTERS), width=4)
    for p in f["parameters"]:
        if p.parameter_code in (0x0001, 0x0002):
            if len(p.value) < 6:
                r.problem(f"parameter {p.parameter_code:04x}h has {len(p.value)} of 6 bytes")
                continue
            year, week = (("year_of_manufacture", "week_of_manufacture") if p.parameter_code == 1
                          else ("accounting_date_year", "accounting_date_week"))
            more[year] = ascii_text(p.value[0:4])
            more[week] = ascii_text(p.value[4:6])
    return StartStopCycleCounterPage(problems=tuple(r.problems), **more, **f)


@record
class UtilizationPage(LogPage):
    """Utilization, 0Eh/01h (SBC-4 6.4.13).

    ``workload_utilization`` is in hundredths of a percent of the specified workload
    (10000 is 100.00 %); ``utilization_usage_rate_based_on_date_and_time`` in percent.
    """

    workload_utilization: Optional[int] = None
    utilization_usage_rate_based_on_date_and_time: Optional[int] = None


def decode_utilization_page(data: bytes) -> UtilizationPage:
    names = {0x0000: "workload utilization", 0x0001: "utilization usage rate based on date and time"}
    r, f = read_page(data, "Utilization log page", names)
    more: dict = {}
    for p in f["parameters"]:
        if p.parameter_code == 0 and len(p.value) >= 2:
            more["workload_utilization"] = int.from_bytes(p.value[0:2], "big")
        elif p.parameter_code == 1 and len(p.value) >= 1:
            more["utilization_usage_rate_based_on_date_and_time"] = p.value[0]
        elif p.parameter_code in names:
            r.problem(f"parameter {p.parameter_code:04x}h is too short ({len(p.value)} bytes)")
    return UtilizationPage(problems=tuple(r.problems), **more, **f)


# --- 11h -----------------------------------------------------------------------------------

@record
class SolidStateMediaPage(LogPage):
    """Solid state media, 11h (SBC-4 6.4.12): parameter 0001h, percent of the rated
    endurance used (may exceed 100)."""

    percentage_used_endurance_indicator: Optional[int] = None


def decode_solid_state_media_page(data: bytes) -> SolidStateMediaPage:
    r, f = read_page(data, "Solid state media log page", {0x0001: "percentage used endurance indicator"})
    more: dict = {}
    p = LogPage(parameters=f["parameters"]).parameter(0x0001)
    if p is not None:
        # Bytes 4-6 of the parameter are reserved; the indicator is its last byte.
        if len(p.value) >= 4:
            more["percentage_used_endurance_indicator"] = p.value[3]
        else:
            r.problem(f"parameter 0001h has {len(p.value)} of 4 bytes")
    return SolidStateMediaPage(problems=tuple(r.problems), **more, **f)


# --- 14h/01h -------------------------------------------------------------------------------

_ZBD_STATISTICS_NAMES = {
    0x0000: "maximum open zones",
    0x0001: "maximum explicitly open zones",
    0x0002: "maximum implicitly open zones",
    0x0003: "minimum empty zones",
    0x0004: "maximum non-sequential zones",
    0x0005: "zones emptied",
    0x0006: "suboptimal write commands",
    0x0007: "commands exceeding optimal limit",
    0x0008: "failed explicit opens",
    0x0009: "read rule violations",
    0x000A: "write rule violations",
    0x000B: "maximum implicitly open or before required zones",
}


@record
class ZonedBlockDeviceStatisticsPage(LogPage):
    """Zoned block device statistics, 14h/01h (ZBC-2 5.3): eight-byte counters."""

    maximum_open_zones: Optional[int] = None
    maximum_explicitly_open_zones: Optional[int] = None
    maximum_implicitly_open_zones: Optional[int] = None
    minimum_empty_zones: Optional[int] = None
    maximum_non_sequential_zones: Optional[int] = None
    zones_emptied: Optional[int] = None
    suboptimal_write_commands: Optional[int] = None
    commands_exceeding_optimal_limit: Optional[int] = None
    failed_explicit_opens: Optional[int] = None
    read_rule_violations: Optional[int] = None
    write_rule_violations: Optional[int] = None
    maximum_implicitly_open_or_before_required_zones: Optional[int] = None


def decode_zoned_block_device_statistics_page(data: bytes) -> ZonedBlockDeviceStatisticsPage:
    r, f = read_page(data, "Zoned block device statistics log page", _ZBD_STATISTICS_NAMES)
    more = read_counters(r, f["parameters"], _fields(_ZBD_STATISTICS_NAMES), width=8)
    return ZonedBlockDeviceStatisticsPage(problems=tuple(r.problems), **more, **f)


# --- 1Ah -----------------------------------------------------------------------------------

_PCT_NAMES = {
    0x0001: "accumulated transitions to active",
    0x0002: "accumulated transitions to idle_a",
    0x0003: "accumulated transitions to idle_b",
    0x0004: "accumulated transitions to idle_c",
    0x0008: "accumulated transitions to standby_z",
    0x0009: "accumulated transitions to standby_y",
}


@record
class PowerConditionTransitionsPage(LogPage):
    """Power condition transitions, 1Ah (SPC-5 7.3.16): four-byte counters."""

    accumulated_transitions_to_active: Optional[int] = None
    accumulated_transitions_to_idle_a: Optional[int] = None
    accumulated_transitions_to_idle_b: Optional[int] = None
    accumulated_transitions_to_idle_c: Optional[int] = None
    accumulated_transitions_to_standby_z: Optional[int] = None
    accumulated_transitions_to_standby_y: Optional[int] = None


def decode_power_condition_transitions_page(data: bytes) -> PowerConditionTransitionsPage:
    r, f = read_page(data, "Power condition transitions log page", _PCT_NAMES)
    more = read_counters(r, f["parameters"], _fields(_PCT_NAMES), width=4)
    return PowerConditionTransitionsPage(problems=tuple(r.problems), **more, **f)
