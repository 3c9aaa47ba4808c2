"""SPC-5 reports: REPORT LUNS, REPORT SUPPORTED OPERATION CODES, REPORT SUPPORTED TASK
MANAGEMENT FUNCTIONS and REPORT TARGET PORT GROUPS.

Each class docstring carries the CDB table of SPC-5: byte, then the fields with their bits.
Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "ReportLuns",
    "ReportSupportedOperationCodes",
    "ReportSupportedTaskManagementFunctions",
    "ReportTargetPortGroups",
]


@define
class ReportLuns(Command):
    """REPORT LUNS (SPC-5).

    ====  ======================
    byte  fields
    ====  ======================
    0     OPERATION CODE (A0h)
    1     reserved
    2     SELECT REPORT
    3-5   reserved
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ======================
    """

    OPCODE = 0xA0
    NAME = "REPORT LUNS"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    select_report: int = field(byte=2)
    allocation_length: int = field(byte=6, width=32, default=8192)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """The LUN list."""
        from ..decode import decode_report_luns

        return decode_report_luns(data)


@define
class ReportSupportedOperationCodes(Command):
    """REPORT SUPPORTED OPERATION CODES (SPC-5): MAINTENANCE IN, service action 0Ch.

    ====  ==========================================================
    byte  fields
    ====  ==========================================================
    0     OPERATION CODE (A3h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 0Ch
    2     RCTD (7), reserved (6-3), REPORTING OPTIONS (2-0)
    3     REQUESTED OPERATION CODE
    4-5   REQUESTED SERVICE ACTION
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ==========================================================
    """

    OPCODE = 0xA3
    SERVICE_ACTION = 0x0C
    NAME = "REPORT SUPPORTED OPERATION CODES"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    rctd: bool = flag(byte=2, bit=7)
    reporting_options: int = field(byte=2, bit=2, width=3)
    requested_operation_code: int = field(byte=3)
    requested_service_action: int = field(byte=4, width=16)
    allocation_length: int = field(byte=6, width=32, default=8192)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """All commands (reporting options 000b) or one command's descriptor."""
        from ..decode import decode_supported_opcodes

        return decode_supported_opcodes(data, self.reporting_options)


@define
class ReportSupportedTaskManagementFunctions(Command):
    """REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-5): MAINTENANCE IN, 0Dh.

    ====  ==============================================
    byte  fields
    ====  ==============================================
    0     OPERATION CODE (A3h)
    1     reserved (7-5), SERVICE ACTION (4-0) = 0Dh
    2     REPD (7), reserved (6-0)
    3-5   reserved
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ==============================================
    """

    OPCODE = 0xA3
    SERVICE_ACTION = 0x0D
    NAME = "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    repd: bool = flag(byte=2, bit=7)
    allocation_length: int = field(byte=6, width=32, default=16)
    control: int = field(byte=11)


@define
class ReportTargetPortGroups(Command):
    """REPORT TARGET PORT GROUPS (SPC-5): MAINTENANCE IN, service action 0Ah.

    ====  ============================================================
    byte  fields
    ====  ============================================================
    0     OPERATION CODE (A3h)
    1     PARAMETER DATA FORMAT (7-5), SERVICE ACTION (4-0) = 0Ah
    2-5   reserved
    6-9   ALLOCATION LENGTH
    10    reserved
    11    CONTROL
    ====  ============================================================
    """

    OPCODE = 0xA3
    SERVICE_ACTION = 0x0A
    NAME = "REPORT TARGET PORT GROUPS"
    CDB_LENGTH = 12
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    parameter_data_format: int = field(byte=1, bit=7, width=3)
    allocation_length: int = field(byte=6, width=32, default=8192)
    control: int = field(byte=11)

    def decode_response(self, data: bytes) -> Any:
        """The target port groups: ALUA state, supported states, target ports. The header
        format is read from the data (a device may answer 000b to a request for 001b)."""
        from ..decode.alua import decode_report_target_port_groups

        return decode_report_target_port_groups(data)


COMMANDS = tuple(globals()[name] for name in __all__)
