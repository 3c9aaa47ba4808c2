"""Temperature (0Dh), environmental reporting (0Dh/01h), environmental limits (0Dh/02h) and
informational exceptions (2Fh): SPC-5 7.3.21, 7.3.7, 7.3.6, 7.3.10.

The temperature page and the informational exceptions page carry unsigned degrees with FFh
for "no reading"; the environmental pages (newer) carry signed degrees with 80h (-128) for
"not available" or "no limit", and relative humidity in percent with FFh for the same.
"""
from __future__ import annotations

from typing import Optional, Tuple

from .._util import Record, record
from ._core import LogPage, LogParameter, read_page, signed_byte

__all__ = [
    "TemperaturePage",
    "TemperatureReport",
    "RelativeHumidityReport",
    "EnvironmentalReportingPage",
    "TemperatureLimits",
    "RelativeHumidityLimits",
    "EnvironmentalLimitsPage",
    "InformationalExceptionsPage",
    "decode_temperature_page",
    "decode_environmental_reporting_page",
    "decode_environmental_limits_page",
    "decode_informational_exceptions_page",
]


@record
class TemperaturePage(LogPage):
    """Temperature (SPC-5 7.3.21), degrees Celsius; ``None`` where the device sent FFh."""

    temperature: Optional[int] = None
    reference_temperature: Optional[int] = None


def _celsius(p: Optional[LogParameter]) -> Optional[int]:
    # Byte 5 of the parameter (value byte 1); FFh means no valid reading.
    if p is None or len(p.value) < 2 or p.value[1] == 0xFF:
        return None
    return p.value[1]


def decode_temperature_page(data: bytes) -> TemperaturePage:
    r, f = read_page(data, "Temperature log page", {0x0000: "temperature", 0x0001: "reference temperature"})
    page = LogPage(parameters=f["parameters"])
    return TemperaturePage(
        temperature=_celsius(page.parameter(0x0000)),
        reference_temperature=_celsius(page.parameter(0x0001)),
        problems=tuple(r.problems),
        **f,
    )


def _humidity(value: int) -> Optional[int]:
    # 0..100 percent; FFh is "not available" (or "no limit"), 101..FEh reserved.
    return None if value > 100 else value


@record
class TemperatureReport(Record):
    """Temperature report log parameter, codes 0000h-00FFh (SPC-5 7.3.7.2).

    The other temperatures are valid only with OTV set; without it they are ``None``.
    """

    parameter_code: int
    otv: bool
    temperature: Optional[int]
    lifetime_maximum_temperature: Optional[int]
    lifetime_minimum_temperature: Optional[int]
    maximum_temperature_since_power_on: Optional[int]
    minimum_temperature_since_power_on: Optional[int]
    maximum_other_temperature: Optional[int]
    minimum_other_temperature: Optional[int]


@record
class RelativeHumidityReport(Record):
    """Relative humidity report log parameter, codes 0100h-01FFh (SPC-5 7.3.7.3); the other
    relative humidities are valid only with ORHV set."""

    parameter_code: int
    orhv: bool
    relative_humidity: Optional[int]
    lifetime_maximum_relative_humidity: Optional[int]
    lifetime_minimum_relative_humidity: Optional[int]
    maximum_relative_humidity_since_power_on: Optional[int]
    minimum_relative_humidity_since_power_on: Optional[int]
    maximum_other_relative_humidity: Optional[int]
    minimum_other_relative_humidity: Optional[int]


@record
class EnvironmentalReportingPage(LogPage):
    """Environmental reporting, 0Dh/01h (SPC-5 7.3.7)."""

    temperature_reports: Tuple[TemperatureReport, ...] = ()
    relative_humidity_reports: Tuple[RelativeHumidityReport, ...] = ()


def decode_environmental_reporting_page(data: bytes) -> EnvironmentalReportingPage:
    r, f = read_page(data, "Environmental reporting log page")
    temperatures, humidities = [], []
    for p in f["parameters"]:
        v = p.value
        if p.parameter_code >= 0x200:
            r.problem(f"parameter {p.parameter_code:04x}h is reserved (0000h-01FFh allowed)")
            continue
        if len(v) < 8:
            r.problem(f"parameter {p.parameter_code:04x}h has {len(v)} of 8 bytes")
            continue
        if p.parameter_code < 0x100:
            temperatures.append(TemperatureReport(
                parameter_code=p.parameter_code, otv=bool(v[0] & 1),
                temperature=signed_byte(v[1]),
                lifetime_maximum_temperature=signed_byte(v[2]),
                lifetime_minimum_temperature=signed_byte(v[3]),
                maximum_temperature_since_power_on=signed_byte(v[4]),
                minimum_temperature_since_power_on=signed_byte(v[5]),
                maximum_other_temperature=signed_byte(v[6]) if v[0] & 1 else None,
                minimum_other_temperature=signed_byte(v[7]) if v[0] & 1 else None,
            ))
        else:
            humidities.append(RelativeHumidityReport(
                parameter_code=p.parameter_code, orhv=bool(v[0] & 1),
                relative_humidity=_humidity(v[1]),
                lifetime_maximum_relative_humidity=_humidity(v[2]),
                lifetime_minimum_relative_humidity=_humidity(v[3]),
                maximum_relative_humidity_since_power_on=_humidity(v[4]),
                minimum_relative_humidity_since_power_on=_humidity(v[5]),
                maximum_other_relative_humidity=_humidity(v[6]) if v[0] & 1 else None,
                minimum_other_relative_humidity=_humidity(v[7]) if v[0] & 1 else None,
            ))
    return EnvironmentalReportingPage(temperature_reports=tuple(temperatures),
                                      relative_humidity_reports=tuple(humidities),
                                      problems=tuple(r.problems), **f)


_LIMITS = ("high_critical_{0}_limit_trigger", "high_critical_{0}_limit_reset",
           "low_critical_{0}_limit_reset", "low_critical_{0}_limit_trigger",
           "high_operating_{0}_limit_trigger", "high_operating_{0}_limit_reset",
           "low_operating_{0}_limit_reset", "low_operating_{0}_limit_trigger")


@record
class TemperatureLimits(Record):
    """Temperature limits log parameter, codes 0000h-00FFh (SPC-5 7.3.6.2); ``None`` is no limit."""

    parameter_code: int
    high_critical_temperature_limit_trigger: Optional[int]
    high_critical_temperature_limit_reset: Optional[int]
    low_critical_temperature_limit_reset: Optional[int]
    low_critical_temperature_limit_trigger: Optional[int]
    high_operating_temperature_limit_trigger: Optional[int]
    high_operating_temperature_limit_reset: Optional[int]
    low_operating_temperature_limit_reset: Optional[int]
    low_operating_temperature_limit_trigger: Optional[int]


@record
class RelativeHumidityLimits(Record):
    """Relative humidity limits log parameter, codes 0100h-01FFh (SPC-5 7.3.6.3)."""

    parameter_code: int
    high_critical_relative_humidity_limit_trigger: Optional[int]
    high_critical_relative_humidity_limit_reset: Optional[int]
    low_critical_relative_humidity_limit_reset: Optional[int]
    low_critical_relative_humidity_limit_trigger: Optional[int]
    high_operating_relative_humidity_limit_trigger: Optional[int]
    high_operating_relative_humidity_limit_reset: Optional[int]
    low_operating_relative_humidity_limit_reset: Optional[int]
    low_operating_relative_humidity_limit_trigger: Optional[int]


@record
class EnvironmentalLimitsPage(LogPage):
    """Environmental limits, 0Dh/02h (SPC-5 7.3.6)."""

    temperature_limits: Tuple[TemperatureLimits, ...] = ()
    relative_humidity_limits: Tuple[RelativeHumidityLimits, ...] = ()


def decode_environmental_limits_page(data: bytes) -> EnvironmentalLimitsPage:
    r, f = read_page(data, "Environmental limits log page")
    temperatures, humidities = [], []
    for p in f["parameters"]:
        v = p.value
        if p.parameter_code >= 0x200:
            r.problem(f"parameter {p.parameter_code:04x}h is reserved (0000h-01FFh allowed)")
            continue
        if len(v) < 8:
            r.problem(f"parameter {p.parameter_code:04x}h has {len(v)} of 8 bytes")
            continue
        if p.parameter_code < 0x100:
            values = {name.format("temperature"): signed_byte(b) for name, b in zip(_LIMITS, v)}
            temperatures.append(TemperatureLimits(parameter_code=p.parameter_code, **values))
        else:
            values = {name.format("relative_humidity"): _humidity(b) for name, b in zip(_LIMITS, v)}
            humidities.append(RelativeHumidityLimits(parameter_code=p.parameter_code, **values))
    return EnvironmentalLimitsPage(temperature_limits=tuple(temperatures),
                                   relative_humidity_limits=tuple(humidities),
                                   problems=tuple(r.problems), **f)


@record
class InformationalExceptionsPage(LogPage):
    """Informational exceptions (SPC-5 7.3.10), parameter 0000h.  Temperature in Celsius."""

    informational_exception_additional_sense_code: Optional[int] = None
    informational_exception_additional_sense_code_qualifier: Optional[int] = None
    most_recent_temperature_reading: Optional[int] = None


def decode_informational_exceptions_page(data: bytes) -> InformationalExceptionsPage:
    r, f = read_page(data, "Informational exceptions log page", {0x0000: "informational exceptions general"})
    more: dict = {}
    general = LogPage(parameters=f["parameters"]).parameter(0x0000)
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
    return InformationalExceptionsPage(problems=tuple(r.problems), **more, **f)
