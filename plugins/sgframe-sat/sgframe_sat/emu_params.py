"""The ``emu:sata`` URI parameters, apart from the drive so that registering the kind
imports nothing heavy."""
from __future__ import annotations

from sgframe.emu.uri import boolean, integer, text

__all__ = ["SATA_PARAMETERS"]


def _byte(value: str) -> int:
    number = integer(value)
    if not 0 <= number <= 0xFF:
        raise ValueError("a temperature is 0..255 degrees Celsius")
    return number


def _power_mode(value: str) -> int:
    mode = integer(value)
    if not 0 <= mode <= 0xFF:
        raise ValueError("a power mode is 0..255")
    return mode


SATA_PARAMETERS = {"blocks": integer, "model": text, "serial": text, "firmware": text,
                   "smart_ok": boolean, "power_mode": _power_mode, "dsense": boolean,
                   "temperature": _byte, "power_on_hours": integer}
