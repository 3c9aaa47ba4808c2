"""SPC-5 commands every logical unit knows and every test loop sends: TEST UNIT READY and
REQUEST SENSE.

The other SPC commands live beside them, by topic: INQUIRY (:mod:`.identity`), the reports
of LUNs, operation codes, task management functions and target port groups
(:mod:`.reports`), mode and log pages, diagnostics and buffers, power. A program that sends
TEST UNIT READY builds two command classes, not twenty (each costs attrs a fraction of a
millisecond, paid by every start of the command line).
Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from .._lazy import attach
from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "RequestSense",
    "TestUnitReady",
]


@define
class TestUnitReady(Command):
    """TEST UNIT READY (SPC-5).

    ====  ==================
    byte  fields
    ====  ==================
    0     OPERATION CODE (00h)
    1-4   reserved
    5     CONTROL
    ====  ==================
    """

    __test__ = False  # pytest: this is a CDB, not a test class
    OPCODE = 0x00
    NAME = "TEST UNIT READY"
    CDB_LENGTH = 6
    control: int = field(byte=5)


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

#: Where the commands this module declared until they moved by topic now live:
#: ``from sgframe.command.spc import Inquiry`` keeps working, importing only that module.
__getattr__, __dir__ = attach(__name__, {
    "Inquiry": ("sgframe.command.identity", "Inquiry"),
    **{name: ("sgframe.command.reports", name) for name in (
        "ReportLuns", "ReportSupportedOperationCodes", "ReportSupportedTaskManagementFunctions",
        "ReportTargetPortGroups")},
})
