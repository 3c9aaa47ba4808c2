"""START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL: power conditions and the medium.

Both follow SBC-4, which defines them for disks (PREVENT ALLOW MEDIUM REMOVAL is SPC-5's
too). Each class docstring carries the CDB table: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from ..cdb import Command, define, field, flag

__all__ = [
    "PreventAllowMediumRemoval",
    "StartStopUnit",
]


@define
class StartStopUnit(Command):
    """START STOP UNIT (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (1Bh)
    1     reserved (7-1), IMMED (0)
    2     reserved
    3     reserved (7-4), POWER CONDITION MODIFIER (3-0)
    4     POWER CONDITION (7-4), reserved (3), NO_FLUSH (2), LOEJ (1), START (0)
    5     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x1B
    NAME = "START STOP UNIT"
    CDB_LENGTH = 6
    immed: bool = flag(byte=1, bit=0)
    power_condition_modifier: int = field(byte=3, bit=3, width=4)
    power_condition: int = field(byte=4, bit=7, width=4)
    no_flush: bool = flag(byte=4, bit=2)
    loej: bool = flag(byte=4, bit=1)
    start: bool = flag(byte=4, bit=0)
    control: int = field(byte=5)


@define
class PreventAllowMediumRemoval(Command):
    """PREVENT ALLOW MEDIUM REMOVAL (SBC-4).

    ====  ===============================
    byte  fields
    ====  ===============================
    0     OPERATION CODE (1Eh)
    1-3   reserved
    4     reserved (7-2), PREVENT (1-0)
    5     CONTROL
    ====  ===============================
    """

    OPCODE = 0x1E
    NAME = "PREVENT ALLOW MEDIUM REMOVAL"
    CDB_LENGTH = 6
    prevent: int = field(byte=4, bit=1, width=2)
    control: int = field(byte=5)


COMMANDS = tuple(globals()[name] for name in __all__)
