"""Background scan results (15h), pending defects (15h/01h), background operation (15h/02h)
and LPS misalignment (15h/03h): SBC-4 6.4.2, 6.4.8, 6.4.1, 6.4.6."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from .._util import Record, name_of, raw_repr, record
from ._core import LogPage, read_page

__all__ = [
    "BMS_STATUS_NAMES",
    "REASSIGN_STATUS_NAMES",
    "MediumScanParameter",
    "BackgroundScanResultsPage",
    "PendingDefect",
    "PendingDefectsPage",
    "BackgroundOperationPage",
    "LpsMisalignmentPage",
    "decode_background_scan_results_page",
    "decode_pending_defects_page",
    "decode_background_operation_page",
    "decode_lps_misalignment_page",
]

#: SBC-4 table 190 (BACKGROUND SCAN STATUS field).
BMS_STATUS_NAMES = {
    0x00: "no background scan operation is active",
    0x01: "background medium scan operation is active",
    0x02: "background pre-scan operation is active",
    0x03: "background scan halted due to fatal error",
    0x04: "background scan halted due to a vendor specific pattern of errors",
    0x05: "background scan halted due to medium formatted without P-list",
    0x06: "background scan halted, vendor specific cause",
    0x07: "background scan halted due to temperature out of allowable range",
    0x08: "background medium scan enabled, none active (waiting for the interval timer)",
    0x09: "background scan halted, background scan results list full",
    0x0A: "background pre-scan halted, pre-scan time limit timer expired",
}

#: SBC-4 table 192 (REASSIGN STATUS field).
REASSIGN_STATUS_NAMES = {
    0x1: "reassignment pending receipt of REASSIGN BLOCKS or WRITE",
    0x2: "logical block successfully reassigned by the device server",
    0x4: "reassignment by the device server failed",
    0x5: "logical block recovered by the device server through rewrite",
    0x6: "logical block reassigned by the application client, has valid data",
    0x7: "logical block reassigned by the application client, contains no valid data",
    0x8: "logical block unsuccessfully reassigned by the application client",
}


@record
class MediumScanParameter(Record):
    """Background scan results log parameter, codes 0001h-0800h (SBC-4 6.4.2.3)."""

    parameter_code: int
    accumulated_power_on_minutes: int
    reassign_status: int
    reassign_status_name: str
    sense_key: int
    additional_sense_code: int
    additional_sense_code_qualifier: int
    vendor_specific: bytes = attrs.field(repr=raw_repr)
    logical_block_address: int


@record
class BackgroundScanResultsPage(LogPage):
    """Background scan results, 15h (SBC-4 6.4.2): status (parameter 0000h) and results.

    ``background_medium_scan_progress`` is in 1/65536ths of the scan (sg_logs prints it as
    a percentage with two decimals).
    """

    accumulated_power_on_minutes: Optional[int] = None
    background_scan_status: Optional[int] = None
    background_scan_status_name: Optional[str] = None
    number_of_background_scans_performed: Optional[int] = None
    background_medium_scan_progress: Optional[int] = None
    number_of_background_medium_scans_performed: Optional[int] = None
    medium_scan_parameters: Tuple[MediumScanParameter, ...] = ()


def decode_background_scan_results_page(data: bytes) -> BackgroundScanResultsPage:
    r, f = read_page(data, "Background scan results log page")
    more: dict = {}
    results = []
    for p in f["parameters"]:
        v = p.value
        if p.parameter_code == 0:
            if len(v) < 12:
                r.problem(f"status parameter 0000h has {len(v)} of 12 bytes")
                continue
            more = dict(
                accumulated_power_on_minutes=int.from_bytes(v[0:4], "big"),
                background_scan_status=v[5],
                background_scan_status_name=name_of(BMS_STATUS_NAMES, v[5]),
                number_of_background_scans_performed=int.from_bytes(v[6:8], "big"),
                background_medium_scan_progress=int.from_bytes(v[8:10], "big"),
                number_of_background_medium_scans_performed=int.from_bytes(v[10:12], "big"),
            )
        elif p.parameter_code <= 0x0800:
            if len(v) < 20:
                r.problem(f"medium scan parameter {p.parameter_code:04x}h has {len(v)} of 20 bytes")
                continue
            results.append(MediumScanParameter(
                parameter_code=p.parameter_code,
                accumulated_power_on_minutes=int.from_bytes(v[0:4], "big"),
                reassign_status=v[4] >> 4,
                reassign_status_name=name_of(REASSIGN_STATUS_NAMES, v[4] >> 4),
                sense_key=v[4] & 0xF,
                additional_sense_code=v[5],
                additional_sense_code_qualifier=v[6],
                vendor_specific=v[7:12],
                logical_block_address=int.from_bytes(v[12:20], "big"),
            ))
    return BackgroundScanResultsPage(medium_scan_parameters=tuple(results), problems=tuple(r.problems),
                                     **more, **f)


@record
class PendingDefect(Record):
    """Pending defect log parameter, codes 0001h-F000h (SBC-4 6.4.8.3)."""

    parameter_code: int
    accumulated_power_on_hours: int
    logical_block_address: int


@record
class PendingDefectsPage(LogPage):
    """Pending defects, 15h/01h (SBC-4 6.4.8)."""

    pending_defect_count: Optional[int] = None
    pending_defects: Tuple[PendingDefect, ...] = ()


def decode_pending_defects_page(data: bytes) -> PendingDefectsPage:
    r, f = read_page(data, "Pending defects log page")
    more: dict = {}
    defects = []
    for p in f["parameters"]:
        v = p.value
        if p.parameter_code == 0:
            if len(v) < 4:
                r.problem(f"pending defect count parameter has {len(v)} of 4 bytes")
                continue
            more["pending_defect_count"] = int.from_bytes(v[0:4], "big")
        elif p.parameter_code <= 0xF000:
            if len(v) < 12:
                r.problem(f"pending defect parameter {p.parameter_code:04x}h has {len(v)} of 12 bytes")
                continue
            defects.append(PendingDefect(parameter_code=p.parameter_code,
                                         accumulated_power_on_hours=int.from_bytes(v[0:4], "big"),
                                         logical_block_address=int.from_bytes(v[4:12], "big")))
    return PendingDefectsPage(pending_defects=tuple(defects), problems=tuple(r.problems), **more, **f)


#: SBC-4 table 180 (BO_STATUS field).
BO_STATUS_NAMES = {
    0x00: "no background operations are being performed",
    0x01: "host initiated advanced background operation is being performed",
    0x02: "device initiated advanced background operation is being performed",
}


@record
class BackgroundOperationPage(LogPage):
    """Background operation, 15h/02h (SBC-4 6.4.1): parameter 0000h, BO_STATUS."""

    bo_status: Optional[int] = None
    bo_status_name: Optional[str] = None


def decode_background_operation_page(data: bytes) -> BackgroundOperationPage:
    r, f = read_page(data, "Background operation log page", {0x0000: "background operation"})
    more: dict = {}
    p = LogPage(parameters=f["parameters"]).parameter(0)
    if p is not None:
        if p.value:
            more = dict(bo_status=p.value[0], bo_status_name=name_of(BO_STATUS_NAMES, p.value[0]))
        else:
            r.problem("parameter 0000h is empty")
    return BackgroundOperationPage(problems=tuple(r.problems), **more, **f)


@record
class LpsMisalignmentPage(LogPage):
    """LPS misalignment, 15h/03h (SBC-4 6.4.6): the count (parameter 0000h) and the LBAs
    of misaligned writes (parameters 0001h-F000h)."""

    max_lpsm: Optional[int] = None
    lps_misalignment_count: Optional[int] = None
    lba_of_misaligned_blocks: Tuple[int, ...] = ()


def decode_lps_misalignment_page(data: bytes) -> LpsMisalignmentPage:
    r, f = read_page(data, "LPS misalignment log page")
    more: dict = {}
    lbas = []
    for p in f["parameters"]:
        v = p.value
        if p.parameter_code == 0:
            if len(v) < 4:
                r.problem(f"LPS misalignment count parameter has {len(v)} of 4 bytes")
                continue
            more = dict(max_lpsm=int.from_bytes(v[0:2], "big"), lps_misalignment_count=int.from_bytes(v[2:4], "big"))
        elif p.parameter_code <= 0xF000:
            if len(v) < 8:
                r.problem(f"LPS misalignment parameter {p.parameter_code:04x}h has {len(v)} of 8 bytes")
                continue
            lbas.append(int.from_bytes(v[0:8], "big"))
    return LpsMisalignmentPage(lba_of_misaligned_blocks=tuple(lbas), problems=tuple(r.problems), **more, **f)
