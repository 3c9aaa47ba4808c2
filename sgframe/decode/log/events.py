"""Log pages that list events: last n error events (07h), last n deferred errors or
asynchronous events (0Bh), last n inquiry data changed (0Bh/01h), last n mode page data
changed (0Bh/02h) and the application client page (0Fh)."""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from .._util import Record, raw_repr, record
from ._core import LogPage, read_page

__all__ = [
    "ErrorEvent",
    "LastNErrorEventsPage",
    "DeferredError",
    "LastNDeferredErrorsPage",
    "InquiryDataChanged",
    "LastNInquiryDataChangedPage",
    "ModePageDataChanged",
    "LastNModePageDataChangedPage",
    "ApplicationClientPage",
    "decode_last_n_error_events_page",
    "decode_last_n_deferred_errors_page",
    "decode_last_n_inquiry_data_changed_page",
    "decode_last_n_mode_page_data_changed_page",
    "decode_application_client_page",
]


@record
class ErrorEvent(Record):
    """One error event (SPC-5 7.3.9): vendor specific, ASCII when FORMAT AND LINKING is 01b."""

    parameter_code: int
    text: Optional[str] = None
    data: bytes = attrs.field(default=b"", repr=raw_repr)


@record
class LastNErrorEventsPage(LogPage):
    """Last n error events, 07h (SPC-5 7.3.9); parameter code n is the n-th event."""

    error_events: Tuple[ErrorEvent, ...] = ()


def decode_last_n_error_events_page(data: bytes) -> LastNErrorEventsPage:
    r, f = read_page(data, "Last n error events log page")
    events = []
    for p in f["parameters"]:
        text = None
        if p.format_and_linking == 1:
            # Devices pad ASCII events with NULs (scsi_debug does).
            text = p.value.split(b"\x00", 1)[0].decode("latin-1")
        events.append(ErrorEvent(parameter_code=p.parameter_code, text=text, data=p.value))
    return LastNErrorEventsPage(error_events=tuple(events), problems=tuple(r.problems), **f)


@record
class DeferredError(Record):
    """One deferred error or asynchronous event (SPC-5 7.3.8): sense data as the device
    would have returned it.  Sense key and ASC/ASCQ are read from the fixed or descriptor
    format; the bytes are kept whole for :func:`sgframe.sense.decode_sense`."""

    parameter_code: int
    sense_data: bytes = attrs.field(repr=raw_repr)
    response_code: Optional[int] = None
    sense_key: Optional[int] = None
    additional_sense_code: Optional[int] = None
    additional_sense_code_qualifier: Optional[int] = None


def _sense_fields(sense: bytes) -> dict:
    if not sense:
        return {}
    code = sense[0] & 0x7F
    if code in (0x72, 0x73) and len(sense) >= 4:
        return dict(response_code=code, sense_key=sense[1] & 0xF,
                    additional_sense_code=sense[2], additional_sense_code_qualifier=sense[3])
    if code in (0x70, 0x71) and len(sense) >= 14:
        return dict(response_code=code, sense_key=sense[2] & 0xF,
                    additional_sense_code=sense[12], additional_sense_code_qualifier=sense[13])
    return dict(response_code=code)


@record
class LastNDeferredErrorsPage(LogPage):
    """Last n deferred errors or asynchronous events, 0Bh (SPC-5 7.3.8)."""

    deferred_errors: Tuple[DeferredError, ...] = ()


def decode_last_n_deferred_errors_page(data: bytes) -> LastNDeferredErrorsPage:
    r, f = read_page(data, "Last n deferred errors log page")
    errors = tuple(DeferredError(parameter_code=p.parameter_code, sense_data=p.value, **_sense_fields(p.value))
                   for p in f["parameters"])
    return LastNDeferredErrorsPage(deferred_errors=errors, problems=tuple(r.problems), **f)


def _generations(r, parameters) -> dict:
    """Parameter 0000h of 0Bh/01h and 0Bh/02h: four-byte change generation numbers, the
    first for INQUIRY data, the second for mode pages (SPC-5 7.3.10)."""
    for p in parameters:
        if p.parameter_code == 0:
            if len(p.value) % 4:
                r.problem(f"parameter 0000h: length {len(p.value)} is not a multiple of 4")
            numbers = tuple(int.from_bytes(p.value[i:i + 4], "big") for i in range(0, len(p.value) - 3, 4))
            return dict(
                generation_numbers=numbers,
                inquiry_data_changed_generation_number=numbers[0] if numbers else None,
                mode_page_data_changed_generation_number=numbers[1] if len(numbers) > 1 else None,
            )
    return {}


@record
class InquiryDataChanged(Record):
    """One INQUIRY data changed parameter: the standard data (``vpd`` false) or a VPD page."""

    parameter_code: int
    vpd: bool
    vpd_page_code: Optional[int] = None


@record
class LastNInquiryDataChangedPage(LogPage):
    """Last n inquiry data changed, 0Bh/01h (SPC-5 7.3.10)."""

    generation_numbers: Tuple[int, ...] = ()
    inquiry_data_changed_generation_number: Optional[int] = None
    mode_page_data_changed_generation_number: Optional[int] = None
    changes: Tuple[InquiryDataChanged, ...] = ()


def decode_last_n_inquiry_data_changed_page(data: bytes) -> LastNInquiryDataChangedPage:
    r, f = read_page(data, "Last n inquiry data changed log page")
    changes = []
    for p in f["parameters"]:
        if p.parameter_code == 0:
            continue
        if len(p.value) < 2:
            r.problem(f"parameter {p.parameter_code:04x}h has {len(p.value)} of 4 bytes")
            continue
        vpd = bool(p.value[0] & 0x01)
        changes.append(InquiryDataChanged(parameter_code=p.parameter_code, vpd=vpd,
                                          vpd_page_code=p.value[1] if vpd else None))
    generations = _generations(r, f["parameters"])
    return LastNInquiryDataChangedPage(changes=tuple(changes), problems=tuple(r.problems),
                                       **generations, **f)


@record
class ModePageDataChanged(Record):
    """One mode page data changed parameter: the page (and subpage, with SPF) that changed."""

    parameter_code: int
    spf: bool
    page_code: int
    subpage_code: int


@record
class LastNModePageDataChangedPage(LogPage):
    """Last n mode page data changed, 0Bh/02h (SPC-5 7.3.11)."""

    generation_numbers: Tuple[int, ...] = ()
    inquiry_data_changed_generation_number: Optional[int] = None
    mode_page_data_changed_generation_number: Optional[int] = None
    changes: Tuple[ModePageDataChanged, ...] = ()


def decode_last_n_mode_page_data_changed_page(data: bytes) -> LastNModePageDataChangedPage:
    r, f = read_page(data, "Last n mode page data changed log page")
    changes = []
    for p in f["parameters"]:
        if p.parameter_code == 0:
            continue
        if len(p.value) < 2:
            r.problem(f"parameter {p.parameter_code:04x}h has {len(p.value)} of 4 bytes")
            continue
        # Byte 4 of the parameter is SPF and PAGE CODE, byte 5 SUBPAGE CODE (as in a mode
        # page header).  sg_logs 1.46 prints byte 5 as the page code.
        spf = bool(p.value[0] & 0x40)
        changes.append(ModePageDataChanged(parameter_code=p.parameter_code, spf=spf,
                                           page_code=p.value[0] & 0x3F,
                                           subpage_code=p.value[1] if spf else 0))
    generations = _generations(r, f["parameters"])
    return LastNModePageDataChangedPage(changes=tuple(changes), problems=tuple(r.problems),
                                        **generations, **f)


@record
class ApplicationClientPage(LogPage):
    """Application client, 0Fh (SPC-5 7.3.4): parameters 0000h-0FFFh are general usage
    application client data, what a host stored there with LOG SELECT."""


_APPLICATION_CLIENT_NAMES = {code: "general usage application client parameter data" for code in range(0x1000)}


def decode_application_client_page(data: bytes) -> ApplicationClientPage:
    r, f = read_page(data, "Application client log page", _APPLICATION_CLIENT_NAMES)
    return ApplicationClientPage(problems=tuple(r.problems), **f)
