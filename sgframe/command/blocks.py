"""SBC-4 block commands beyond the common data path: VERIFY(12), WRITE AND VERIFY(12),
ORWRITE(16), WRITE ATOMIC(16), READ LONG(10/16) and WRITE LONG(10/16).

READ LONG and WRITE LONG move a BYTE TRANSFER LENGTH, not logical blocks: the device
decides how many bytes a "long" block has (data plus ECC), and a wrong length is an
ILLEGAL REQUEST with the INFORMATION field holding the difference (SBC-4 5.14).
"""
from __future__ import annotations

from ..cdb import Command, Direction, define, field, flag
from .rw import _Blocks, _verify_length

__all__ = [
    "OrWrite16",
    "ReadLong10",
    "ReadLong16",
    "Verify12",
    "WriteAndVerify12",
    "WriteAtomic16",
    "WriteLong10",
    "WriteLong16",
]


@define
class Verify12(Command):
    """VERIFY(12) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (AFh)
    1     VRPROTECT (7-5), DPO (4), reserved (3), BYTCHK (2-1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6-9   VERIFICATION LENGTH
    10    restricted for MMC-6 (7), reserved (6), GROUP NUMBER (5-0)
    11    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0xAF
    NAME = "VERIFY(12)"
    CDB_LENGTH = 12
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "verification_length"
    LENGTH_UNIT = "blocks"
    vrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    bytchk: int = field(byte=1, bit=2, width=2)
    lba: int = field(byte=2, width=32)
    verification_length: int = field(byte=6, width=32)
    group_number: int = field(byte=10, bit=5, width=6)
    control: int = field(byte=11)

    def data_length(self, block_size: int | None = None) -> int:
        return _verify_length(self, block_size)

    @property
    def needs_block_size(self) -> bool:
        return self.bytchk != 0  # BYTCHK 00b: no data-out, no block size needed


@define
class WriteAndVerify12(_Blocks, Command):
    """WRITE AND VERIFY(12) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (AEh)
    1     WRPROTECT (7-5), DPO (4), reserved (3), BYTCHK (2-1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6-9   TRANSFER LENGTH
    10    restricted for MMC-6 (7), reserved (6), GROUP NUMBER (5-0)
    11    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0xAE
    NAME = "WRITE AND VERIFY(12)"
    CDB_LENGTH = 12
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    bytchk: int = field(byte=1, bit=2, width=2)
    lba: int = field(byte=2, width=32)
    transfer_length: int = field(byte=6, width=32)
    group_number: int = field(byte=10, bit=5, width=6)
    control: int = field(byte=11)


@define
class OrWrite16(_Blocks, Command):
    """ORWRITE(16) (SBC-4): each data-out byte is ORed into the block's byte on the medium.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (8Bh)
    1     ORPROTECT (7-5), DPO (4), FUA (3), reserved (2), obsolete (1),
          reserved (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 TRANSFER LENGTH
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x8B
    NAME = "ORWRITE(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    orprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    lba: int = field(byte=2, width=64)
    transfer_length: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


@define
class WriteAtomic16(_Blocks, Command):
    """WRITE ATOMIC(16) (SBC-4). The TRANSFER LENGTH is 16 bits here; ATOMIC BOUNDARY 0
    makes the whole transfer one atomic write.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (9Ch)
    1     WRPROTECT (7-5), DPO (4), FUA (3), reserved (2-0)
    2-9   LOGICAL BLOCK ADDRESS
    10-11 ATOMIC BOUNDARY
    12-13 TRANSFER LENGTH
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x9C
    NAME = "WRITE ATOMIC(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    lba: int = field(byte=2, width=64)
    atomic_boundary: int = field(byte=10, width=16)
    transfer_length: int = field(byte=12, width=16)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


@define
class ReadLong10(Command):
    """READ LONG(10) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (3Eh)
    1     reserved (7-3), PBLOCK (2), CORRCT (1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved
    7-8   BYTE TRANSFER LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x3E
    NAME = "READ LONG(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "byte_transfer_length"
    pblock: bool = flag(byte=1, bit=2)
    corrct: bool = flag(byte=1, bit=1)
    lba: int = field(byte=2, width=32)
    byte_transfer_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class ReadLong16(Command):
    """READ LONG(16) (SBC-4): SERVICE ACTION IN(16), service action 11h.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 11h
    2-9   LOGICAL BLOCK ADDRESS
    10-11 reserved
    12-13 BYTE TRANSFER LENGTH
    14    reserved (7-2), PBLOCK (1), CORRCT (0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x11
    NAME = "READ LONG(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "byte_transfer_length"
    lba: int = field(byte=2, width=64)
    byte_transfer_length: int = field(byte=12, width=16)
    pblock: bool = flag(byte=14, bit=1)
    corrct: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)


@define
class WriteLong10(Command):
    """WRITE LONG(10) (SBC-4). With WR_UNCOR the block is marked unrecoverable and no data
    moves (BYTE TRANSFER LENGTH 0); COR_DIS disables correction of the written block.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (3Fh)
    1     COR_DIS (7), WR_UNCOR (6), PBLOCK (5), reserved (4-1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved
    7-8   BYTE TRANSFER LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x3F
    NAME = "WRITE LONG(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "byte_transfer_length"
    cor_dis: bool = flag(byte=1, bit=7)
    wr_uncor: bool = flag(byte=1, bit=6)
    pblock: bool = flag(byte=1, bit=5)
    lba: int = field(byte=2, width=32)
    byte_transfer_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class WriteLong16(Command):
    """WRITE LONG(16) (SBC-4): SERVICE ACTION OUT(16), service action 11h.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (9Fh)
    1     COR_DIS (7), WR_UNCOR (6), PBLOCK (5), SERVICE ACTION (4-0) = 11h
    2-9   LOGICAL BLOCK ADDRESS
    10-11 reserved
    12-13 BYTE TRANSFER LENGTH
    14    reserved
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x9F
    SERVICE_ACTION = 0x11
    NAME = "WRITE LONG(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "byte_transfer_length"
    cor_dis: bool = flag(byte=1, bit=7)
    wr_uncor: bool = flag(byte=1, bit=6)
    pblock: bool = flag(byte=1, bit=5)
    lba: int = field(byte=2, width=64)
    byte_transfer_length: int = field(byte=12, width=16)
    control: int = field(byte=15)


COMMANDS = tuple(globals()[name] for name in __all__)
