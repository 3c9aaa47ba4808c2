"""LOG SENSE of Seagate's vendor pages, as a command of this plugin (on ``channel.cmd``
of Seagate drives only)."""
from __future__ import annotations

from typing import Any

from sgframe.cdb import Command, Direction, define, field, flag

from .codes import CACHE_STATISTICS_PAGE, FACTORY_LOG_PAGE

__all__ = ["SeagateLogSense", "COMMANDS"]


@define
class SeagateLogSense(Command):
    """LOG SENSE (SPC-5 6.6) of a Seagate vendor page, 37h by default.

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (4Dh)
    1     reserved (7-1), obsolete SP (0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4     reserved
    5-6   PARAMETER POINTER
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  ==================================================
    """

    OPCODE = 0x4D
    NAME = "LOG SENSE (SEAGATE)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    sp: bool = flag(byte=1, bit=0)
    pc: int = field(byte=2, bit=7, width=2, default=1)
    page_code: int = field(byte=2, bit=5, width=6, default=CACHE_STATISTICS_PAGE)
    subpage_code: int = field(byte=3)
    parameter_pointer: int = field(byte=5, width=16)
    allocation_length: int = field(byte=7, width=16, default=252)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """The Seagate page record (37h, 3Eh), else sgframe's generic log page."""
        from .pages import decode_cache_statistics, decode_factory_log

        if self.page_code == CACHE_STATISTICS_PAGE:
            return decode_cache_statistics(data)
        if self.page_code == FACTORY_LOG_PAGE:
            return decode_factory_log(data)
        from sgframe.decode import decode_log_page

        return decode_log_page(data)


COMMANDS = (SeagateLogSense,)
