"""SPC-5 TEST UNIT READY, the command every logical unit knows and every test loop sends.

The other SPC commands live beside it, by topic: INQUIRY (:mod:`.identity`), REQUEST SENSE
(:mod:`.request_sense`), the reports of LUNs, operation codes, task management functions
and target port groups (:mod:`.reports`), mode and log pages, diagnostics and buffers,
power. A program that sends TEST UNIT READY builds one command class, not twenty (each
costs attrs a fraction of a millisecond, paid by every start of the command line).
Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from .._lazy import attach
from ..cdb import Command, define, field

__all__ = [
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



COMMANDS = tuple(globals()[name] for name in __all__)

#: Where the commands this module declared until they moved by topic now live:
#: ``from sgframe.command.spc import Inquiry`` keeps working, importing only that module.
__getattr__, __dir__ = attach(__name__, {
    "Inquiry": ("sgframe.command.identity", "Inquiry"),
    "RequestSense": ("sgframe.command.request_sense", "RequestSense"),
    **{name: ("sgframe.command.reports", name) for name in (
        "ReportLuns", "ReportSupportedOperationCodes", "ReportSupportedTaskManagementFunctions",
        "ReportTargetPortGroups")},
})
