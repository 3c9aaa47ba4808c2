"""The log page header and the generic parameter list (SPC-5 7.3.2), shared by every page.

A page is named by its page code *and* subpage code: 0Dh/00h is Temperature but 0Dh/01h is
Environmental reporting, so :data:`LOG_PAGE_NAMES` is keyed by the pair.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Tuple

import attrs

from .._util import Reader, Record, raw_repr, record

__all__ = [
    "LOG_PAGE_NAMES",
    "FORMAT_AND_LINKING_NAMES",
    "LogParameter",
    "LogPage",
    "log_page_name",
    "read_header",
    "read_page",
    "decode_generic_log_page",
    "split_log_pages",
    "read_counters",
    "signed_byte",
]

#: (page code, subpage code) -> T10 name (SPC-5 table 350, SBC-4 table 213, ZBC-2).
LOG_PAGE_NAMES: Dict[Tuple[int, int], str] = {
    (0x00, 0x00): "Supported log pages",
    (0x00, 0xFF): "Supported log pages and subpages",
    (0x01, 0x00): "Buffer over-run/under-run",
    (0x02, 0x00): "Write error counter",
    (0x03, 0x00): "Read error counter",
    (0x04, 0x00): "Read reverse error counter",
    (0x05, 0x00): "Verify error counter",
    (0x06, 0x00): "Non-medium error",
    (0x07, 0x00): "Last n error events",
    (0x08, 0x00): "Format status",
    (0x0B, 0x00): "Last n deferred errors or asynchronous events",
    (0x0B, 0x01): "Last n inquiry data changed",
    (0x0B, 0x02): "Last n mode page data changed",
    (0x0C, 0x00): "Logical block provisioning",
    (0x0D, 0x00): "Temperature",
    (0x0D, 0x01): "Environmental reporting",
    (0x0D, 0x02): "Environmental limits",
    (0x0E, 0x00): "Start-stop cycle counter",
    (0x0E, 0x01): "Utilization",
    (0x0F, 0x00): "Application client",
    (0x10, 0x00): "Self-test results",
    (0x11, 0x00): "Solid state media",
    (0x14, 0x01): "Zoned block device statistics",
    (0x15, 0x00): "Background scan results",
    (0x15, 0x01): "Pending defects",
    (0x15, 0x02): "Background operation",
    (0x15, 0x03): "LPS misalignment",
    (0x16, 0x00): "ATA PASS-THROUGH results",
    (0x17, 0x00): "Non-volatile cache",
    (0x18, 0x00): "Protocol specific port",
    (0x19, 0x00): "General statistics and performance",
    (0x19, 0x20): "Cache memory statistics",
    (0x19, 0x21): "Command duration limits statistics",
    (0x1A, 0x00): "Power condition transitions",
    (0x2F, 0x00): "Informational exceptions",
}

#: SPC-5 table 355 (FORMAT AND LINKING field).
FORMAT_AND_LINKING_NAMES = {
    0: "bounded data counter",
    1: "ASCII format list",
    2: "bounded or unbounded data counter",
    3: "binary format list",
}


def log_page_name(page_code: Optional[int], subpage_code: int = 0) -> Optional[str]:
    """The T10 name of a log page, from its page *and* subpage code."""
    if page_code is None:
        return None
    name = LOG_PAGE_NAMES.get((page_code, subpage_code))
    if name is not None:
        return name
    if page_code >= 0x30:
        return "vendor specific"
    if subpage_code == 0xFF:
        # SPC-5 7.3.1: subpage FFh of any page lists that page's subpages.
        return "Supported subpages"
    if page_code == 0x19 and 0x01 <= subpage_code <= 0x1F:
        return "Group statistics and performance"
    return "reserved"


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
    """A log page with its parameters; also the record for pages without a named decoder.

    ``raw`` is the page as received (header included), cut to the page length.
    """

    ds: Optional[bool] = None
    spf: Optional[bool] = None
    page_code: Optional[int] = None
    subpage_code: Optional[int] = None
    page_length: Optional[int] = None
    page_name: Optional[str] = None
    parameters: Tuple[LogParameter, ...] = ()
    problems: Tuple[str, ...] = ()
    raw: bytes = attrs.field(default=b"", repr=raw_repr)

    def parameter(self, parameter_code: int) -> Optional[LogParameter]:
        for p in self.parameters:
            if p.parameter_code == parameter_code:
                return p
        return None


def read_header(data: bytes, what: str) -> Tuple[Reader, dict]:
    data = bytes(data)
    problems: List[str] = []
    head = Reader(data, what, problems)
    page_code = head.bits(0, 0, 6)
    spf = head.flag(0, 6)
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
        spf=spf,
        page_code=page_code,
        subpage_code=subpage,
        page_length=length,
        page_name=log_page_name(page_code, (subpage or 0) if spf else 0),
        raw=data[:end],
    )
    return r, fields


def _parameters(r: Reader, names: Optional[Mapping[int, str]] = None) -> Tuple[LogParameter, ...]:
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
            name=names.get(code, "vendor specific" if code >= 0x8000 else None) if names else None,
        ))
        offset += 4 + length
    return tuple(out)


def read_page(data: bytes, what: str,
              names: Optional[Mapping[int, str]] = None) -> Tuple[Reader, dict]:
    """The header fields and parameters of a page, ready to pass to a record constructor.

    Returns the reader (for more problems) and a dict with the :class:`LogPage` fields,
    ``parameters`` named from ``names`` (parameter code -> T10 name).
    """
    r, fields = read_header(data, what)
    fields["parameters"] = _parameters(r, names)
    return r, fields


def decode_generic_log_page(data: bytes) -> LogPage:
    r, f = read_page(data, "log page")
    return LogPage(problems=tuple(r.problems), **f)


def split_log_pages(data: bytes) -> Tuple[bytes, ...]:
    """Split back-to-back log pages (as sg_logs --all saves them) at their page lengths."""
    data = bytes(data)
    out = []
    offset = 0
    while offset + 4 <= len(data):
        end = offset + 4 + int.from_bytes(data[offset + 2:offset + 4], "big")
        out.append(data[offset:end])
        offset = end
    if offset < len(data):
        out.append(data[offset:])
    return tuple(out)


def read_counters(r: Reader, parameters: Tuple[LogParameter, ...], fields: Mapping[int, str],
             width: Optional[int] = None) -> Dict[str, int]:
    """Named integer fields from counter parameters: parameter code -> record field.

    ``width`` is the parameter length the standard gives; a shorter parameter is a problem
    (and still read), so a device with narrow counters decodes.
    """
    out: Dict[str, int] = {}
    for p in parameters:
        field = fields.get(p.parameter_code)
        if field is None:
            continue
        if not p.value:
            r.problem(f"parameter {p.parameter_code:04x}h ({field}) is empty")
            continue
        if width is not None and len(p.value) < width:
            r.problem(f"parameter {p.parameter_code:04x}h ({field}) has {len(p.value)} of {width} bytes")
        out[field] = int.from_bytes(p.value, "big")
    return out


def signed_byte(value: int, missing: int = -128) -> Optional[int]:
    """A two's complement byte (SPC-5 temperatures); ``missing`` (80h) means no value."""
    value = value - 256 if value >= 128 else value
    return None if value == missing else value
