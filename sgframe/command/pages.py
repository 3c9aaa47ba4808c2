"""SPC-5 MODE SENSE / MODE SELECT (6 and 10) and LOG SENSE / LOG SELECT.

Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "LogSelect",
    "LogSense",
    "ModeSelect10",
    "ModeSelect6",
    "ModeSense10",
    "ModeSense6",
]


@define
class ModeSense6(Command):
    """MODE SENSE(6) (SPC-5).

    ====  =================================================
    byte  fields
    ====  =================================================
    0     OPERATION CODE (1Ah)
    1     reserved (7-4), DBD (3), reserved (2-0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4     ALLOCATION LENGTH
    5     CONTROL
    ====  =================================================
    """

    OPCODE = 0x1A
    NAME = "MODE SENSE(6)"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    dbd: bool = flag(byte=1, bit=3)
    pc: int = field(byte=2, bit=7, width=2)
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    allocation_length: int = field(byte=4, default=252)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """The mode parameter list: header, block descriptors, pages."""
        from ..decode import decode_mode_parameters

        return decode_mode_parameters(data, ten=False)


@define
class ModeSense10(Command):
    """MODE SENSE(10) (SPC-5).

    ====  =================================================
    byte  fields
    ====  =================================================
    0     OPERATION CODE (5Ah)
    1     reserved (7-5), LLBAA (4), DBD (3), reserved (2-0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4-6   reserved
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  =================================================
    """

    OPCODE = 0x5A
    NAME = "MODE SENSE(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    llbaa: bool = flag(byte=1, bit=4)
    dbd: bool = flag(byte=1, bit=3)
    pc: int = field(byte=2, bit=7, width=2)
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    allocation_length: int = field(byte=7, width=16, default=4096)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """The mode parameter list: header, block descriptors, pages."""
        from ..decode import decode_mode_parameters

        return decode_mode_parameters(data, ten=True)


@define
class ModeSelect6(Command):
    """MODE SELECT(6) (SPC-5).

    ====  ========================================================
    byte  fields
    ====  ========================================================
    0     OPERATION CODE (15h)
    1     reserved (7-5), PF (4), reserved (3-2), RTD (1), SP (0)
    2-3   reserved
    4     PARAMETER LIST LENGTH
    5     CONTROL
    ====  ========================================================
    """

    OPCODE = 0x15
    NAME = "MODE SELECT(6)"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    pf: bool = flag(byte=1, bit=4)
    rtd: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    parameter_list_length: int = field(byte=4)
    control: int = field(byte=5)


@define
class ModeSelect10(Command):
    """MODE SELECT(10) (SPC-5).

    ====  ========================================================
    byte  fields
    ====  ========================================================
    0     OPERATION CODE (55h)
    1     reserved (7-5), PF (4), reserved (3-2), RTD (1), SP (0)
    2-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ========================================================
    """

    OPCODE = 0x55
    NAME = "MODE SELECT(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    pf: bool = flag(byte=1, bit=4)
    rtd: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class LogSense(Command):
    """LOG SENSE (SPC-5).

    ====  ====================================================
    byte  fields
    ====  ====================================================
    0     OPERATION CODE (4Dh)
    1     reserved (7-2), PPC (1), SP (0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4     reserved
    5-6   PARAMETER POINTER
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  ====================================================
    """

    OPCODE = 0x4D
    NAME = "LOG SENSE"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    ppc: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    pc: int = field(byte=2, bit=7, width=2, default=1)  # 01b: cumulative values
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    parameter_pointer: int = field(byte=5, width=16)
    allocation_length: int = field(byte=7, width=16, default=4096)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """The log page returned."""
        from ..decode import decode_log_page

        return decode_log_page(data)


@define
class LogSelect(Command):
    """LOG SELECT (SPC-5).

    ====  ==========================================
    byte  fields
    ====  ==========================================
    0     OPERATION CODE (4Ch)
    1     reserved (7-2), PCR (1), SP (0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ==========================================
    """

    OPCODE = 0x4C
    NAME = "LOG SELECT"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    pcr: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    pc: int = field(byte=2, bit=7, width=2, default=1)
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


COMMANDS = tuple(globals()[name] for name in __all__)
