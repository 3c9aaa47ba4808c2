"""SPC-5 INQUIRY: the standard inquiry data and the vital product data pages.

Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "Inquiry",
]


@define
class Inquiry(Command):
    """INQUIRY (SPC-5).

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (12h)
    1     reserved (7-2), obsolete CMDDT (1), EVPD (0)
    2     PAGE CODE
    3-4   ALLOCATION LENGTH
    5     CONTROL
    ====  ==================================================
    """

    OPCODE = 0x12
    NAME = "INQUIRY"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    evpd: bool = flag(byte=1, bit=0)
    page_code: int = field(byte=2)
    allocation_length: int = field(byte=3, width=16, default=96)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """Standard INQUIRY data, or the VPD page asked for when ``evpd`` is set."""
        if self.evpd:
            from ..decode import decode_vpd

            return decode_vpd(data)
        from ..decode import decode_inquiry

        return decode_inquiry(data)


COMMANDS = tuple(globals()[name] for name in __all__)
