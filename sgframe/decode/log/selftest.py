"""Self-test results, 10h (SPC-5 7.3.20): the last twenty self-tests, most recent first."""
from __future__ import annotations

from typing import Optional, Tuple

from .._util import Record, name_of, record
from ._core import LogPage, read_page

__all__ = ["SELF_TEST_RESULTS_NAMES", "SELF_TEST_CODE_NAMES", "SelfTestResult", "SelfTestResultsPage",
           "decode_self_test_results_page"]

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


def decode_self_test_results_page(data: bytes) -> SelfTestResultsPage:
    r, f = read_page(data, "Self-test results log page")
    results = []
    for p in f["parameters"]:
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
    return SelfTestResultsPage(self_test_results=tuple(results),
                               problems=tuple(r.problems), **f)
