"""SPC-5 SEND DIAGNOSTIC / RECEIVE DIAGNOSTIC RESULTS (self-tests and diagnostic pages, SES
among them) and READ BUFFER / WRITE BUFFER (buffers, echo buffer, microcode download).

Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "ReadBuffer10",
    "ReadBuffer16",
    "ReceiveDiagnosticResults",
    "SendDiagnostic",
    "WriteBuffer",
]


@define
class SendDiagnostic(Command):
    """SEND DIAGNOSTIC (SPC-5).

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (1Dh)
    1     SELF-TEST CODE (7-5), PF (4), reserved (3), SELFTEST (2),
          DEVOFFL (1), UNITOFFL (0)
    2     reserved
    3-4   PARAMETER LIST LENGTH
    5     CONTROL
    ====  ==================================================================
    """

    OPCODE = 0x1D
    NAME = "SEND DIAGNOSTIC"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    self_test_code: int = field(byte=1, bit=7, width=3)
    pf: bool = flag(byte=1, bit=4)
    selftest: bool = flag(byte=1, bit=2)
    devoffl: bool = flag(byte=1, bit=1)
    unitoffl: bool = flag(byte=1, bit=0)
    parameter_list_length: int = field(byte=3, width=16)
    control: int = field(byte=5)


@define
class ReceiveDiagnosticResults(Command):
    """RECEIVE DIAGNOSTIC RESULTS (SPC-5).

    ====  ==========================
    byte  fields
    ====  ==========================
    0     OPERATION CODE (1Ch)
    1     reserved (7-1), PCV (0)
    2     PAGE CODE
    3-4   ALLOCATION LENGTH
    5     CONTROL
    ====  ==========================
    """

    OPCODE = 0x1C
    NAME = "RECEIVE DIAGNOSTIC RESULTS"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    pcv: bool = flag(byte=1, bit=0)
    page_code: int = field(byte=2)
    allocation_length: int = field(byte=3, width=16, default=4096)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """The diagnostic page (SPC-5 7.2, SES-4 6.1).  Pages that list elements (02h,
        05h, 07h, 0Ah) need the configuration page to name them: decode those with
        :func:`sgframe.decode.ses.decode_diagnostic_page` and the decoded page 01h."""
        from ..decode.ses import decode_diagnostic_page

        return decode_diagnostic_page(data)


@define
class ReadBuffer10(Command):
    """READ BUFFER(10) (SPC-5).

    ====  ==============================
    byte  fields
    ====  ==============================
    0     OPERATION CODE (3Ch)
    1     MODE SPECIFIC (7-5), MODE (4-0)
    2     BUFFER ID
    3-5   BUFFER OFFSET
    6-8   ALLOCATION LENGTH
    9     CONTROL
    ====  ==============================
    """

    OPCODE = 0x3C
    NAME = "READ BUFFER(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    #: MODE SPECIFIC (SPC-5): defined by the mode (sg_read_buffer --specific).
    mode_specific: int = field(byte=1, bit=7, width=3)
    mode: int = field(byte=1, bit=4, width=5)
    buffer_id: int = field(byte=2)
    buffer_offset: int = field(byte=3, width=24)
    allocation_length: int = field(byte=6, width=24)
    control: int = field(byte=9)


@define
class ReadBuffer16(Command):
    """READ BUFFER(16) (SPC-5): READ BUFFER with a 64-bit offset and a 32-bit length
    (sg_read_buffer --long).

    ====  ==============================
    byte  fields
    ====  ==============================
    0     OPERATION CODE (9Bh)
    1     MODE SPECIFIC (7-5), MODE (4-0)
    2-9   BUFFER OFFSET
    10-13 ALLOCATION LENGTH
    14    BUFFER ID
    15    CONTROL
    ====  ==============================
    """

    OPCODE = 0x9B
    NAME = "READ BUFFER(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    mode_specific: int = field(byte=1, bit=7, width=3)
    mode: int = field(byte=1, bit=4, width=5)
    buffer_offset: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32)
    buffer_id: int = field(byte=14)
    control: int = field(byte=15)


@define
class WriteBuffer(Command):
    """WRITE BUFFER (SPC-5). Counted as modifying the medium: its download-microcode
    modes replace the device's firmware.

    ====  ========================================
    byte  fields
    ====  ========================================
    0     OPERATION CODE (3Bh)
    1     MODE SPECIFIC (7-5), MODE (4-0)
    2     BUFFER ID
    3-5   BUFFER OFFSET
    6-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ========================================
    """

    OPCODE = 0x3B
    NAME = "WRITE BUFFER"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "parameter_list_length"
    mode_specific: int = field(byte=1, bit=7, width=3)
    mode: int = field(byte=1, bit=4, width=5)
    buffer_id: int = field(byte=2)
    buffer_offset: int = field(byte=3, width=24)
    parameter_list_length: int = field(byte=6, width=24)
    control: int = field(byte=9)


COMMANDS = tuple(globals()[name] for name in __all__)
