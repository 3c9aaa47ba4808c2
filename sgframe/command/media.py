"""SBC-4/SBC-5 commands about the state of the medium rather than its data: defect
lists, block reassignment, the media serial number, GET LBA STATUS(32), physical elements
(depopulation), streams and background operations."""
from __future__ import annotations

from typing import Any, Iterable

from ..cdb import Command, Direction, VariableLengthCommand, define, field, flag
from ..errors import UsageError

__all__ = [
    "BackgroundControl",
    "GetLbaStatus32",
    "GetPhysicalElementStatus",
    "GetStreamStatus",
    "ReadDefectData10",
    "ReadDefectData12",
    "ReadMediaSerialNumber",
    "ReassignBlocks",
    "RemoveElementAndTruncate",
    "SizedByParameterList",
    "StreamControl",
]


@define
class ReadDefectData10(Command):
    """READ DEFECT DATA(10) (SBC-4). DEFECT LIST FORMAT asks for one address descriptor
    format (see :mod:`sgframe.decode.defects`); the device may answer in another and says
    which in the header.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (37h)
    1     reserved
    2     reserved (7-5), REQ_PLIST (4), REQ_GLIST (3), DEFECT LIST FORMAT (2-0)
    3-6   reserved
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x37
    NAME = "READ DEFECT DATA(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    req_plist: bool = flag(byte=2, bit=4)
    req_glist: bool = flag(byte=2, bit=3)
    defect_list_format: int = field(byte=2, bit=2, width=3)
    allocation_length: int = field(byte=7, width=16, default=4)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """The defect list header and its address descriptors."""
        from ..decode.defects import decode_defect_data

        return decode_defect_data(data, twelve=False)


@define
class ReadDefectData12(Command):
    """READ DEFECT DATA(12) (SBC-4): a 32-bit list length and an ADDRESS DESCRIPTOR INDEX
    to read a long list in pieces.

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (B7h)
    1     reserved (7-5), REQ_PLIST (4), REQ_GLIST (3), DEFECT LIST FORMAT (2-0)
    2-5   ADDRESS DESCRIPTOR INDEX
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ===================================================================
    """

    OPCODE = 0xB7
    NAME = "READ DEFECT DATA(12)"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    req_plist: bool = flag(byte=1, bit=4)
    req_glist: bool = flag(byte=1, bit=3)
    defect_list_format: int = field(byte=1, bit=2, width=3)
    address_descriptor_index: int = field(byte=2, width=32)
    allocation_length: int = field(byte=6, width=32, default=8)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """The defect list header and its address descriptors."""
        from ..decode.defects import decode_defect_data

        return decode_defect_data(data, twelve=True)


@define
class ReassignBlocks(Command):
    """REASSIGN BLOCKS (SBC-4). The parameter list comes from
    :func:`sgframe.params.reassign_blocks_parameters`.

    The CDB does not carry the list's length: the list's own header does (DEFECT LIST
    LENGTH, bytes 2-3, or 0-3 with LONGLIST). So, as for FORMAT UNIT, :meth:`data_length`
    counts the header alone (4 bytes). A list with LBAs goes with the command
    :meth:`with_parameter_list` returns (or :meth:`for_lbas`), whose data length is the
    one the list's header gives::

        cmd = ReassignBlocks.for_lbas([0x1000, 0x2000])
        channel.execute(cmd, data=cmd.parameter_list)

    ====  ==========================================
    byte  fields
    ====  ==========================================
    0     OPERATION CODE (07h)
    1     reserved (7-2), LONGLBA (1), LONGLIST (0)
    2-4   reserved
    5     CONTROL
    ====  ==========================================
    """

    OPCODE = 0x07
    NAME = "REASSIGN BLOCKS"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True
    longlba: bool = flag(byte=1, bit=1)
    longlist: bool = flag(byte=1, bit=0)
    control: int = field(byte=5)

    def data_length(self, block_size: int | None = None) -> int:
        return 4

    def parameter_list_length(self, parameter_list: bytes) -> int:
        """The bytes of a REASSIGN BLOCKS parameter list by its header: 4 + DEFECT LIST
        LENGTH (a 32-bit field with LONGLIST, else bytes 2-3).

        :raises UsageError: the header is missing, the LBA list is not a whole number of
            4-byte LBAs (8-byte with LONGLBA), or the header's length is not the list's.
        """
        data = bytes(parameter_list)
        if len(data) < 4:
            raise UsageError(f"{self.NAME}: a parameter list starts with a 4-byte header; got {len(data)} bytes")
        length = int.from_bytes(data[0:4] if self.longlist else data[2:4], "big")
        size = 8 if self.longlba else 4
        if length % size:
            raise UsageError(f"{self.NAME}: DEFECT LIST LENGTH {length} is not a multiple of {size} "
                             f"(LONGLBA={int(self.longlba)}: {size}-byte LBAs)")
        if length + 4 != len(data):
            raise UsageError(f"{self.NAME}: the header's DEFECT LIST LENGTH says {length + 4} bytes "
                             f"(LONGLIST={int(self.longlist)}), the list has {len(data)}")
        return length + 4

    def with_parameter_list(self, parameter_list: bytes) -> "SizedByParameterList":
        """This CDB with a whole parameter list: its data length is the list's, checked
        against the list's header (:meth:`parameter_list_length`)."""
        return SizedByParameterList(self, parameter_list)

    @classmethod
    def for_lbas(cls, lbas: Iterable[int], *, longlba: bool = False, longlist: bool = False,
                 control: int = 0) -> "SizedByParameterList":
        """REASSIGN BLOCKS for these LBAs: the CDB's LONGLBA/LONGLIST bits and the list agree."""
        from ..params import reassign_blocks_parameters

        data = reassign_blocks_parameters(lbas, longlba=longlba, longlist=longlist)
        return cls(longlba=longlba, longlist=longlist, control=control).with_parameter_list(data)


class SizedByParameterList(Command):
    """A data-out command whose CDB has no PARAMETER LIST LENGTH, with its parameter list:
    the list's own header gives its length (REASSIGN BLOCKS), so the data phase is as long
    as the list.  It sends the wrapped command's CDB bytes, and is named after it; send
    ``parameter_list`` as the data.

    Not a CDB class of its own: the registry decodes the bytes as the wrapped command.
    """

    __slots__ = ("command", "parameter_list")
    command: Command
    parameter_list: bytes

    def __init__(self, command: Command, parameter_list: bytes) -> None:
        if not isinstance(command, Command) or not hasattr(command, "parameter_list_length"):
            raise UsageError(f"{type(command).__name__} does not size its data by a parameter list header")
        if not isinstance(parameter_list, (bytes, bytearray, memoryview)):
            raise UsageError(f"parameter_list is bytes, not {type(parameter_list).__name__}")
        data = bytes(parameter_list)
        command.parameter_list_length(data)  # raises on a list its header does not describe
        object.__setattr__(self, "command", command)
        object.__setattr__(self, "parameter_list", data)
        object.__setattr__(self, "_cdb", bytes(command))
        object.__setattr__(self, "_handlers", ())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: build a new one")

    @property
    def NAME(self) -> str:  # type: ignore[override]  # the wrapped command's
        return self.command.NAME

    @property
    def DIRECTION(self) -> Direction:  # type: ignore[override]
        return self.command.DIRECTION

    @property
    def MODIFIES_MEDIUM(self) -> bool:  # type: ignore[override]
        return self.command.MODIFIES_MEDIUM

    @property
    def OPCODE(self) -> int:  # type: ignore[override]
        return self.command.OPCODE

    @property
    def SERVICE_ACTION(self) -> Any:  # type: ignore[override]
        return self.command.SERVICE_ACTION

    @property
    def CDB_LENGTH(self) -> int:  # type: ignore[override]
        return self.command.CDB_LENGTH

    def data_length(self, block_size: int | None = None) -> int:
        return len(self.parameter_list)

    @property
    def needs_block_size(self) -> bool:
        return False

    def __bytes__(self) -> bytes:
        return self._cdb

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SizedByParameterList):
            return NotImplemented
        return (self.command, self.parameter_list) == (other.command, other.parameter_list)

    def __hash__(self) -> int:
        return hash((self.command, self.parameter_list))

    def __reduce__(self) -> tuple[Any, ...]:
        return (SizedByParameterList, (self.command, self.parameter_list))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.command!r}, parameter_list={len(self.parameter_list)} bytes)"


@define
class ReadMediaSerialNumber(Command):
    """READ MEDIA SERIAL NUMBER (SPC-5): SERVICE ACTION IN(12), service action 01h.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (ABh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 01h
    2-5   reserved
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ==============================================
    """

    OPCODE = 0xAB
    SERVICE_ACTION = 0x01
    NAME = "READ MEDIA SERIAL NUMBER"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    allocation_length: int = field(byte=6, width=32, default=256)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """The media serial number."""
        from ..decode.maintenance import decode_media_serial_number

        return decode_media_serial_number(data)


@define
class GetLbaStatus32(VariableLengthCommand):
    """GET LBA STATUS(32) (SBC-5): variable-length CDB, service action 0012h. Adds a
    SCAN LENGTH and an ELEMENT IDENTIFIER to the 16-byte form; the data is the same.

    ====== ==================================================================
    byte   fields
    ====== ==================================================================
    0      OPERATION CODE (7Fh)
    1      CONTROL
    2-6    reserved
    7      ADDITIONAL CDB LENGTH (18h)
    8-9    SERVICE ACTION (0012h)
    10     REPORT TYPE
    11     reserved
    12-19  STARTING LOGICAL BLOCK ADDRESS
    20-23  SCAN LENGTH
    24-27  ELEMENT IDENTIFIER
    28-31  ALLOCATION LENGTH
    ====== ==================================================================
    """

    SERVICE_ACTION = 0x0012
    NAME = "GET LBA STATUS(32)"
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    control: int = field(byte=1)
    report_type: int = field(byte=10)
    starting_lba: int = field(byte=12, width=64)
    scan_length: int = field(byte=20, width=32)
    element_identifier: int = field(byte=24, width=32)
    allocation_length: int = field(byte=28, width=32, default=4096)

    def decode_response(self, data: bytes) -> Any:
        """The LBA status descriptors."""
        from ..decode import decode_lba_status

        return decode_lba_status(data)


@define
class GetPhysicalElementStatus(Command):
    """GET PHYSICAL ELEMENT STATUS (SBC-4): SERVICE ACTION IN(16), service action 17h.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 17h
    2-5   reserved
    6-9   STARTING ELEMENT
    10-13 ALLOCATION LENGTH
    14    FILTER (7-6), reserved (5-4), REPORT TYPE (3-0)
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x17
    NAME = "GET PHYSICAL ELEMENT STATUS"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    starting_element: int = field(byte=6, width=32)
    allocation_length: int = field(byte=10, width=32, default=32 + 32 * 64)
    filter: int = field(byte=14, bit=7, width=2)
    report_type: int = field(byte=14, bit=3, width=4)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The physical element status descriptors."""
        from ..decode.elements import decode_physical_element_status

        return decode_physical_element_status(data)


@define
class RemoveElementAndTruncate(Command):
    """REMOVE ELEMENT AND TRUNCATE (SBC-4): SERVICE ACTION IN(16), service action 18h.
    Depopulates a physical element and shrinks the capacity: data past the new end is
    gone, so it counts as modifying the medium.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 18h
    2-9   REQUESTED CAPACITY
    10-13 ELEMENT IDENTIFIER
    14    reserved
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x18
    NAME = "REMOVE ELEMENT AND TRUNCATE"
    CDB_LENGTH = 16
    MODIFIES_MEDIUM = True
    requested_capacity: int = field(byte=2, width=64)
    element_identifier: int = field(byte=10, width=32)
    control: int = field(byte=15)


@define
class StreamControl(Command):
    """STREAM CONTROL (SBC-4): SERVICE ACTION IN(16), service action 14h. STR_CTL 01b
    opens a stream and returns its identifier; 10b closes STR_ID.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7), STR_CTL (6-5), SERVICE ACTION (4-0) = 14h
    2-3   reserved
    4-5   STR_ID
    6-9   reserved
    10-13 ALLOCATION LENGTH
    14    reserved
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x14
    NAME = "STREAM CONTROL"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    str_ctl: int = field(byte=1, bit=6, width=2)
    str_id: int = field(byte=4, width=16)
    allocation_length: int = field(byte=10, width=32, default=8)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The assigned stream identifier (after an open)."""
        from ..decode.streams import decode_stream_control

        return decode_stream_control(data)


@define
class GetStreamStatus(Command):
    """GET STREAM STATUS (SBC-4): SERVICE ACTION IN(16), service action 16h.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 16h
    2-3   reserved
    4-5   STARTING STREAM IDENTIFIER
    6-9   reserved
    10-13 ALLOCATION LENGTH
    14    reserved
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x16
    NAME = "GET STREAM STATUS"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    starting_stream_identifier: int = field(byte=4, width=16)
    allocation_length: int = field(byte=10, width=32, default=1024)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The open streams."""
        from ..decode.streams import decode_stream_status

        return decode_stream_status(data)


@define
class BackgroundControl(Command):
    """BACKGROUND CONTROL (SBC-4): SERVICE ACTION IN(16), service action 15h. BO_CTL 01b
    starts host-initiated advanced background operations for at most BO_TIME x 100 ms;
    10b stops them.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 15h
    2     BO_CTL (7-6), reserved (5-0)
    3     BO_TIME
    4-14  reserved
    15    CONTROL
    ====  ==============================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x15
    NAME = "BACKGROUND CONTROL"
    CDB_LENGTH = 16
    bo_ctl: int = field(byte=2, bit=7, width=2)
    bo_time: int = field(byte=3)
    control: int = field(byte=15)


# SizedByParameterList wraps a command: it is exported, not registered.
COMMANDS = tuple(globals()[name] for name in __all__ if name != "SizedByParameterList")
