"""Statistics and performance log pages (SPC-5 7.3.23-7.3.25): general (19h/00h), group n
(19h/01h-1Fh) and cache memory statistics (19h/20h).

Each parameter holds several eight-byte counters; :data:`_PARAMETERS` lists them per page
as (field, offset in the parameter value, size) in T10 order.
"""
from __future__ import annotations

from typing import Dict, Mapping, Optional, Tuple

from .._util import record
from ._core import LogPage, LogParameter, read_page

__all__ = [
    "GeneralStatisticsAndPerformancePage",
    "GroupStatisticsAndPerformancePage",
    "CacheMemoryStatisticsPage",
    "decode_general_statistics_page",
    "decode_group_statistics_page",
    "decode_cache_memory_statistics_page",
]

Fields = Tuple[Tuple[str, int, int], ...]


def _eights(*names: str) -> Fields:
    return tuple((name, 8 * i, 8) for i, name in enumerate(names))


_TIME_INTERVAL: Fields = (("time_interval_exponent", 0, 4), ("time_interval_integer", 4, 4))

_GENERAL: Dict[int, Fields] = {
    0x0001: _eights("number_of_read_commands", "number_of_write_commands",
                    "number_of_logical_blocks_received", "number_of_logical_blocks_transmitted",
                    "read_command_processing_intervals", "write_command_processing_intervals",
                    "weighted_number_of_read_commands_plus_write_commands",
                    "weighted_read_command_processing_plus_write_command_processing"),
    0x0002: _eights("idle_time_intervals"),
    0x0003: _TIME_INTERVAL,
    0x0004: _eights("number_of_read_fua_commands", "number_of_write_fua_commands",
                    "number_of_read_fua_nv_commands", "number_of_write_fua_nv_commands",
                    "read_fua_command_processing_intervals", "write_fua_command_processing_intervals",
                    "read_fua_nv_command_processing_intervals", "write_fua_nv_command_processing_intervals"),
}

_GROUP: Dict[int, Fields] = {
    0x0001: _GENERAL[0x0001][:6],
    0x0004: _GENERAL[0x0004],
}

_CACHE: Dict[int, Fields] = {
    0x0001: _eights("read_cache_memory_hits"),
    0x0002: _eights("reads_to_cache_memory"),
    0x0003: _eights("write_cache_memory_hits"),
    0x0004: _eights("writes_from_cache_memory"),
    0x0005: _eights("time_from_last_hard_reset"),
    0x0006: _TIME_INTERVAL,
}


def _values(r, parameters: Tuple[LogParameter, ...], layout: Mapping[int, Fields]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for p in parameters:
        fields = layout.get(p.parameter_code)
        if fields is None:
            continue
        need = max(offset + size for _, offset, size in fields)
        if len(p.value) < need:
            r.problem(f"parameter {p.parameter_code:04x}h has {len(p.value)} of {need} bytes")
        for name, offset, size in fields:
            if offset + size <= len(p.value):
                out[name] = int.from_bytes(p.value[offset:offset + size], "big")
    return out


def _names(layout: Mapping[int, Fields]) -> Dict[int, str]:
    return {code: fields[0][0].replace("_", " ") for code, fields in layout.items()}


@record
class GeneralStatisticsAndPerformancePage(LogPage):
    """General statistics and performance, 19h/00h (SPC-5 7.3.23).  Intervals count time
    intervals of TIME INTERVAL INTEGER x 10^-TIME INTERVAL EXPONENT seconds."""

    number_of_read_commands: Optional[int] = None
    number_of_write_commands: Optional[int] = None
    number_of_logical_blocks_received: Optional[int] = None
    number_of_logical_blocks_transmitted: Optional[int] = None
    read_command_processing_intervals: Optional[int] = None
    write_command_processing_intervals: Optional[int] = None
    weighted_number_of_read_commands_plus_write_commands: Optional[int] = None
    weighted_read_command_processing_plus_write_command_processing: Optional[int] = None
    idle_time_intervals: Optional[int] = None
    time_interval_exponent: Optional[int] = None
    time_interval_integer: Optional[int] = None
    number_of_read_fua_commands: Optional[int] = None
    number_of_write_fua_commands: Optional[int] = None
    number_of_read_fua_nv_commands: Optional[int] = None
    number_of_write_fua_nv_commands: Optional[int] = None
    read_fua_command_processing_intervals: Optional[int] = None
    write_fua_command_processing_intervals: Optional[int] = None
    read_fua_nv_command_processing_intervals: Optional[int] = None
    write_fua_nv_command_processing_intervals: Optional[int] = None


@record
class GroupStatisticsAndPerformancePage(LogPage):
    """Group n statistics and performance, 19h/01h-1Fh (SPC-5 7.3.24); n is the subpage."""

    number_of_read_commands: Optional[int] = None
    number_of_write_commands: Optional[int] = None
    number_of_logical_blocks_received: Optional[int] = None
    number_of_logical_blocks_transmitted: Optional[int] = None
    read_command_processing_intervals: Optional[int] = None
    write_command_processing_intervals: Optional[int] = None
    number_of_read_fua_commands: Optional[int] = None
    number_of_write_fua_commands: Optional[int] = None
    number_of_read_fua_nv_commands: Optional[int] = None
    number_of_write_fua_nv_commands: Optional[int] = None
    read_fua_command_processing_intervals: Optional[int] = None
    write_fua_command_processing_intervals: Optional[int] = None
    read_fua_nv_command_processing_intervals: Optional[int] = None
    write_fua_nv_command_processing_intervals: Optional[int] = None


@record
class CacheMemoryStatisticsPage(LogPage):
    """Cache memory statistics, 19h/20h (SPC-5 7.3.5).  The Seagate cache page (37h) is
    the sgframe-seagate plugin's."""

    read_cache_memory_hits: Optional[int] = None
    reads_to_cache_memory: Optional[int] = None
    write_cache_memory_hits: Optional[int] = None
    writes_from_cache_memory: Optional[int] = None
    time_from_last_hard_reset: Optional[int] = None
    time_interval_exponent: Optional[int] = None
    time_interval_integer: Optional[int] = None


def decode_general_statistics_page(data: bytes) -> GeneralStatisticsAndPerformancePage:
    r, f = read_page(data, "General statistics and performance log page", _names(_GENERAL))
    values = _values(r, f["parameters"], _GENERAL)
    return GeneralStatisticsAndPerformancePage(problems=tuple(r.problems), **values, **f)


def decode_group_statistics_page(data: bytes) -> GroupStatisticsAndPerformancePage:
    r, f = read_page(data, "Group statistics and performance log page", _names(_GROUP))
    values = _values(r, f["parameters"], _GROUP)
    return GroupStatisticsAndPerformancePage(problems=tuple(r.problems), **values, **f)


def decode_cache_memory_statistics_page(data: bytes) -> CacheMemoryStatisticsPage:
    r, f = read_page(data, "Cache memory statistics log page", _names(_CACHE))
    values = _values(r, f["parameters"], _CACHE)
    return CacheMemoryStatisticsPage(problems=tuple(r.problems), **values, **f)


