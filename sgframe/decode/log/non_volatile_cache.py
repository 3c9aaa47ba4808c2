"""Non-volatile cache, 17h (SBC-3 6.4.6; dropped from SBC-4, still listed by sg_logs): how
long the cache keeps its data without power.

Both parameters are four bytes, the first reserved: REMAINING NON-VOLATILE TIME (0000h)
and MAXIMUM NON-VOLATILE TIME (0001h) in minutes, bytes 5-7 of the parameter.  Special
values: 0 (the cache is volatile now), 1 (remaining: unknown; maximum: reserved) and
FFFFFFh (indefinite).  sg3_utils 1.46's sg_logs expected the reserved byte to be 3 and
prints "<unexpected parameter length=0>" for a standard page; later versions read it as
here.
"""
from __future__ import annotations

from typing import Dict, Optional

from .._util import record
from ._core import LogPage, read_page

__all__ = ["NON_VOLATILE_TIME_NAMES", "NonVolatileCachePage", "decode_non_volatile_cache_page",
           "non_volatile_time_name"]

_FIELDS = {0x0000: "remaining_non_volatile_time", 0x0001: "maximum_non_volatile_time"}

#: The special minute values (SBC-3 tables 188 and 189).
NON_VOLATILE_TIME_NAMES: Dict[str, Dict[int, str]] = {
    "remaining_non_volatile_time": {0: "volatile", 1: "unknown", 0xFFFFFF: "indefinite"},
    "maximum_non_volatile_time": {0: "volatile", 1: "reserved", 0xFFFFFF: "indefinite"},
}


def non_volatile_time_name(field: str, minutes: Optional[int]) -> Optional[str]:
    """"volatile", "unknown", "indefinite" for the special values; None for a time in minutes."""
    if minutes is None:
        return None
    return NON_VOLATILE_TIME_NAMES[field].get(minutes)


@record
class NonVolatileCachePage(LogPage):
    """Non-volatile cache log page, 17h.  Times in minutes; see :func:`non_volatile_time_name`."""

    remaining_non_volatile_time: Optional[int] = None
    maximum_non_volatile_time: Optional[int] = None


def decode_non_volatile_cache_page(data: bytes) -> NonVolatileCachePage:
    r, f = read_page(data, "Non-volatile cache log page",
                     {code: name.replace("_", " ") for code, name in _FIELDS.items()})
    values: Dict[str, int] = {}
    for p in f["parameters"]:
        field = _FIELDS.get(p.parameter_code)
        if field is None:
            continue
        if len(p.value) < 4:
            r.problem(f"parameter {p.parameter_code:04x}h ({field}) has {len(p.value)} of 4 bytes")
            continue
        values[field] = int.from_bytes(p.value[1:4], "big")
    return NonVolatileCachePage(problems=tuple(r.problems), **values, **f)
