"""Reservations: PERSISTENT RESERVE IN/OUT (SPC-5) and the SPC-2 RESERVE/RELEASE pair.

The caller picks the service action of the persistent reservation commands, so it is a
field here; the enums name the values SPC-5 defines.
"""
from __future__ import annotations

import enum
from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "PersistentReserveIn",
    "PersistentReserveOut",
    "PrInServiceAction",
    "PrOutServiceAction",
    "PrType",
    "Release10",
    "Release6",
    "Reserve10",
    "Reserve6",
]


class PrInServiceAction(enum.IntEnum):
    """PERSISTENT RESERVE IN service actions (SPC-5)."""

    READ_KEYS = 0x00
    READ_RESERVATION = 0x01
    REPORT_CAPABILITIES = 0x02
    READ_FULL_STATUS = 0x03


class PrOutServiceAction(enum.IntEnum):
    """PERSISTENT RESERVE OUT service actions (SPC-5)."""

    REGISTER = 0x00
    RESERVE = 0x01
    RELEASE = 0x02
    CLEAR = 0x03
    PREEMPT = 0x04
    PREEMPT_AND_ABORT = 0x05
    REGISTER_AND_IGNORE_EXISTING_KEY = 0x06
    REGISTER_AND_MOVE = 0x07
    REPLACE_LOST_RESERVATION = 0x08


class PrType(enum.IntEnum):
    """Persistent reservation types (SPC-5)."""

    WRITE_EXCLUSIVE = 0x1
    EXCLUSIVE_ACCESS = 0x3
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 0x5
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 0x6
    WRITE_EXCLUSIVE_ALL_REGISTRANTS = 0x7
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 0x8


@define
class PersistentReserveIn(Command):
    """PERSISTENT RESERVE IN (SPC-5).

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (5Eh)
    1     reserved (7-5), SERVICE ACTION (4-0)
    2-6   reserved
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  ==============================================
    """

    OPCODE = 0x5E
    NAME = "PERSISTENT RESERVE IN"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    service_action: int = field(byte=1, bit=4, width=5)
    allocation_length: int = field(byte=7, width=16, default=8192)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """Keys, reservation, capabilities or full status, by the service action sent."""
        from ..decode import decode_persistent_reserve_in

        return decode_persistent_reserve_in(data, self.service_action)


@define
class PersistentReserveOut(Command):
    """PERSISTENT RESERVE OUT (SPC-5). The parameter list comes from
    :func:`sgframe.params.pr_out_parameters` (or ``pr_out_register_and_move``).

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (5Fh)
    1     reserved (7-5), SERVICE ACTION (4-0)
    2     SCOPE (7-4), TYPE (3-0)
    3-4   reserved
    5-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ==============================================
    """

    OPCODE = 0x5F
    NAME = "PERSISTENT RESERVE OUT"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    service_action: int = field(byte=1, bit=4, width=5)
    scope: int = field(byte=2, bit=7, width=4)
    type: int = field(byte=2, bit=3, width=4)
    parameter_list_length: int = field(byte=5, width=32, default=24)
    control: int = field(byte=9)


@define
class Reserve6(Command):
    """RESERVE(6) (SPC-2; obsolete since SPC-3). The third-party and extent bits
    are obsolete and left reserved here.

    ====  ======================
    byte  fields
    ====  ======================
    0     OPERATION CODE (16h)
    1-4   reserved / obsolete
    5     CONTROL
    ====  ======================
    """

    OPCODE = 0x16
    NAME = "RESERVE(6)"
    CDB_LENGTH = 6
    control: int = field(byte=5)


@define
class Release6(Command):
    """RELEASE(6) (SPC-2; obsolete since SPC-3).

    ====  ======================
    byte  fields
    ====  ======================
    0     OPERATION CODE (17h)
    1-4   reserved / obsolete
    5     CONTROL
    ====  ======================
    """

    OPCODE = 0x17
    NAME = "RELEASE(6)"
    CDB_LENGTH = 6
    control: int = field(byte=5)


@define
class Reserve10(Command):
    """RESERVE(10) (SPC-2; obsolete since SPC-3).

    ====  ===============================================================
    byte  fields
    ====  ===============================================================
    0     OPERATION CODE (56h)
    1     reserved (7-5), 3RDPTY (4), reserved (3-2), LONGID (1),
          obsolete (0)
    2     obsolete
    3     THIRD-PARTY DEVICE ID
    4-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ===============================================================
    """

    OPCODE = 0x56
    NAME = "RESERVE(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    third_pty: bool = flag(byte=1, bit=4)
    longid: bool = flag(byte=1, bit=1)
    third_party_device_id: int = field(byte=3)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class Release10(Command):
    """RELEASE(10) (SPC-2; obsolete since SPC-3). Same layout as RESERVE(10).

    ====  ===============================================================
    byte  fields
    ====  ===============================================================
    0     OPERATION CODE (57h)
    1     reserved (7-5), 3RDPTY (4), reserved (3-2), LONGID (1),
          obsolete (0)
    2     obsolete
    3     THIRD-PARTY DEVICE ID
    4-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ===============================================================
    """

    OPCODE = 0x57
    NAME = "RELEASE(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    third_pty: bool = flag(byte=1, bit=4)
    longid: bool = flag(byte=1, bit=1)
    third_party_device_id: int = field(byte=3)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


COMMANDS = (
    PersistentReserveIn,
    PersistentReserveOut,
    Reserve6,
    Release6,
    Reserve10,
    Release10,
)
