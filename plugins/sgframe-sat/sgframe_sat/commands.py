"""ATA PASS-THROUGH (12) and (16) (T10 SAT-5 12.2.2 and 12.2.3).

The data phase of a pass-through command is not fixed per class: PROTOCOL, T_DIR,
T_LENGTH, BYTE_BLOCK and T_TYPE say which way data moves and how much, so
``DIRECTION`` and :meth:`data_length` are computed per object from the CDB.
"""
from __future__ import annotations

import enum
from typing import Any, Optional

from sgframe.cdb import Command, Direction, define, field, flag
from sgframe.errors import UsageError

__all__ = ["AtaPassThrough12", "AtaPassThrough16", "Protocol", "TLength", "COMMANDS"]


class Protocol(enum.IntEnum):
    """The PROTOCOL field (SAT-5 table 150)."""

    HARD_RESET = 0x0
    SRST = 0x1
    NON_DATA = 0x3
    PIO_DATA_IN = 0x4
    PIO_DATA_OUT = 0x5
    DMA = 0x6
    EXECUTE_DEVICE_DIAGNOSTIC = 0x8
    DEVICE_RESET = 0x9
    UDMA_DATA_IN = 0xA
    UDMA_DATA_OUT = 0xB
    FPDMA = 0xC
    RETURN_RESPONSE_INFORMATION = 0xF


class TLength(enum.IntEnum):
    """Where the transfer length is (T_LENGTH, SAT-5 table 152)."""

    NO_DATA = 0
    FEATURES = 1
    COUNT = 2
    TPSIU = 3


# Protocols that move no data whatever T_LENGTH says.
_NO_DATA_PROTOCOLS = frozenset((Protocol.HARD_RESET, Protocol.SRST, Protocol.NON_DATA,
                                Protocol.EXECUTE_DEVICE_DIAGNOSTIC, Protocol.DEVICE_RESET,
                                Protocol.RETURN_RESPONSE_INFORMATION))
ATA_SECTOR = 512


class _PassThrough:
    """What ATA PASS-THROUGH (12) and (16) share: the data phase follows the CDB."""

    __slots__ = ()

    @property
    def DIRECTION(self) -> Direction:  # type: ignore[override]  # per object, as raw.RawCommand
        if self.protocol in _NO_DATA_PROTOCOLS or self.t_length == TLength.NO_DATA:
            return Direction.NONE
        return Direction.IN if self.t_dir else Direction.OUT

    @property
    def transfer_count(self) -> int:
        """The value of the field T_LENGTH names (0 when TPSIU or no data)."""
        if self.t_length == TLength.FEATURES:
            return self.features
        if self.t_length == TLength.COUNT:
            return self.count
        return 0

    def data_length(self, block_size: Optional[int] = None) -> int:
        """Bytes the data phase moves (SAT-5 12.2.2.3): a count of bytes, of 512-byte
        blocks, or of logical sectors (T_TYPE=1, then ``block_size`` is needed)."""
        if self.DIRECTION is Direction.NONE:
            return 0
        if self.t_length == TLength.TPSIU:
            raise UsageError(f"{self.NAME}: T_LENGTH=TPSIU has no length in the CDB; send it with RawCommand")
        count = self.transfer_count
        if not self.byte_block:
            return count
        if self.t_type:
            if block_size is None:
                raise UsageError(f"{self.NAME}: T_TYPE=1 counts logical sectors; give block_size")
            return count * block_size
        return count * ATA_SECTOR

    @property
    def needs_block_size(self) -> bool:
        return bool(self.DIRECTION is not Direction.NONE and self.byte_block and self.t_type)

    def decode_response(self, data: bytes) -> Any:
        """The data-in bytes; the ATA command decides their meaning (see :mod:`sgframe_sat.ata`)."""
        return bytes(data)


@define
class AtaPassThrough12(_PassThrough, Command):
    """ATA PASS-THROUGH (12) (SAT-5 12.2.3): a 28-bit ATA command.

    ====  ==========================================================================
    byte  fields
    ====  ==========================================================================
    0     OPERATION CODE (A1h)
    1     obsolete (7-5), PROTOCOL (4-1), reserved (0)
    2     OFF_LINE (7-6), CK_COND (5), T_TYPE (4), T_DIR (3), BYTE_BLOCK (2), T_LENGTH (1-0)
    3     FEATURES (7:0)
    4     COUNT (7:0)
    5     LBA (7:0)
    6     LBA (15:8)
    7     LBA (23:16)
    8     DEVICE
    9     COMMAND
    10    reserved
    11    CONTROL
    ====  ==========================================================================
    """

    OPCODE = 0xA1
    NAME = "ATA PASS-THROUGH(12)"
    CDB_LENGTH = 12
    protocol: int = field(byte=1, bit=4, width=4)
    off_line: int = field(byte=2, bit=7, width=2)
    ck_cond: bool = flag(byte=2, bit=5)
    t_type: bool = flag(byte=2, bit=4)
    t_dir: bool = flag(byte=2, bit=3)
    byte_block: bool = flag(byte=2, bit=2)
    t_length: int = field(byte=2, bit=1, width=2)
    features: int = field(byte=3)
    count: int = field(byte=4)
    lba_7_0: int = field(byte=5)
    lba_15_8: int = field(byte=6)
    lba_23_16: int = field(byte=7)
    device: int = field(byte=8)
    command: int = field(byte=9)
    control: int = field(byte=11)

    extend = False

    @property
    def lba(self) -> int:
        """The 28-bit LBA the three bytes (and DEVICE bits 3-0) hold."""
        return (self.device & 0x0F) << 24 | self.lba_23_16 << 16 | self.lba_15_8 << 8 | self.lba_7_0


@define
class AtaPassThrough16(_PassThrough, Command):
    """ATA PASS-THROUGH (16) (SAT-5 12.2.2): 28-bit, or 48-bit with EXTEND set.

    ====  ==========================================================================
    byte  fields
    ====  ==========================================================================
    0     OPERATION CODE (85h)
    1     obsolete (7-5), PROTOCOL (4-1), EXTEND (0)
    2     OFF_LINE (7-6), CK_COND (5), T_TYPE (4), T_DIR (3), BYTE_BLOCK (2), T_LENGTH (1-0)
    3-4   FEATURES (15:8), FEATURES (7:0)
    5-6   COUNT (15:8), COUNT (7:0)
    7     LBA (31:24)
    8     LBA (7:0)
    9     LBA (39:32)
    10    LBA (15:8)
    11    LBA (47:40)
    12    LBA (23:16)
    13    DEVICE
    14    COMMAND
    15    CONTROL
    ====  ==========================================================================
    """

    OPCODE = 0x85
    NAME = "ATA PASS-THROUGH(16)"
    CDB_LENGTH = 16
    protocol: int = field(byte=1, bit=4, width=4)
    extend: bool = flag(byte=1, bit=0)
    off_line: int = field(byte=2, bit=7, width=2)
    ck_cond: bool = flag(byte=2, bit=5)
    t_type: bool = flag(byte=2, bit=4)
    t_dir: bool = flag(byte=2, bit=3)
    byte_block: bool = flag(byte=2, bit=2)
    t_length: int = field(byte=2, bit=1, width=2)
    features: int = field(byte=3, width=16)
    count: int = field(byte=5, width=16)
    lba_31_24: int = field(byte=7)
    lba_7_0: int = field(byte=8)
    lba_39_32: int = field(byte=9)
    lba_15_8: int = field(byte=10)
    lba_47_40: int = field(byte=11)
    lba_23_16: int = field(byte=12)
    device: int = field(byte=13)
    command: int = field(byte=14)
    control: int = field(byte=15)

    @property
    def lba(self) -> int:
        """The LBA: 48 bits with EXTEND, else 28 (DEVICE bits 3-0 above LBA (23:16))."""
        low = self.lba_23_16 << 16 | self.lba_15_8 << 8 | self.lba_7_0
        if self.extend:
            return self.lba_47_40 << 40 | self.lba_39_32 << 32 | self.lba_31_24 << 24 | low
        return (self.device & 0x0F) << 24 | low


def lba_fields(lba: int, *, extend: bool) -> dict:
    """The LBA byte fields of ATA PASS-THROUGH (16) for ``lba``.

    :raises UsageError: the LBA does not fit 48 bits (EXTEND) or 24 bits.
    """
    limit = 48 if extend else 24
    if not isinstance(lba, int) or isinstance(lba, bool) or not 0 <= lba < 1 << limit:
        raise UsageError(f"lba must be an int in 0..2**{limit}-1 for EXTEND={int(extend)}, got {lba!r}")
    fields = {"lba_7_0": lba & 0xFF, "lba_15_8": lba >> 8 & 0xFF, "lba_23_16": lba >> 16 & 0xFF}
    if extend:
        fields.update(lba_31_24=lba >> 24 & 0xFF, lba_39_32=lba >> 32 & 0xFF, lba_47_40=lba >> 40 & 0xFF)
    return fields


COMMANDS = (AtaPassThrough12, AtaPassThrough16)
