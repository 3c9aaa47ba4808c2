"""What SAT sense data means: the ATA registers behind 00h/1Dh and descriptor 09h."""
from __future__ import annotations

from typing import Optional

from sgframe.plugins import Interpretation
from sgframe.sense import Sense

from .registers import ATA_INFORMATION_AVAILABLE, registers_from_sense

__all__ = ["interpret_sat_sense"]


def interpret_sat_sense(sense: Sense) -> Optional[Interpretation]:
    """An :class:`~sgframe.plugins.Interpretation` whose ``record`` is the
    :class:`~sgframe_sat.registers.AtaRegisters`, or None for sense data that carries no
    ATA registers."""
    registers = registers_from_sense(sense)
    if registers is None:
        return None
    if (sense.asc, sense.ascq) == ATA_INFORMATION_AVAILABLE:
        head = "ATA PASS THROUGH INFORMATION AVAILABLE"
    else:
        head = sense.asc_text
    verdict = "the ATA command failed" if registers.failed else "the ATA command completed"
    tail = "" if registers.complete else " (fixed format: COUNT and LBA truncated)"
    return Interpretation(text=f"{head}: {verdict}; {registers}{tail}", record=registers)
