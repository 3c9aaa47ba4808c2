"""Log pages (SPC-5 7.3, SBC-4 6.4): the generic parameter list and the common named pages.

Every page decodes to :class:`LogPage` (header plus :class:`LogParameter` list) or to a
subclass that adds named fields.  :data:`LOG_PAGE_DECODERS` maps (page, subpage) to
``decoder(data) -> LogPage``; a subpage of FFh on any page is the "supported subpages" list.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import attrs

from ._util import Reader, Record, ascii_text, name_of, raw_repr, record

__all__ = [
    "LOG_PAGE_NAMES",
    "FORMAT_AND_LINKING_NAMES",
    "ERROR_COUNTER_NAMES",
    "SELF_TEST_RESULTS_NAMES",
    "SELF_TEST_CODE_NAMES",
    "LogParameter",
    "LogPage",
    "SupportedLogPages",
    "SupportedLogPagesAndSubpages",
    "ErrorCounterPage",
    "TemperaturePage",
    "StartStopCycleCounterPage",
    "SelfTestResult",
    "SelfTestResultsPage",
    "InformationalExceptionsPage",
    "LOG_PAGE_DECODERS",
    "decode_log_page",
]

LOG_PAGE_NAMES = {
    0x00: "Supported log pages",
    0x01: "Buffer over-run/under-run",
    0x02: "Write error counter",
    0x03: "Read error counter",
    0x04: "Read reverse error counter",
    0x05: "Verify error counter",
    0x06: "Non-medium error",
    0x07: "Last n error events",
    0x08: "Format status",
    0x0B: "Last n deferred errors or asynchronous events",
    0x0C: "Logical block provisioning",
    0x0D: "Temperature",
    0x0E: "Start-stop cycle counter",
    0x0F: "Application client",
    0x10: "Self-test results",
    0x11: "Solid state media",
    0x14: "Zoned block device statistics",
    0x15: "Background scan results",
    0x16: "ATA PASS-THROUGH results",
    0x17: "Non-volatile cache",
    0x18: "Protocol specific port",
    0x19: "General statistics and performance",
    0x1A: "Power condition transitions",
    0x2F: "Informational exceptions",
}

#: SPC-5 table 413 (FORMAT AND LINKING field).
FORMAT_AND_LINKING_NAMES = {
    0: "bounded data counter",
    1: "ASCII format list",
    2: "bounded or unbounded data counter",
    3: "binary format list",
}

#: SBC-4 table 213: parameter codes of the write, read and verify error counter pages.
ERROR_COUNTER_NAMES = {
    0x0000: "errors corrected without substantial delay",
    0x0001: "errors corrected with possible delays",
    0x0002: "total rewrites or rereads",
    0x0003: "total errors corrected",
    0x0004: "total times correction algorithm processed",
    0x0005: "total bytes processed",
    0x0006: "total uncorrected errors",
}

_ERROR_COUNTER_FIELDS = {
    0x0000: "errors_corrected_without_substantial_delay",
    0x0001: "errors_corrected_with_possible_delays",
    0x0002: "total_rewrites_or_rereads",
    0x0003: "total_errors_corrected",
    0x0004: "total_times_correction_algorithm_processed",
    0x0005: "total_bytes_processed",
    0x0006: "total_uncorrected_errors",
}

#: SPC-5 table 408 (SELF-TEST RESULTS field).
SELF_TEST_RESULTS_NAMES = {
    0x0: "completed without error",
    0x1: "aborted by SEND DIAGNOSTIC with SELF-TEST CODE 100b",
    0x2: "aborted by another method",
    0x3: "failed, segment unknown",
    0x4: "completed with a failed segment, segment unknown",
    0x5: "completed with the first segment failed",
    0x6: "completed with the second segment failed",
    0x7: "completed with another segment failed",
    0xF: "in progress",
}

#: SPC-5 table 263 (SELF-TEST CODE field of SEND DIAGNOSTIC).
SELF_TEST_CODE_NAMES = {
    0: "default or not a self-test",
    1: "background short self-test",
    2: "background extended self-test",
    4: "abort background self-test",
    5: "foreground short self-test",
    6: "foreground extended self-test",
}


@record
class LogParameter(Record):
    """One log parameter (SPC-5 7.3.2.2).

    ``counter`` is the value as an unsigned integer when FORMAT AND LINKING says it is a
    data counter (00b or 10b); ``name`` is filled in by the named page decoders.
    """

    parameter_code: int
    du: bool
    tsd: bool
    etc: bool
    tmc: int
    format_and_linking: int
    parameter_length: int
    value: bytes = attrs.field(repr=raw_repr)
    counter: Optional[int] = None
    name: Optional[str] = None


@record
class LogPage(Record):
    """A log page with its parameters; also the record for pages without a named decoder."""

    ds: Optional[bool] = None
    spf: Optional[bool] = None
    page_code: Optional[int] = None
    subpage_code: Optional[int] = None
    page_length: Optional[int] = None
    page_name: Optional[str] = None
    parameters: Tuple[LogParameter, ...] = ()
    problems: Tuple[str, ...] = ()

    def parameter(self, parameter_code: int) -> Optional[LogParameter]:
        for p in self.parameters:
            if p.parameter_code == parameter_code:
                return p
        return None


@record
class SupportedLogPages(LogPage):
    supported_pages: Tuple[int, ...] = ()


@record
class SupportedLogPagesAndSubpages(LogPage):
    """Page 00h/FFh (all pages) or xxh/FFh (one page's subpages): (page, subpage) pairs."""

    supported_pages_and_subpages: Tuple[Tuple[int, int], ...] = ()


@record
class ErrorCounterPage(LogPage):
    """Write (02h), read (03h) or verify (05h) error counters (SBC-4 6.4.4, 6.4.7, 6.4.11)."""

    errors_corrected_without_substantial_delay: Optional[int] = None
    errors_corrected_with_possible_delays: Optional[int] = None
    total_rewrites_or_rereads: Optional[int] = None
    total_errors_corrected: Optional[int] = None
    total_times_correction_algorithm_processed: Optional[int] = None
    total_bytes_processed: Optional[int] = None
    total_uncorrected_errors: Optional[int] = None


@record
class TemperaturePage(LogPage):
    """Temperature (SPC-5 7.3.21), degrees Celsius; ``None`` where the device sent FFh."""

    temperature: Optional[int] = None
    reference_temperature: Optional[int] = None


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


@record
class SelfTestResult(Record):
    """One self-test results log parameter (SPC-5 7.3.19.2)."""

    parameter_code: int
    self_test_code: Optional[int] = None
    self_test_code_name: Optional[str] = None
    self_test_results: Optional[int] = None
    self_test_results_name: Optional[str] = None
    self_test_number: Optional[int] = None
    accumulated_power_on_hours: Optional[int] = None
    address_of_first_failure: Optional[int] = None
    sense_key: Optional[int] = None
    additional_sense_code: Optional[int] = None
    additional_sense_code_qualifier: Optional[int] = None
    vendor_specific: Optional[int] = None

    @property
    def empty(self) -> bool:
        """An unused slot: SPC-5 leaves all-zero parameters for tests not yet run."""
        return not any((self.self_test_code, self.self_test_results, self.self_test_number,
                        self.accumulated_power_on_hours, self.address_of_first_failure))


@record
class SelfTestResultsPage(LogPage):
    """Self-test results (SPC-5 7.3.19): up to 20 entries, parameter codes 0001h-0014h."""

    self_test_results: Tuple[SelfTestResult, ...] = ()


@record
class InformationalExceptionsPage(LogPage):
    """Informational exceptions (SPC-5 7.3.10), parameter 0000h.  Temperature in Celsius."""

    informational_exception_additional_sense_code: Optional[int] = None
    informational_exception_additional_sense_code_qualifier: Optional[int] = None
    most_recent_temperature_reading: Optional[int] = None


def _header(data: bytes, what: str) -> Tuple[Reader, dict]:
    data = bytes(data)
    problems: List[str] = []
    head = Reader(data, what, problems)
    page_code = head.bits(0, 0, 6)
    subpage = head.uint(1)
    length = head.uint(2, 2)
    end = len(data)
    if length is not None:
        if length + 4 < end:
            end = length + 4
        elif length + 4 > end:
            head.problem(f"page length announces {length + 4} bytes, {len(data)} received")
    r = Reader(data[:end], what, problems)
    r.truncated = head.truncated
    fields = dict(
        ds=head.flag(0, 7),
        spf=head.flag(0, 6),
        page_code=page_code,
        subpage_code=subpage,
        page_length=length,
        page_name=name_of(LOG_PAGE_NAMES, page_code,
                          "vendor specific" if (page_code or 0) >= 0x30 else "reserved"),
    )
    return r, fields


def _parameters(r: Reader, names: Optional[Dict[int, str]] = None) -> Tuple[LogParameter, ...]:
    out = []
    offset = 4
    data = r.data
    while offset < len(data):
        if len(data) - offset < 4:
            r.problem(f"{len(data) - offset} stray bytes at byte {offset}")
            break
        code = int.from_bytes(data[offset:offset + 2], "big")
        control = data[offset + 2]
        length = data[offset + 3]
        value = data[offset + 4:offset + 4 + length]
        if len(value) < length:
            r.problem(f"parameter {code:04x}h at byte {offset}: length {length}, {len(value)} bytes present")
        fl = control & 0x3
        out.append(LogParameter(
            parameter_code=code,
            du=bool(control & 0x80),
            tsd=bool(control & 0x20),
            etc=bool(control & 0x10),
            tmc=(control >> 2) & 0x3,
            format_and_linking=fl,
            parameter_length=length,
            value=value,
            counter=int.from_bytes(value, "big") if fl in (0, 2) and value else None,
            name=(names or {}).get(code, "vendor specific" if code >= 0x8000 else None) if names else None,
        ))
        offset += 4 + length
    return tuple(out)


def decode_generic_log_page(data: bytes) -> LogPage:
    r, f = _header(data, "log page")
    params = _parameters(r)
    return LogPage(parameters=params, problems=tuple(r.problems), **f)


def decode_supported_log_pages(data: bytes) -> SupportedLogPages:
    r, f = _header(data, "Supported log pages")
    pages = tuple(b & 0x3F for b in r.data[4:])
    return SupportedLogPages(supported_pages=pages, problems=tuple(r.problems), **f)


def decode_supported_subpages(data: bytes) -> SupportedLogPagesAndSubpages:
    r, f = _header(data, "Supported log pages and subpages")
    body = r.data[4:]
    if len(body) % 2:
        r.problem("odd number of bytes in the page and subpage list")
    pairs = tuple((body[i] & 0x3F, body[i + 1]) for i in range(0, len(body) - 1, 2))
    return SupportedLogPagesAndSubpages(supported_pages_and_subpages=pairs, problems=tuple(r.problems), **f)


def decode_error_counter_page(data: bytes) -> ErrorCounterPage:
    r, f = _header(data, "Error counter log page")
    params = _parameters(r, ERROR_COUNTER_NAMES)
    counters = {_ERROR_COUNTER_FIELDS[p.parameter_code]: int.from_bytes(p.value, "big")
                for p in params if p.parameter_code in _ERROR_COUNTER_FIELDS and p.value}
    return ErrorCounterPage(parameters=params, problems=tuple(r.problems), **counters, **f)


def _celsius(p: Optional[LogParameter]) -> Optional[int]:
    # Byte 5 of the parameter (value byte 1); FFh means no valid reading.
    if p is None or len(p.value) < 2 or p.value[1] == 0xFF:
        return None
    return p.value[1]


def decode_temperature_page(data: bytes) -> TemperaturePage:
    r, f = _header(data, "Temperature log page")
    params = _parameters(r, {0x0000: "temperature", 0x0001: "reference temperature"})
    page = LogPage(parameters=params)
    return TemperaturePage(
        parameters=params,
        temperature=_celsius(page.parameter(0x0000)),
        reference_temperature=_celsius(page.parameter(0x0001)),
        problems=tuple(r.problems),
        **f,
    )


def decode_start_stop_cycle_counter_page(data: bytes) -> StartStopCycleCounterPage:
    r, f = _header(data, "Start-stop cycle counter log page")
    names = {
        0x0001: "date of manufacture",
        0x0002: "accounting date",
        0x0003: "specified cycle count over device lifetime",
        0x0004: "accumulated start-stop cycles",
        0x0005: "specified load-unload count over device lifetime",
        0x0006: "accumulated load-unload cycles",
    }
    params = _parameters(r, names)
    more: dict = {}
    counter_fields = {
        0x0003: "specified_cycle_count_over_device_lifetime",
        0x0004: "accumulated_start_stop_cycles",
        0x0005: "specified_load_unload_count_over_device_lifetime",
        0x0006: "accumulated_load_unload_cycles",
    }
    for p in params:
        if p.parameter_code in (0x0001, 0x0002) and len(p.value) >= 6:
            prefix = "year_of_manufacture" if p.parameter_code == 1 else "accounting_date_year"
            week = "week_of_manufacture" if p.parameter_code == 1 else "accounting_date_week"
            more[prefix] = ascii_text(p.value[0:4])
            more[week] = ascii_text(p.value[4:6])
        elif p.parameter_code in counter_fields and p.value:
            more[counter_fields[p.parameter_code]] = int.from_bytes(p.value, "big")
    return StartStopCycleCounterPage(parameters=params, problems=tuple(r.problems), **more, **f)


def decode_self_test_results_page(data: bytes) -> SelfTestResultsPage:
    r, f = _header(data, "Self-test results log page")
    params = _parameters(r)
    results = []
    for p in params:
        v = p.value
        if not 0x0001 <= p.parameter_code <= 0x0014:
            r.problem(f"parameter code {p.parameter_code:04x}h outside 0001h-0014h")
            continue
        if len(v) < 16:
            r.problem(f"self-test parameter {p.parameter_code:04x}h has {len(v)} of 16 bytes")
            results.append(SelfTestResult(parameter_code=p.parameter_code))
            continue
        code, res = v[0] >> 5, v[0] & 0xF
        results.append(SelfTestResult(
            parameter_code=p.parameter_code,
            self_test_code=code,
            self_test_code_name=name_of(SELF_TEST_CODE_NAMES, code),
            self_test_results=res,
            self_test_results_name=name_of(SELF_TEST_RESULTS_NAMES, res),
            self_test_number=v[1],
            accumulated_power_on_hours=int.from_bytes(v[2:4], "big"),
            address_of_first_failure=int.from_bytes(v[4:12], "big"),
            sense_key=v[12] & 0xF,
            additional_sense_code=v[13],
            additional_sense_code_qualifier=v[14],
            vendor_specific=v[15],
        ))
    return SelfTestResultsPage(parameters=params, self_test_results=tuple(results),
                               problems=tuple(r.problems), **f)


def decode_informational_exceptions_page(data: bytes) -> InformationalExceptionsPage:
    r, f = _header(data, "Informational exceptions log page")
    params = _parameters(r, {0x0000: "informational exceptions general"})
    more: dict = {}
    general = LogPage(parameters=params).parameter(0x0000)
    if general is not None:
        v = general.value
        if len(v) >= 3:
            more = dict(
                informational_exception_additional_sense_code=v[0],
                informational_exception_additional_sense_code_qualifier=v[1],
                most_recent_temperature_reading=None if v[2] == 0xFF else v[2],
            )
        else:
            r.problem(f"parameter 0000h has {len(v)} of 3 bytes")
    return InformationalExceptionsPage(parameters=params, problems=tuple(r.problems), **more, **f)


LOG_PAGE_DECODERS: Dict[Tuple[int, int], Callable[[bytes], LogPage]] = {
    (0x00, 0x00): decode_supported_log_pages,
    (0x00, 0xFF): decode_supported_subpages,
    (0x02, 0x00): decode_error_counter_page,
    (0x03, 0x00): decode_error_counter_page,
    (0x05, 0x00): decode_error_counter_page,
    (0x0D, 0x00): decode_temperature_page,
    (0x0E, 0x00): decode_start_stop_cycle_counter_page,
    (0x10, 0x00): decode_self_test_results_page,
    (0x2F, 0x00): decode_informational_exceptions_page,
}


def decode_log_page(data: bytes) -> LogPage:
    """Decode LOG SENSE data by its page and subpage code.  Never raises on device data.

    The subpage code is taken from byte 1 only when SPF is set; devices predating
    subpages leave byte 1 zero anyway.
    """
    data = bytes(data)
    if len(data) < 2:
        return decode_generic_log_page(data)
    spf = bool(data[0] & 0x40)
    key = (data[0] & 0x3F, data[1] if spf else 0)
    decoder = LOG_PAGE_DECODERS.get(key)
    if decoder is None and key[1] == 0xFF:
        decoder = decode_supported_subpages
    if decoder is None:
        return decode_generic_log_page(data)
    try:
        return decoder(data)
    except Exception as exc:  # noqa: BLE001 - device data must not raise
        page = decode_generic_log_page(data)
        return attrs.evolve(page, problems=page.problems + (f"internal error in {decoder.__name__}: {exc!r}",))
