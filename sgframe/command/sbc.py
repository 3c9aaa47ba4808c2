"""SBC-4 commands that manage the medium rather than move blocks: capacity and
provisioning, cache, prefetch, format and sanitize."""
from __future__ import annotations

import enum
from typing import Any

from ..cdb import Command, Direction, define, field, flag
from ..errors import UsageError

__all__ = [
    "FormatUnit",
    "FormatWithPreset",
    "GetLbaStatus",
    "PreFetch10",
    "PreFetch16",
    "ReadCapacity10",
    "ReadCapacity16",
    "Sanitize",
    "SanitizeServiceAction",
    "SynchronizeCache10",
    "SynchronizeCache16",
    "Unmap",
]


@define
class Unmap(Command):
    """UNMAP (SBC-4). The parameter list comes from :func:`sgframe.params.unmap_parameters`.

    ====  ==========================================
    byte  fields
    ====  ==========================================
    0     OPERATION CODE (42h)
    1     reserved (7-1), ANCHOR (0)
    2-5   reserved
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ==========================================
    """

    OPCODE = 0x42
    NAME = "UNMAP"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "parameter_list_length"
    anchor: bool = flag(byte=1, bit=0)
    group_number: int = field(byte=6, bit=5, width=6)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class SynchronizeCache10(Command):
    """SYNCHRONIZE CACHE(10) (SBC-4). NUMBER OF LOGICAL BLOCKS 0 means to the end.

    ====  ==========================================================
    byte  fields
    ====  ==========================================================
    0     OPERATION CODE (35h)
    1     reserved (7-3), obsolete (2: SYNC_NV), IMMED (1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   NUMBER OF LOGICAL BLOCKS
    9     CONTROL
    ====  ==========================================================
    """

    OPCODE = 0x35
    NAME = "SYNCHRONIZE CACHE(10)"
    CDB_LENGTH = 10
    #: SYNC_NV: SBC-2's "to non-volatile cache only"; obsolete since SBC-3, its bit is
    #: still the table's obsolete bit 2 (sg_sync --sync-nv sets it).
    sync_nv: bool = flag(byte=1, bit=2)
    immed: bool = flag(byte=1, bit=1)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    number_of_logical_blocks: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class SynchronizeCache16(Command):
    """SYNCHRONIZE CACHE(16) (SBC-4).

    ====  ==========================================================
    byte  fields
    ====  ==========================================================
    0     OPERATION CODE (91h)
    1     reserved (7-3), obsolete (2: SYNC_NV), IMMED (1), reserved (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 NUMBER OF LOGICAL BLOCKS
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ==========================================================
    """

    OPCODE = 0x91
    NAME = "SYNCHRONIZE CACHE(16)"
    CDB_LENGTH = 16
    #: SYNC_NV, obsolete since SBC-3 (see SynchronizeCache10.sync_nv).
    sync_nv: bool = flag(byte=1, bit=2)
    immed: bool = flag(byte=1, bit=1)
    lba: int = field(byte=2, width=64)
    number_of_logical_blocks: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


@define
class ReadCapacity10(Command):
    """READ CAPACITY(10) (SBC-4). Returns 8 bytes. The LBA and PMI fields are
    obsolete in SBC-4 and kept for old devices.

    ====  ==================================
    byte  fields
    ====  ==================================
    0     OPERATION CODE (25h)
    1     reserved (7-1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS (obsolete)
    6-7   reserved
    8     reserved (7-1), PMI (0, obsolete)
    9     CONTROL
    ====  ==================================
    """

    OPCODE = 0x25
    NAME = "READ CAPACITY(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    lba: int = field(byte=2, width=32)
    pmi: bool = flag(byte=8, bit=0)
    control: int = field(byte=9)

    def data_length(self, block_size: int | None = None) -> int:
        return 8  # SBC-4: the parameter data is always eight bytes

    def decode_response(self, data: bytes) -> Any:
        """Returned logical block address and block length."""
        from ..decode import decode_read_capacity10

        return decode_read_capacity10(data)


@define
class ReadCapacity16(Command):
    """READ CAPACITY(16) (SBC-4): SERVICE ACTION IN(16), service action 10h.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 10h
    2-9   LOGICAL BLOCK ADDRESS (obsolete)
    10-13 ALLOCATION LENGTH
    14    reserved (7-1), PMI (0, obsolete)
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x10
    NAME = "READ CAPACITY(16)"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    lba: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32, default=32)
    pmi: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """Capacity, block length, protection and provisioning bits."""
        from ..decode import decode_read_capacity16

        return decode_read_capacity16(data)


@define
class GetLbaStatus(Command):
    """GET LBA STATUS(16) (SBC-4): SERVICE ACTION IN(16), service action 12h.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 12h
    2-9   STARTING LOGICAL BLOCK ADDRESS
    10-13 ALLOCATION LENGTH
    14    reserved (7-2), REPORT TYPE (1-0)
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x12
    NAME = "GET LBA STATUS"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    starting_lba: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32, default=4096)
    report_type: int = field(byte=14, bit=1, width=2)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The LBA status descriptors."""
        from ..decode import decode_lba_status

        return decode_lba_status(data)


@define
class PreFetch10(Command):
    """PRE-FETCH(10) (SBC-4).

    ====  ==========================================
    byte  fields
    ====  ==========================================
    0     OPERATION CODE (34h)
    1     reserved (7-2), IMMED (1), obsolete (0)
    2-5   LOGICAL BLOCK ADDRESS
    6     reserved (7-6), GROUP NUMBER (5-0)
    7-8   PREFETCH LENGTH
    9     CONTROL
    ====  ==========================================
    """

    OPCODE = 0x34
    NAME = "PRE-FETCH(10)"
    CDB_LENGTH = 10
    immed: bool = flag(byte=1, bit=1)
    lba: int = field(byte=2, width=32)
    group_number: int = field(byte=6, bit=5, width=6)
    prefetch_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class PreFetch16(Command):
    """PRE-FETCH(16) (SBC-4).

    ====  ==========================================
    byte  fields
    ====  ==========================================
    0     OPERATION CODE (90h)
    1     reserved (7-2), IMMED (1), reserved (0)
    2-9   LOGICAL BLOCK ADDRESS
    10-13 PREFETCH LENGTH
    14    reserved (7-6), GROUP NUMBER (5-0)
    15    CONTROL
    ====  ==========================================
    """

    OPCODE = 0x90
    NAME = "PRE-FETCH(16)"
    CDB_LENGTH = 16
    immed: bool = flag(byte=1, bit=1)
    lba: int = field(byte=2, width=64)
    prefetch_length: int = field(byte=10, width=32)
    group_number: int = field(byte=14, bit=5, width=6)
    control: int = field(byte=15)


@define
class FormatUnit(Command):
    """FORMAT UNIT (SBC-4).

    The CDB does not carry the parameter list length: the list's own header does. So
    :meth:`data_length` reports the header alone (4 bytes, 8 with LONGLIST) when FMTDATA
    is set. A longer list (initialization pattern descriptor, defect list) goes with the
    command :meth:`with_parameter_list` returns, whose data length is what the list's
    header says (:meth:`parameter_list_length`), as for REASSIGN BLOCKS::

        cmd = FormatUnit(fmtdata=True).with_parameter_list(header_and_pattern)
        channel.execute(cmd, data=cmd.parameter_list)

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (04h)
    1     FMTPINFO (7-6), LONGLIST (5), FMTDATA (4), CMPLST (3),
          DEFECT LIST FORMAT (2-0)
    2     vendor specific
    3     obsolete
    4     reserved (7-2), FFMT (1-0)
    5     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x04
    NAME = "FORMAT UNIT"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    fmtpinfo: int = field(byte=1, bit=7, width=2)
    longlist: bool = flag(byte=1, bit=5)
    fmtdata: bool = flag(byte=1, bit=4)
    cmplst: bool = flag(byte=1, bit=3)
    defect_list_format: int = field(byte=1, bit=2, width=3)
    vendor_specific: int = field(byte=2)
    ffmt: int = field(byte=4, bit=1, width=2)
    control: int = field(byte=5)

    def data_length(self, block_size: int | None = None) -> int:
        if not self.fmtdata:
            return 0
        return 8 if self.longlist else 4

    def parameter_list_length(self, parameter_list: bytes) -> int:
        """The bytes of a FORMAT UNIT parameter list by its own fields (SBC-4 5.3.2): the
        header (4 bytes, 8 with LONGLIST), then with IP (header byte 1 bit 3) the
        initialization pattern descriptor (4 bytes + INITIALIZATION PATTERN LENGTH), then
        DEFECT LIST LENGTH bytes of defect list (header bytes 2-3, or 4-7 with LONGLIST).

        :raises UsageError: FMTDATA is clear (no list goes with the command), the list is
            shorter than its header or descriptor, or its fields add up to another length.
        """
        data = bytes(parameter_list)
        if not self.fmtdata:
            raise UsageError(f"{self.NAME}: FMTDATA=0 sends no parameter list; set fmtdata=True")
        header = 8 if self.longlist else 4
        if len(data) < header:
            raise UsageError(f"{self.NAME}: the parameter list starts with a {header}-byte header "
                             f"(LONGLIST={int(self.longlist)}); got {len(data)} bytes")
        defects = int.from_bytes(data[4:8] if self.longlist else data[2:4], "big")
        length = header
        if data[1] & 0x08:  # IP: an initialization pattern descriptor follows the header
            if len(data) < header + 4:
                raise UsageError(f"{self.NAME}: IP is set but the list ends before the 4-byte initialization "
                                 f"pattern descriptor ({len(data)} bytes)")
            length += 4 + int.from_bytes(data[header + 2:header + 4], "big")
        length += defects
        if length != len(data):
            raise UsageError(f"{self.NAME}: the header and descriptor say {length} bytes (DEFECT LIST LENGTH "
                             f"{defects}, IP={int(bool(data[1] & 0x08))}), the list has {len(data)}")
        return length

    def with_parameter_list(self, parameter_list: bytes) -> Any:
        """This CDB with a whole parameter list (a
        :class:`~sgframe.command.media.SizedByParameterList`): its data length is the
        list's, checked against the list's fields (:meth:`parameter_list_length`)."""
        from .media import SizedByParameterList

        return SizedByParameterList(self, parameter_list)


@define
class FormatWithPreset(Command):
    """FORMAT WITH PRESET (SBC-4, added in sbc4r18): format the medium to the preset the
    FORMAT PRESETS VPD page (B8h) describes under PRESET IDENTIFIER. No parameter list.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (38h)
    1     IMMED (7), FMTMAXLBA (6), reserved (5-0)
    2-5   PRESET IDENTIFIER
    6-8   reserved
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x38
    NAME = "FORMAT WITH PRESET"
    CDB_LENGTH = 10
    MODIFIES_MEDIUM = True
    immed: bool = flag(byte=1, bit=7)
    fmtmaxlba: bool = flag(byte=1, bit=6)
    preset_identifier: int = field(byte=2, width=32)
    control: int = field(byte=9)


class SanitizeServiceAction(enum.IntEnum):
    """SANITIZE service actions (SBC-4)."""

    OVERWRITE = 0x01
    BLOCK_ERASE = 0x02
    CRYPTOGRAPHIC_ERASE = 0x03
    EXIT_FAILURE_MODE = 0x1F


@define
class Sanitize(Command):
    """SANITIZE (SBC-4). Only OVERWRITE has a parameter list.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (48h)
    1     IMMED (7), ZNR (6), AUSE (5), SERVICE ACTION (4-0)
    2-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x48
    NAME = "SANITIZE"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    LENGTH_FIELD = "parameter_list_length"
    immed: bool = flag(byte=1, bit=7)
    znr: bool = flag(byte=1, bit=6)
    ause: bool = flag(byte=1, bit=5)
    service_action: int = field(byte=1, bit=4, width=5)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


COMMANDS = tuple(globals()[name] for name in __all__ if name != "SanitizeServiceAction")
