"""SPC-5 MAINTENANCE IN/OUT commands about access paths and identification (REPORT
IDENTIFYING INFORMATION, REPORT PRIORITY, SET TARGET PORT GROUPS) and SBC-4 REPORT
REFERRALS, which says which target port groups serve which LBA ranges."""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "ReportIdentifyingInformation",
    "ReportPriority",
    "ReportReferrals",
    "SetTargetPortGroups",
]


@define
class ReportIdentifyingInformation(Command):
    """REPORT IDENTIFYING INFORMATION (SPC-5): MAINTENANCE IN, service action 05h.
    IDENTIFYING INFORMATION TYPE 00h is the peripheral device identifying information,
    7Fh the list of supported types.

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (A3h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 05h
    2-5   reserved
    6-9   ALLOCATION LENGTH
    10    IDENTIFYING INFORMATION TYPE (7-1), reserved (0)
    11    CONTROL
    ====  ==================================================================
    """

    OPCODE = 0xA3
    SERVICE_ACTION = 0x05
    NAME = "REPORT IDENTIFYING INFORMATION"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    allocation_length: int = field(byte=6, width=32, default=256)
    identifying_information_type: int = field(byte=10, bit=7, width=7)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """The identifying information, or the supported types for type 7Fh."""
        from ..decode.maintenance import decode_identifying_information

        return decode_identifying_information(data, supported_list=self.identifying_information_type == 0x7F)


@define
class ReportPriority(Command):
    """REPORT PRIORITY (SPC-5): MAINTENANCE IN, service action 0Eh.

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (A3h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 0Eh
    2     PRIORITY REPORTED (7-6), reserved (5-0)
    3-5   reserved
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ==================================================================
    """

    OPCODE = 0xA3
    SERVICE_ACTION = 0x0E
    NAME = "REPORT PRIORITY"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    priority_reported: int = field(byte=2, bit=7, width=2)
    allocation_length: int = field(byte=6, width=32, default=4096)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """The priority descriptors, one per I_T nexus."""
        from ..decode.maintenance import decode_report_priority

        return decode_report_priority(data)


@define
class SetTargetPortGroups(Command):
    """SET TARGET PORT GROUPS (SPC-5): MAINTENANCE OUT, service action 0Ah. The parameter
    list comes from :func:`sgframe.params.set_target_port_groups_parameters`.

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (A4h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 0Ah
    2-5   reserved
    6-9   PARAMETER LIST LENGTH
    10    reserved
    11    CONTROL
    ====  ==================================================================
    """

    OPCODE = 0xA4
    SERVICE_ACTION = 0x0A
    NAME = "SET TARGET PORT GROUPS"
    CDB_LENGTH = 12
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    parameter_list_length: int = field(byte=6, width=32)
    control: int = field(byte=11)


@define
class ReportReferrals(Command):
    """REPORT REFERRALS (SBC-4): SERVICE ACTION IN(16), service action 13h.

    ====  ==================================================================
    byte  fields
    ====  ==================================================================
    0     OPERATION CODE (9Eh)
    1     reserved (7-5), SERVICE ACTION (4-0) = 13h
    2-9   LOGICAL BLOCK ADDRESS
    10-13 ALLOCATION LENGTH
    14    reserved (7-1), ONE_SEG (0)
    15    CONTROL
    ====  ==================================================================
    """

    OPCODE = 0x9E
    SERVICE_ACTION = 0x13
    NAME = "REPORT REFERRALS"
    CDB_LENGTH = 16
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    lba: int = field(byte=2, width=64)
    allocation_length: int = field(byte=10, width=32, default=4096)
    one_seg: bool = flag(byte=14, bit=0)
    control: int = field(byte=15)

    def decode_response(self, data: bytes) -> Any:
        """The user data segment referral descriptors."""
        from ..decode.alua import decode_report_referrals

        return decode_report_referrals(data)


COMMANDS = tuple(globals()[name] for name in __all__)
