"""Command duration limits statistics, 19h/21h (SPC-6 7.3.8): per command duration limit
descriptor of the CDL T2A and T2B mode pages (0Ah/07h, 0Ah/08h), how many commands missed
their limits.

Two layouts exist and are told apart by the parameter length, since the codes overlap:

* SPC-6 as published (sg3_utils 1.48 on): ACHIEVABLE LATENCY TARGET (0001h, microseconds);
  T2A descriptors 1-7 at 0021h-0027h and T2B at 0041h-0047h, four 4-byte counters each
  (16 bytes); 0011h-0017h and 0031h-0037h are restricted.
* The spc6r01 draft (sg3_utils 1.46's sg_logs and early drives): T2A at 0011h-0017h and
  T2B at 0021h-0027h, eight 4-byte counters each (32 bytes); 0001h is eight bytes.
"""
from __future__ import annotations

from typing import Optional, Tuple

from .._util import Record, record
from ._core import LogPage, read_page

__all__ = ["CommandDurationLimitStatistics", "CommandDurationLimitsStatisticsPage",
           "decode_command_duration_limits_statistics_page"]

# Counters in parameter order (after the 4-byte parameter header), 4 bytes each.
_SPC6 = ("number_of_inactive_target_miss_commands", "number_of_active_target_miss_commands",
         "number_of_inactive_target_and_active_target_miss_commands", "number_of_commands")
_DRAFT = ("number_of_inactive_target_miss_commands", "number_of_active_target_miss_commands",
          "number_of_latency_miss_commands", "number_of_nonconforming_miss_commands",
          "number_of_predictive_latency_miss_commands", "number_of_latency_misses_attributable_to_errors",
          "number_of_latency_misses_attributable_to_deferred_errors",
          "number_of_latency_misses_attributable_to_background_operations")

# (first parameter code, mode page) of each layout; descriptor n is first + n - 1.
_SPC6_CODES = ((0x0021, "CDL T2A"), (0x0041, "CDL T2B"))
_DRAFT_CODES = ((0x0011, "CDL T2A"), (0x0021, "CDL T2B"))


@record
class CommandDurationLimitStatistics(Record):
    """The counters of one command duration limit descriptor; those of the other layout
    are None.  ``layout`` is "SPC-6" or "spc6r01"."""

    parameter_code: int
    mode_page: str
    command_duration_limit_descriptor: int
    layout: str
    number_of_inactive_target_miss_commands: Optional[int] = None
    number_of_active_target_miss_commands: Optional[int] = None
    number_of_inactive_target_and_active_target_miss_commands: Optional[int] = None
    number_of_commands: Optional[int] = None
    number_of_latency_miss_commands: Optional[int] = None
    number_of_nonconforming_miss_commands: Optional[int] = None
    number_of_predictive_latency_miss_commands: Optional[int] = None
    number_of_latency_misses_attributable_to_errors: Optional[int] = None
    number_of_latency_misses_attributable_to_deferred_errors: Optional[int] = None
    number_of_latency_misses_attributable_to_background_operations: Optional[int] = None


@record
class CommandDurationLimitsStatisticsPage(LogPage):
    """Command duration limits statistics log page, 19h/21h."""

    achievable_latency_target: Optional[int] = None
    statistics: Tuple[CommandDurationLimitStatistics, ...] = ()


def _where(code: int, codes) -> Optional[Tuple[str, int]]:
    for first, page in codes:
        if first <= code < first + 7:
            return page, code - first + 1
    return None


def decode_command_duration_limits_statistics_page(data: bytes) -> CommandDurationLimitsStatisticsPage:
    r, f = read_page(data, "Command duration limits statistics log page")
    target = None
    found = []
    for p in f["parameters"]:
        code, value = p.parameter_code, bytes(p.value)
        if code == 0x0001:
            target = int.from_bytes(value, "big") if value else None
            continue
        if len(value) >= 32:
            layout, names, where = "spc6r01", _DRAFT, _where(code, _DRAFT_CODES)
        else:
            layout, names, where = "SPC-6", _SPC6, _where(code, _SPC6_CODES)
        if where is None:
            continue  # restricted codes, or vendor specific: kept in ``parameters``
        if len(value) < 4 * len(names):
            r.problem(f"parameter {code:04x}h has {len(value)} of {4 * len(names)} bytes")
        counters = {name: int.from_bytes(value[4 * i:4 * i + 4], "big")
                    for i, name in enumerate(names) if 4 * i + 4 <= len(value)}
        found.append(CommandDurationLimitStatistics(parameter_code=code, mode_page=where[0],
                                                    command_duration_limit_descriptor=where[1], layout=layout,
                                                    **counters))
    return CommandDurationLimitsStatisticsPage(achievable_latency_target=target, statistics=tuple(found),
                                               problems=tuple(r.problems), **f)
