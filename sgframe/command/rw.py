"""SBC-4 commands that move logical blocks: READ, WRITE, VERIFY, WRITE AND VERIFY,
WRITE SAME and COMPARE AND WRITE.

``data_length(block_size)`` counts bytes on the wire, so with protection information
enabled give the block size as transferred (logical block plus 8 bytes of PI).
"""
from __future__ import annotations

from ..cdb import Command, Direction, VariableLengthCommand, define, field, flag
from ..errors import UsageError

__all__ = [
    "CompareAndWrite",
    "Read10",
    "Read12",
    "Read16",
    "Read32",
    "Read6",
    "Verify10",
    "Verify16",
    "Write10",
    "Write12",
    "Write16",
    "Write32",
    "Write6",
    "WriteAndVerify10",
    "WriteAndVerify16",
    "WriteSame10",
    "WriteSame16",
    "WriteSame32",
]


class _Blocks:
    """Mixin: the data phase is ``transfer_length`` logical blocks."""

    __slots__ = ()
    LENGTH_FIELD = "transfer_length"
    LENGTH_UNIT = "blocks"


@define
class Read6(_Blocks, Command):
    """READ(6) (SBC-4). A TRANSFER LENGTH of 0 means 256 blocks.

    ====  ====================================================
    byte  fields
    ====  ====================================================
    0     OPERATION CODE (08h)
    1     reserved (7-5), LOGICAL BLOCK ADDRESS (4-0, MSB)
    2-3   LOGICAL BLOCK ADDRESS (LSB)
    4     TRANSFER LENGTH
    5     CONTROL
    ====  ====================================================
    """

    OPCODE = 0x08
    NAME = "READ(6)"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    lba: int = field(byte=1, bit=4, width=21)
    transfer_length: int = field(byte=4)
    control: int = field(byte=5)

    def data_length(self, block_size: int | None = None) -> int:
        return _six_byte_length(self, block_size)


def _six_byte_length(cmd: Command, block_size: int | None) -> int:
    # SBC-4: in the 6-byte CDBs a TRANSFER LENGTH of zero means 256 blocks.
    if block_size is None:
        raise UsageError(f"{cmd.NAME}: the data length counts logical blocks; give block_size")
    return (cmd.transfer_length or 256) * block_size


@define
class Read10(_Blocks, Command):
    """READ(10) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (28h)
    1     RDPROTECT (7-5), DPO (4), FUA (3), RARC (2), obsolete (1), reserved (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   TRANSFER LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x28
    NAME = "READ(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    rdprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    rarc: bool = flag(byte=1, bit=2)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    transfer_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class Read12(_Blocks, Command):
    """READ(12) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (A8h)
    1     RDPROTECT (7-5), DPO (4), FUA (3), RARC (2), obsolete (1), reserved (0)
    2-5   LOGICAL BLOCK ADDRESS
    6-9   TRANSFER LENGTH
    10    restricted for MMC-6 (7), reserved (6), GROUP NUMBER (5-0)
    11    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0xA8
    NAME = "READ(12)"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    rdprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    rarc: bool = flag(byte=1, bit=2)
    lba: int = field(byte=2, width=32)
    transfer_length: int = field(byte=6, width=32)
    group_number: int = field(byte=10, bit=5, width=6)
    control: int = field(byte=11)


@define
class Read16(_Blocks, Command):
    """READ(16) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (88h)
    1     RDPROTECT (7-5), DPO (4), FUA (3), RARC (2), obsolete (1),
          DLD2 (0, SBC-5; reserved here)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 TRANSFER LENGTH
    14    DLD1 (7), DLD0 (6) (SBC-5; reserved here), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x88
    NAME = "READ(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    rdprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    rarc: bool = flag(byte=1, bit=2)
    lba: int = field(byte=2, width=64)
    transfer_length: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


@define
class Read32(_Blocks, VariableLengthCommand):
    """READ(32) (SBC-4): variable-length CDB, service action 0009h.

    ====== ==================================================================
    byte   fields
    ====== ==================================================================
    0      OPERATION CODE (7Fh)
    1      CONTROL
    2-5    reserved
    6      reserved (7-6), GROUP NUMBER (5-0)
    7      ADDITIONAL CDB LENGTH (18h)
    8-9    SERVICE ACTION (0009h)
    10     RDPROTECT (7-5), DPO (4), FUA (3), RARC (2), obsolete (1), reserved (0)
    11     reserved
    12-19  LOGICAL BLOCK ADDRESS
    20-23  EXPECTED INITIAL LOGICAL BLOCK REFERENCE TAG
    24-25  EXPECTED LOGICAL BLOCK APPLICATION TAG
    26-27  LOGICAL BLOCK APPLICATION TAG MASK
    28-31  TRANSFER LENGTH
    ====== ==================================================================
    """

    SERVICE_ACTION = 0x0009
    NAME = "READ(32)"
    DIRECTION = Direction.IN
    control: int = field(byte=1)
    group_number: int = field(byte=6, bit=5, width=6)
    rdprotect: int = field(byte=10, bit=7, width=3)
    dpo: bool = flag(byte=10, bit=4)
    fua: bool = flag(byte=10, bit=3)
    rarc: bool = flag(byte=10, bit=2)
    lba: int = field(byte=12, width=64)
    expected_initial_logical_block_reference_tag: int = field(byte=20, width=32)
    expected_logical_block_application_tag: int = field(byte=24, width=16)
    logical_block_application_tag_mask: int = field(byte=26, width=16)
    transfer_length: int = field(byte=28, width=32)


@define
class Write6(_Blocks, Command):
    """WRITE(6) (SBC-4). A TRANSFER LENGTH of 0 means 256 blocks.

    ====  ====================================================
    byte  fields
    ====  ====================================================
    0     OPERATION CODE (0Ah)
    1     reserved (7-5), LOGICAL BLOCK ADDRESS (4-0, MSB)
    2-3   LOGICAL BLOCK ADDRESS (LSB)
    4     TRANSFER LENGTH
    5     CONTROL
    ====  ====================================================
    """

    OPCODE = 0x0A
    NAME = "WRITE(6)"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    lba: int = field(byte=1, bit=4, width=21)
    transfer_length: int = field(byte=4)
    control: int = field(byte=5)

    def data_length(self, block_size: int | None = None) -> int:
        return _six_byte_length(self, block_size)


@define
class Write10(_Blocks, Command):
    """WRITE(10) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (2Ah)
    1     WRPROTECT (7-5), DPO (4), FUA (3), reserved (2), obsolete (1),
          reserved (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   TRANSFER LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x2A
    NAME = "WRITE(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    transfer_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class Write12(_Blocks, Command):
    """WRITE(12) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (AAh)
    1     WRPROTECT (7-5), DPO (4), FUA (3), reserved (2), obsolete (1),
          reserved (0)
    2-5   LOGICAL BLOCK ADDRESS
    6-9   TRANSFER LENGTH
    10    restricted for MMC-6 (7), reserved (6), GROUP NUMBER (5-0)
    11    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0xAA
    NAME = "WRITE(12)"
    CDB_LENGTH = 12
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    lba: int = field(byte=2, width=32)
    transfer_length: int = field(byte=6, width=32)
    group_number: int = field(byte=10, bit=5, width=6)
    control: int = field(byte=11)


@define
class Write16(_Blocks, Command):
    """WRITE(16) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (8Ah)
    1     WRPROTECT (7-5), DPO (4), FUA (3), reserved (2), obsolete (1),
          DLD2 (0, SBC-5; reserved here)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 TRANSFER LENGTH
    14    DLD1 (7), DLD0 (6) (SBC-5; reserved here), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x8A
    NAME = "WRITE(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    lba: int = field(byte=2, width=64)
    transfer_length: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


@define
class Write32(_Blocks, VariableLengthCommand):
    """WRITE(32) (SBC-4): variable-length CDB, service action 000Bh.

    ====== ==================================================================
    byte   fields
    ====== ==================================================================
    0      OPERATION CODE (7Fh)
    1      CONTROL
    2-5    reserved
    6      reserved (7-6), GROUP NUMBER (5-0)
    7      ADDITIONAL CDB LENGTH (18h)
    8-9    SERVICE ACTION (000Bh)
    10     WRPROTECT (7-5), DPO (4), FUA (3), reserved (2), obsolete (1),
           reserved (0)
    11     reserved
    12-19  LOGICAL BLOCK ADDRESS
    20-23  EXPECTED INITIAL LOGICAL BLOCK REFERENCE TAG
    24-25  EXPECTED LOGICAL BLOCK APPLICATION TAG
    26-27  LOGICAL BLOCK APPLICATION TAG MASK
    28-31  TRANSFER LENGTH
    ====== ==================================================================
    """

    SERVICE_ACTION = 0x000B
    NAME = "WRITE(32)"
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    control: int = field(byte=1)
    group_number: int = field(byte=6, bit=5, width=6)
    wrprotect: int = field(byte=10, bit=7, width=3)
    dpo: bool = flag(byte=10, bit=4)
    fua: bool = flag(byte=10, bit=3)
    lba: int = field(byte=12, width=64)
    expected_initial_logical_block_reference_tag: int = field(byte=20, width=32)
    expected_logical_block_application_tag: int = field(byte=24, width=16)
    logical_block_application_tag_mask: int = field(byte=26, width=16)
    transfer_length: int = field(byte=28, width=32)


def _verify_length(cmd: Command, block_size: int | None) -> int:
    # SBC-4: BYTCHK 00b compares against the medium only (no data-out),
    # 01b sends VERIFICATION LENGTH blocks, 11b sends one block compared to each.
    if cmd.bytchk == 0:
        return 0
    if cmd.bytchk == 2:
        raise UsageError(f"{cmd.NAME}: BYTCHK 10b is reserved (allowed: 0, 1, 3)")
    if block_size is None:
        raise UsageError(f"{cmd.NAME}: the data length counts logical blocks; give block_size")
    return block_size if cmd.bytchk == 3 else cmd.verification_length * block_size


@define
class Verify10(Command):
    """VERIFY(10) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (2Fh)
    1     VRPROTECT (7-5), DPO (4), reserved (3), BYTCHK (2-1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   VERIFICATION LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x2F
    NAME = "VERIFY(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "verification_length"
    LENGTH_UNIT = "blocks"
    vrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    bytchk: int = field(byte=1, bit=2, width=2)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    verification_length: int = field(byte=7, width=16)
    control: int = field(byte=9)

    def data_length(self, block_size: int | None = None) -> int:
        return _verify_length(self, block_size)

    @property
    def needs_block_size(self) -> bool:
        return self.bytchk != 0  # BYTCHK 00b: no data-out, no block size needed


@define
class Verify16(Command):
    """VERIFY(16) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (8Fh)
    1     VRPROTECT (7-5), DPO (4), reserved (3), BYTCHK (2-1), reserved (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 VERIFICATION LENGTH
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x8F
    NAME = "VERIFY(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "verification_length"
    LENGTH_UNIT = "blocks"
    vrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    bytchk: int = field(byte=1, bit=2, width=2)
    lba: int = field(byte=2, width=64)
    verification_length: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)

    def data_length(self, block_size: int | None = None) -> int:
        return _verify_length(self, block_size)

    @property
    def needs_block_size(self) -> bool:
        return self.bytchk != 0  # BYTCHK 00b: no data-out, no block size needed


@define
class WriteAndVerify10(_Blocks, Command):
    """WRITE AND VERIFY(10) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (2Eh)
    1     WRPROTECT (7-5), DPO (4), reserved (3), BYTCHK (2-1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   TRANSFER LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x2E
    NAME = "WRITE AND VERIFY(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    bytchk: int = field(byte=1, bit=2, width=2)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    transfer_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class WriteAndVerify16(_Blocks, Command):
    """WRITE AND VERIFY(16) (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (8Eh)
    1     WRPROTECT (7-5), DPO (4), reserved (3), BYTCHK (2-1), reserved (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 TRANSFER LENGTH
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x8E
    NAME = "WRITE AND VERIFY(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    bytchk: int = field(byte=1, bit=2, width=2)
    lba: int = field(byte=2, width=64)
    transfer_length: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


def _one_block(cmd: Command, block_size: int | None) -> int:
    if block_size is None:
        raise UsageError(f"{cmd.NAME}: the data-out buffer is one logical block; give block_size")
    return block_size


@define
class WriteSame10(Command):
    """WRITE SAME(10) (SBC-4). The data-out buffer is one logical block, written to
    NUMBER OF LOGICAL BLOCKS blocks (0: to the end of the medium, where allowed).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (41h)
    1     WRPROTECT (7-5), ANCHOR (4), UNMAP (3), obsolete (2: PBDATA, 1: LBDATA),
          reserved (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   NUMBER OF LOGICAL BLOCKS
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x41
    NAME = "WRITE SAME(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    anchor: bool = flag(byte=1, bit=4)
    unmap: bool = flag(byte=1, bit=3)
    #: PBDATA and LBDATA (SBC-2: put the physical or logical block address in each
    #: block written); obsolete since SBC-3 and kept as the table's obsolete bits 2 and 1
    #: for sg_write_same --pbdata/--lbdata.
    pbdata: bool = flag(byte=1, bit=2)
    lbdata: bool = flag(byte=1, bit=1)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    number_of_logical_blocks: int = field(byte=7, width=16)
    control: int = field(byte=9)

    LENGTH_UNIT = "blocks"

    def data_length(self, block_size: int | None = None) -> int:
        return _one_block(self, block_size)


@define
class WriteSame16(Command):
    """WRITE SAME(16) (SBC-4). One block of data-out, none with NDOB set.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (93h)
    1     WRPROTECT (7-5), ANCHOR (4), UNMAP (3), obsolete (2: PBDATA, 1: LBDATA), NDOB (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 NUMBER OF LOGICAL BLOCKS
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x93
    NAME = "WRITE SAME(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    wrprotect: int = field(byte=1, bit=7, width=3)
    anchor: bool = flag(byte=1, bit=4)
    unmap: bool = flag(byte=1, bit=3)
    #: PBDATA and LBDATA, obsolete (see WriteSame10).
    pbdata: bool = flag(byte=1, bit=2)
    lbdata: bool = flag(byte=1, bit=1)
    ndob: bool = flag(byte=1, bit=0)
    lba: int = field(byte=2, width=64)
    number_of_logical_blocks: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)

    LENGTH_UNIT = "blocks"

    def data_length(self, block_size: int | None = None) -> int:
        # SBC-4: NDOB (no data-out buffer) writes zeros without a data phase.
        return 0 if self.ndob else _one_block(self, block_size)

    @property
    def needs_block_size(self) -> bool:
        return not self.ndob


@define
class WriteSame32(VariableLengthCommand):
    """WRITE SAME(32) (SBC-4): variable-length CDB, service action 000Dh; WRITE SAME(16)
    with the protection information tags of the 32-byte CDBs (sg_write_same --32).

    ====== ==================================================================
    byte   fields
    ====== ==================================================================
    0      OPERATION CODE (7Fh)
    1      CONTROL
    2-5    reserved
    6      reserved (7-6), GROUP NUMBER (5-0)
    7      ADDITIONAL CDB LENGTH (18h)
    8-9    SERVICE ACTION (000Dh)
    10     WRPROTECT (7-5), ANCHOR (4), UNMAP (3), obsolete (2: PBDATA,
           1: LBDATA), NDOB (0)
    11     reserved
    12-19  LOGICAL BLOCK ADDRESS
    20-23  EXPECTED INITIAL LOGICAL BLOCK REFERENCE TAG
    24-25  EXPECTED LOGICAL BLOCK APPLICATION TAG
    26-27  LOGICAL BLOCK APPLICATION TAG MASK
    28-31  NUMBER OF LOGICAL BLOCKS
    ====== ==================================================================
    """

    SERVICE_ACTION = 0x000D
    NAME = "WRITE SAME(32)"
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    control: int = field(byte=1)
    group_number: int = field(byte=6, bit=5, width=6)
    wrprotect: int = field(byte=10, bit=7, width=3)
    anchor: bool = flag(byte=10, bit=4)
    unmap: bool = flag(byte=10, bit=3)
    #: PBDATA and LBDATA, obsolete (see WriteSame10).
    pbdata: bool = flag(byte=10, bit=2)
    lbdata: bool = flag(byte=10, bit=1)
    ndob: bool = flag(byte=10, bit=0)
    lba: int = field(byte=12, width=64)
    expected_initial_logical_block_reference_tag: int = field(byte=20, width=32)
    expected_logical_block_application_tag: int = field(byte=24, width=16)
    logical_block_application_tag_mask: int = field(byte=26, width=16)
    number_of_logical_blocks: int = field(byte=28, width=32)

    LENGTH_UNIT = "blocks"

    def data_length(self, block_size: int | None = None) -> int:
        return 0 if self.ndob else _one_block(self, block_size)

    @property
    def needs_block_size(self) -> bool:
        return not self.ndob


@define
class CompareAndWrite(Command):
    """COMPARE AND WRITE (SBC-4). The data-out buffer holds the verify data and
    then the write data: twice NUMBER OF LOGICAL BLOCKS blocks.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (89h)
    1     WRPROTECT (7-5), DPO (4), FUA (3), reserved (2), obsolete (1),
          reserved (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-12 reserved
    13    NUMBER OF LOGICAL BLOCKS
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x89
    NAME = "COMPARE AND WRITE"
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "number_of_logical_blocks"
    LENGTH_UNIT = "blocks"
    wrprotect: int = field(byte=1, bit=7, width=3)
    dpo: bool = flag(byte=1, bit=4)
    fua: bool = flag(byte=1, bit=3)
    lba: int = field(byte=2, width=64)
    number_of_logical_blocks: int = field(byte=13)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)

    def data_length(self, block_size: int | None = None) -> int:
        return 2 * super().data_length(block_size)


COMMANDS = tuple(globals()[name] for name in __all__)
