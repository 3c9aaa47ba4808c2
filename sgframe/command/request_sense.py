"""SPC-5 REQUEST SENSE: the sense data of the last failure, or a unit's progress and state.

Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "RequestSense",
]


@define
class RequestSense(Command):
    """REQUEST SENSE (SPC-5).

    ====  ==========================
    byte  fields
    ====  ==========================
    0     OPERATION CODE (03h)
    1     reserved (7-1), DESC (0)
    2-3   reserved
    4     ALLOCATION LENGTH
    5     CONTROL
    ====  ==========================
    """

    OPCODE = 0x03
    NAME = "REQUEST SENSE"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    desc: bool = flag(byte=1, bit=0)
    allocation_length: int = field(byte=4, default=252)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """The sense data the device returned as parameter data."""
        from ..sense import decode_sense

        return decode_sense(data)


COMMANDS = tuple(globals()[name] for name in __all__)
