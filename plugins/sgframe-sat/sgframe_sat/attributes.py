"""SMART attributes as ``smartctl -a`` shows them: names, the TYPE and UPDATED columns from
the flags, WHEN_FAILED from value, worst and threshold, and the raw value's usual reading.

The attribute numbers are not in any ATA standard; their names are the de-facto ones
smartmontools' default table uses, the words a user searches for.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import attrs

from .smart import SmartAttribute, SmartData, SmartThresholds

__all__ = ["ATTRIBUTE_NAMES", "AttributeRow", "attribute_rows", "when_failed", "raw_text"]

ATTRIBUTE_NAMES: Dict[int, str] = {
    1: "Raw_Read_Error_Rate", 2: "Throughput_Performance", 3: "Spin_Up_Time", 4: "Start_Stop_Count",
    5: "Reallocated_Sector_Ct", 7: "Seek_Error_Rate", 8: "Seek_Time_Performance", 9: "Power_On_Hours",
    10: "Spin_Retry_Count", 11: "Calibration_Retry_Count", 12: "Power_Cycle_Count",
    13: "Read_Soft_Error_Rate", 183: "Runtime_Bad_Block", 184: "End-to-End_Error",
    187: "Reported_Uncorrect", 188: "Command_Timeout", 189: "High_Fly_Writes",
    190: "Airflow_Temperature_Cel", 191: "G-Sense_Error_Rate", 192: "Power-Off_Retract_Count",
    193: "Load_Cycle_Count", 194: "Temperature_Celsius", 195: "Hardware_ECC_Recovered",
    196: "Reallocated_Event_Count", 197: "Current_Pending_Sector", 198: "Offline_Uncorrectable",
    199: "UDMA_CRC_Error_Count", 200: "Multi_Zone_Error_Rate", 240: "Head_Flying_Hours",
    241: "Total_LBAs_Written", 242: "Total_LBAs_Read",
}
# Attributes whose low byte is a temperature, with minimum and maximum in bytes 2 and 4.
_TEMPERATURES = (190, 194)
# Attributes whose raw value is 24 bits of hours, the rest milliseconds or minutes.
_HOURS = (9, 240)


def when_failed(value: int, worst: int, threshold: Optional[int]) -> str:
    """smartctl's WHEN_FAILED: ``FAILING_NOW`` when the value is at or below a non-zero
    threshold, ``In_the_past`` when the worst value was, ``-`` otherwise."""
    if not threshold:
        return "-"
    if value <= threshold:
        return "FAILING_NOW"
    if worst <= threshold:
        return "In_the_past"
    return "-"


def raw_text(attribute_id: int, raw: int) -> str:
    """The raw value the way smartctl's default formats read it."""
    if attribute_id in _TEMPERATURES:
        text = str(raw & 0xFF)
        low, high = raw >> 16 & 0xFF, raw >> 32 & 0xFF
        if low or high:
            text += f" (Min/Max {low}/{high})"
        return text
    if attribute_id in _HOURS:
        hours, rest = raw & 0xFFFFFF, raw >> 24
        return f"{hours}" + (f" ({rest})" if rest else "")
    return str(raw)


@attrs.frozen
class AttributeRow:
    """One line of the attribute table."""

    id: int
    name: str
    flags: int
    value: int
    worst: int
    threshold: Optional[int]
    type: str
    updated: str
    when_failed: str
    raw_value: int
    raw_text: str


def _row(a: SmartAttribute, thresholds: Dict[int, int]) -> AttributeRow:
    threshold = thresholds.get(a.id)
    return AttributeRow(
        id=a.id, name=ATTRIBUTE_NAMES.get(a.id, "Unknown_Attribute"), flags=a.flags, value=a.current,
        worst=a.worst, threshold=threshold, type="Pre-fail" if a.prefailure else "Old_age",
        # Flag bit 1 (ONLINE): updated during normal operation, not only by off-line collection.
        updated="Always" if a.flags & 0x02 else "Offline",
        when_failed=when_failed(a.current, a.worst, threshold), raw_value=a.raw_value,
        raw_text=raw_text(a.id, a.raw_value))


def attribute_rows(data: SmartData, thresholds: SmartThresholds) -> Tuple[AttributeRow, ...]:
    """The attribute table: each attribute with its threshold (matched by ID)."""
    table = thresholds.as_dict()
    return tuple(_row(a, table) for a in data.attributes)
