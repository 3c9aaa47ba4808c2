"""SSC (tape) commands whose operation code a disk command already holds.

The registry (:data:`sgframe.command.REGISTRY`) maps one class to each operation code, and
04h is FORMAT UNIT there: a CDB decodes as the direct-access command. FORMAT MEDIUM shares
that code on a sequential-access device (peripheral device type 01h), so it is built from
here and sent by whoever knows the device is a tape (``sgframe format --tape``), and it is
kept out of the registry and its index (``_index.MODULES``) on purpose.
"""
from __future__ import annotations

from ..cdb import Command, Direction, define, field, flag

__all__ = ["FormatMedium", "FORMAT_MEDIUM_FORMATS", "SEQUENTIAL_ACCESS"]

#: Peripheral device type of a tape drive (SPC-5 table 6): FORMAT MEDIUM is defined for it.
SEQUENTIAL_ACCESS = 0x01

#: FORMAT MEDIUM's FORMAT field (SSC-4 table 25); 8h..Fh are vendor specific.
FORMAT_MEDIUM_FORMATS = {
    0x0: "use default format",
    0x1: "partition medium",
    0x2: "default format then partition",
}


@define
class FormatMedium(Command):
    """FORMAT MEDIUM (SSC-4): prepare the volume in a tape drive, optionally partitioning
    it as the medium partition mode page (11h) says. The parameter list TRANSFER LENGTH
    announces is vendor specific; sg_format sends none.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (04h)
    1     reserved (7-2), VERIFY (1), IMMED (0)
    2     reserved (7-4), FORMAT (3-0)
    3-4   TRANSFER LENGTH
    5     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x04
    NAME = "FORMAT MEDIUM"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "transfer_length"
    verify: bool = flag(byte=1, bit=1)
    immed: bool = flag(byte=1, bit=0)
    format: int = field(byte=2, bit=3, width=4)
    transfer_length: int = field(byte=3, width=16)
    control: int = field(byte=5)
