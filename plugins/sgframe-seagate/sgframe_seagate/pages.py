"""Seagate's vendor log pages, as smartmontools reads them (scsiprint.cpp).

* 37h, cache statistics: parameter 0000h blocks sent to the initiator, 0001h blocks
  received from it, 0002h blocks read from cache and sent to it, 0003h read and write
  commands no longer than the segment size, 0004h those longer.
* 3Eh, factory log (Seagate and Hitachi): parameter 0000h power-on time in minutes,
  0008h minutes until the next internal SMART test.

Each value is an unsigned big-endian integer as long as its parameter. The standard log
page header and parameter headers are decoded by sgframe; parameters these pages do not
define are kept in ``parameters`` and named in ``problems``.
"""
from __future__ import annotations

from typing import Optional, Tuple

import attrs

from sgframe.decode import LogPage, LogParameter
from sgframe.decode.log import decode_generic_log_page

from .codes import CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE

__all__ = [
    "CACHE_STATISTICS_PAGE", "FACTORY_LOG_PAGE", "SeagateCacheStatistics", "SeagateFactoryLog",
    "decode_cache_statistics", "decode_factory_log",
]


_CACHE_NAMES = {
    0: "blocks_sent_to_initiator",
    1: "blocks_received_from_initiator",
    2: "blocks_read_from_cache",
    3: "commands_within_segment_size",
    4: "commands_beyond_segment_size",
}
_FACTORY_NAMES = {0: "power_on_minutes", 8: "minutes_until_next_smart_test"}


@attrs.frozen
class SeagateCacheStatistics:
    """Log page 37h of a Seagate drive."""

    blocks_sent_to_initiator: Optional[int] = None
    blocks_received_from_initiator: Optional[int] = None
    blocks_read_from_cache: Optional[int] = None
    commands_within_segment_size: Optional[int] = None
    commands_beyond_segment_size: Optional[int] = None
    parameters: Tuple[LogParameter, ...] = ()
    problems: Tuple[str, ...] = ()


@attrs.frozen
class SeagateFactoryLog:
    """Log page 3Eh of a Seagate (or Hitachi) drive."""

    power_on_minutes: Optional[int] = None
    minutes_until_next_smart_test: Optional[int] = None
    parameters: Tuple[LogParameter, ...] = ()
    problems: Tuple[str, ...] = ()

    @property
    def power_on_hours(self) -> Optional[float]:
        return None if self.power_on_minutes is None else self.power_on_minutes / 60


def _values(page: LogPage, expected: int, names: dict) -> Tuple[dict, list]:
    problems = list(page.problems)
    if page.page_code != expected:
        problems.append(f"page code {page.page_code!r} is not {expected:02X}h")
    values = {}
    for p in page.parameters:
        name = names.get(p.parameter_code)
        if name is None:
            problems.append(f"parameter {p.parameter_code:04X}h is not defined for page {expected:02X}h")
        elif name in values:
            problems.append(f"parameter {p.parameter_code:04X}h appears twice; the first is kept")
        else:
            values[name] = int.from_bytes(p.value, "big")
    return values, problems


def decode_cache_statistics(data: bytes) -> SeagateCacheStatistics:
    """Decode log page 37h; never raises on device data."""
    page = decode_generic_log_page(bytes(data))
    values, problems = _values(page, CACHE_STATISTICS_PAGE, _CACHE_NAMES)
    return SeagateCacheStatistics(parameters=page.parameters, problems=tuple(problems), **values)


def decode_factory_log(data: bytes) -> SeagateFactoryLog:
    """Decode log page 3Eh; never raises on device data."""
    page = decode_generic_log_page(bytes(data))
    values, problems = _values(page, FACTORY_LOG_PAGE, _FACTORY_NAMES)
    return SeagateFactoryLog(parameters=page.parameters, problems=tuple(problems), **values)
