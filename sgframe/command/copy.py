"""SPC-5 third-party copy: EXTENDED COPY (LID1 and LID4; THIRD-PARTY COPY OUT, 83h) and
the RECEIVE COPY service actions of THIRD-PARTY COPY IN (84h) that report on it.

LID1 commands carry an 8-bit LIST IDENTIFIER, LID4 commands a 32-bit one. The parameter
lists come from :func:`sgframe.params.extended_copy_lid1_parameters` and
:func:`sgframe.params.extended_copy_lid4_parameters`.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field

__all__ = [
    "ExtendedCopyLid1",
    "ExtendedCopyLid4",
    "ReceiveCopyDataLid1",
    "ReceiveCopyDataLid4",
    "ReceiveCopyFailureDetailsLid1",
    "ReceiveCopyOperatingParameters",
    "ReceiveCopyStatusLid1",
    "ReceiveCopyStatusLid4",
    "ReceiveRodTokenInformation",
]

_XCOPY_TABLE = """

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (83h)
    1     reserved (7-5), SERVICE ACTION (4-0) = {sa:02X}h
    2-9   reserved
    10-13 PARAMETER LIST LENGTH
    14    reserved
    15    CONTROL
    ====  ==================================================
    """

_LID1_TABLE = """

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (84h)
    1     reserved (7-5), SERVICE ACTION (4-0) = {sa:02X}h
    2     LIST IDENTIFIER{note}
    3-9   reserved
    10-13 ALLOCATION LENGTH
    14    reserved
    15    CONTROL
    ====  ==================================================
    """

_LID4_TABLE = """

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (84h)
    1     reserved (7-5), SERVICE ACTION (4-0) = {sa:02X}h
    2-5   LIST IDENTIFIER
    6-9   reserved
    10-13 ALLOCATION LENGTH
    14    reserved
    15    CONTROL
    ====  ==================================================
    """


class _CopyOut(Command):
    __slots__ = ()
    OPCODE = 0x83
    CDB_LENGTH = 16
    DIRECTION = Direction.OUT
    MODIFIES_MEDIUM = True  # the copy writes the destination logical unit
    LENGTH_FIELD = "parameter_list_length"


class _CopyIn(Command):
    __slots__ = ()
    OPCODE = 0x84
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"


@define
class ExtendedCopyLid1(_CopyOut):
    __doc__ = "EXTENDED COPY(LID1) (SPC-5): THIRD-PARTY COPY OUT, service action 00h." + _XCOPY_TABLE.format(sa=0)
    SERVICE_ACTION = 0x00
    NAME = "EXTENDED COPY(LID1)"
    parameter_list_length: int = field(byte=10, width=32)
    control: int = field(byte=15)


@define
class ExtendedCopyLid4(_CopyOut):
    __doc__ = "EXTENDED COPY(LID4) (SPC-5): THIRD-PARTY COPY OUT, service action 01h." + _XCOPY_TABLE.format(sa=1)
    SERVICE_ACTION = 0x01
    NAME = "EXTENDED COPY(LID4)"
    parameter_list_length: int = field(byte=10, width=32)
    control: int = field(byte=15)


@define
class ReceiveCopyStatusLid1(_CopyIn):
    __doc__ = ("RECEIVE COPY STATUS(LID1) (SPC-5; SPC-3's RECEIVE COPY RESULTS, COPY STATUS): "
               "THIRD-PARTY COPY IN, service action 00h." + _LID1_TABLE.format(sa=0, note=""))
    SERVICE_ACTION = 0x00
    NAME = "RECEIVE COPY STATUS(LID1)"
    list_identifier: int = field(byte=2)
    allocation_length: int = field(byte=10, width=32, default=12)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """Copy manager status, segments processed, transfer count."""
        from ..decode.copy import decode_copy_status_lid1

        return decode_copy_status_lid1(data)


@define
class ReceiveCopyDataLid1(_CopyIn):
    __doc__ = ("RECEIVE COPY DATA(LID1) (SPC-5; SPC-3's RECEIVE DATA): THIRD-PARTY COPY IN, "
               "service action 01h." + _LID1_TABLE.format(sa=1, note=""))
    SERVICE_ACTION = 0x01
    NAME = "RECEIVE COPY DATA(LID1)"
    list_identifier: int = field(byte=2)
    allocation_length: int = field(byte=10, width=32, default=4096)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The data the copy manager held for the application client."""
        from ..decode.copy import decode_copy_data_lid1

        return decode_copy_data_lid1(data)


@define
class ReceiveCopyOperatingParameters(_CopyIn):
    __doc__ = ("RECEIVE COPY OPERATING PARAMETERS (SPC-5): THIRD-PARTY COPY IN, service action "
               "03h." + _LID1_TABLE.format(sa=3, note=" (reserved here)"))
    SERVICE_ACTION = 0x03
    NAME = "RECEIVE COPY OPERATING PARAMETERS"
    allocation_length: int = field(byte=10, width=32, default=1024)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The copy manager's limits and the descriptor types it implements."""
        from ..decode.copy import decode_copy_operating_parameters

        return decode_copy_operating_parameters(data)


@define
class ReceiveCopyFailureDetailsLid1(_CopyIn):
    __doc__ = ("RECEIVE COPY FAILURE DETAILS(LID1) (SPC-5; SPC-3's FAILED SEGMENT DETAILS): "
               "THIRD-PARTY COPY IN, service action 04h." + _LID1_TABLE.format(sa=4, note=""))
    SERVICE_ACTION = 0x04
    NAME = "RECEIVE COPY FAILURE DETAILS(LID1)"
    list_identifier: int = field(byte=2)
    allocation_length: int = field(byte=10, width=32, default=1024)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The failed EXTENDED COPY command's status and sense data."""
        from ..decode.copy import decode_copy_failure_details

        return decode_copy_failure_details(data)


@define
class ReceiveCopyStatusLid4(_CopyIn):
    __doc__ = ("RECEIVE COPY STATUS(LID4) (SPC-5): THIRD-PARTY COPY IN, service action 05h."
               + _LID4_TABLE.format(sa=5))
    SERVICE_ACTION = 0x05
    NAME = "RECEIVE COPY STATUS(LID4)"
    list_identifier: int = field(byte=2, width=32)
    allocation_length: int = field(byte=10, width=32, default=1024)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """Copy operation status, counters and the sense data of a failure."""
        from ..decode.copy import decode_copy_status_lid4

        return decode_copy_status_lid4(data)


@define
class ReceiveCopyDataLid4(_CopyIn):
    __doc__ = ("RECEIVE COPY DATA(LID4) (SPC-5): THIRD-PARTY COPY IN, service action 06h."
               + _LID4_TABLE.format(sa=6))
    SERVICE_ACTION = 0x06
    NAME = "RECEIVE COPY DATA(LID4)"
    list_identifier: int = field(byte=2, width=32)
    allocation_length: int = field(byte=10, width=32, default=4096)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The LID4 copy status, HDD and the data the copy manager held."""
        from ..decode.copy import decode_copy_data_lid4

        return decode_copy_data_lid4(data)


@define
class ReceiveRodTokenInformation(_CopyIn):
    __doc__ = ("RECEIVE ROD TOKEN INFORMATION (SPC-5 6.26): THIRD-PARTY COPY IN, service action 07h; "
               "the ROD tokens a copy operation (POPULATE TOKEN) made. Tokens are 512 bytes and "
               "more, so the allocation length defaults to room for one with its status."
               + _LID4_TABLE.format(sa=7))
    SERVICE_ACTION = 0x07
    NAME = "RECEIVE ROD TOKEN INFORMATION"
    list_identifier: int = field(byte=2, width=32)
    allocation_length: int = field(byte=10, width=32, default=1024)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The LID4 copy status and each ROD token with its type and length."""
        from ..decode.copy import decode_rod_token_information

        return decode_rod_token_information(data)


COMMANDS = tuple(globals()[name] for name in __all__)
