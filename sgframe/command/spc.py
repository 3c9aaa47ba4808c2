"""SPC-5 commands every logical unit knows: identification, sense, mode and log pages,
capability reports, diagnostics, buffers and power.

Each class docstring carries the CDB table of SPC-5 (START STOP UNIT and PREVENT ALLOW
MEDIUM REMOVAL follow SBC-4, which defines them for disks): byte, then the fields with
their bits. Undeclared bits are reserved and encode as zero.
"""
from __future__ import annotations

from typing import Any

from ..cdb import Command, Direction, define, field, flag

__all__ = [
    "Inquiry",
    "LogSelect",
    "LogSense",
    "ModeSelect10",
    "ModeSelect6",
    "ModeSense10",
    "ModeSense6",
    "PreventAllowMediumRemoval",
    "ReadBuffer10",
    "ReceiveDiagnosticResults",
    "ReportLuns",
    "ReportSupportedOperationCodes",
    "ReportSupportedTaskManagementFunctions",
    "ReportTargetPortGroups",
    "RequestSense",
    "SendDiagnostic",
    "StartStopUnit",
    "TestUnitReady",
    "WriteBuffer",
]


@define
class TestUnitReady(Command):
    """TEST UNIT READY (SPC-5).

    ====  ==================
    byte  fields
    ====  ==================
    0     OPERATION CODE (00h)
    1-4   reserved
    5     CONTROL
    ====  ==================
    """

    __test__ = False  # pytest: this is a CDB, not a test class
    OPCODE = 0x00
    NAME = "TEST UNIT READY"
    CDB_LENGTH = 6
    control: int = field(byte=5)


@define
class Inquiry(Command):
    """INQUIRY (SPC-5).

    ====  ==================================================
    byte  fields
    ====  ==================================================
    0     OPERATION CODE (12h)
    1     reserved (7-2), obsolete CMDDT (1), EVPD (0)
    2     PAGE CODE
    3-4   ALLOCATION LENGTH
    5     CONTROL
    ====  ==================================================
    """

    OPCODE = 0x12
    NAME = "INQUIRY"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    evpd: bool = flag(byte=1, bit=0)
    page_code: int = field(byte=2)
    allocation_length: int = field(byte=3, width=16, default=96)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """Standard INQUIRY data, or the VPD page asked for when ``evpd`` is set."""
        if self.evpd:
            from ..decode import decode_vpd

            return decode_vpd(data)
        from ..decode import decode_inquiry

        return decode_inquiry(data)


@define
class RequestSense(Command):
    """REQUEST SENSE (SPC-5).

    ====  ==========================
    byte  fields
    ====  ==========================
    0     OPERATION CODE (03h)
    1     reserved (7-1), DESC (0)
    2-3   reserved
    4     ALLOCATION LENGTH
    5     CONTROL
    ====  ==========================
    """

    OPCODE = 0x03
    NAME = "REQUEST SENSE"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    desc: bool = flag(byte=1, bit=0)
    allocation_length: int = field(byte=4, default=252)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """The sense data the device returned as parameter data."""
        from ..sense import decode_sense

        return decode_sense(data)


@define
class ModeSense6(Command):
    """MODE SENSE(6) (SPC-5).

    ====  =================================================
    byte  fields
    ====  =================================================
    0     OPERATION CODE (1Ah)
    1     reserved (7-4), DBD (3), reserved (2-0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4     ALLOCATION LENGTH
    5     CONTROL
    ====  =================================================
    """

    OPCODE = 0x1A
    NAME = "MODE SENSE(6)"
    CDB_LENGTH = 6
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    dbd: bool = flag(byte=1, bit=3)
    pc: int = field(byte=2, bit=7, width=2)
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    allocation_length: int = field(byte=4, default=252)
    control: int = field(byte=5)

    def decode_response(self, data: bytes) -> Any:
        """The mode parameter list: header, block descriptors, pages."""
        from ..decode import decode_mode_parameters

        return decode_mode_parameters(data, ten=False)


@define
class ModeSense10(Command):
    """MODE SENSE(10) (SPC-5).

    ====  =================================================
    byte  fields
    ====  =================================================
    0     OPERATION CODE (5Ah)
    1     reserved (7-5), LLBAA (4), DBD (3), reserved (2-0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4-6   reserved
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  =================================================
    """

    OPCODE = 0x5A
    NAME = "MODE SENSE(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    llbaa: bool = flag(byte=1, bit=4)
    dbd: bool = flag(byte=1, bit=3)
    pc: int = field(byte=2, bit=7, width=2)
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    allocation_length: int = field(byte=7, width=16, default=4096)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """The mode parameter list: header, block descriptors, pages."""
        from ..decode import decode_mode_parameters

        return decode_mode_parameters(data, ten=True)


@define
class ModeSelect6(Command):
    """MODE SELECT(6) (SPC-5).

    ====  ========================================================
    byte  fields
    ====  ========================================================
    0     OPERATION CODE (15h)
    1     reserved (7-5), PF (4), reserved (3-2), RTD (1), SP (0)
    2-3   reserved
    4     PARAMETER LIST LENGTH
    5     CONTROL
    ====  ========================================================
    """

    OPCODE = 0x15
    NAME = "MODE SELECT(6)"
    CDB_LENGTH = 6
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    pf: bool = flag(byte=1, bit=4)
    rtd: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    parameter_list_length: int = field(byte=4)
    control: int = field(byte=5)


@define
class ModeSelect10(Command):
    """MODE SELECT(10) (SPC-5).

    ====  ========================================================
    byte  fields
    ====  ========================================================
    0     OPERATION CODE (55h)
    1     reserved (7-5), PF (4), reserved (3-2), RTD (1), SP (0)
    2-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ========================================================
    """

    OPCODE = 0x55
    NAME = "MODE SELECT(10)"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    pf: bool = flag(byte=1, bit=4)
    rtd: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


@define
class LogSense(Command):
    """LOG SENSE (SPC-5).

    ====  ====================================================
    byte  fields
    ====  ====================================================
    0     OPERATION CODE (4Dh)
    1     reserved (7-2), PPC (1), SP (0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4     reserved
    5-6   PARAMETER POINTER
    7-8   ALLOCATION LENGTH
    9     CONTROL
    ====  ====================================================
    """

    OPCODE = 0x4D
    NAME = "LOG SENSE"
    CDB_LENGTH = 10
    DIRECTION = Direction.IN
    LENGTH_FIELD = "allocation_length"
    ppc: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    pc: int = field(byte=2, bit=7, width=2, default=1)  # 01b: cumulative values
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    parameter_pointer: int = field(byte=5, width=16)
    allocation_length: int = field(byte=7, width=16, default=4096)
    control: int = field(byte=9)

    def decode_response(self, data: bytes) -> Any:
        """The log page returned."""
        from ..decode import decode_log_page

        return decode_log_page(data)


@define
class LogSelect(Command):
    """LOG SELECT (SPC-5).

    ====  ==========================================
    byte  fields
    ====  ==========================================
    0     OPERATION CODE (4Ch)
    1     reserved (7-2), PCR (1), SP (0)
    2     PC (7-6), PAGE CODE (5-0)
    3     SUBPAGE CODE
    4-6   reserved
    7-8   PARAMETER LIST LENGTH
    9     CONTROL
    ====  ==========================================
    """

    OPCODE = 0x4C
    NAME = "LOG SELECT"
    CDB_LENGTH = 10
    DIRECTION = Direction.OUT
    LENGTH_FIELD = "parameter_list_length"
    pcr: bool = flag(byte=1, bit=1)
    sp: bool = flag(byte=1, bit=0)
    pc: int = field(byte=2, bit=7, width=2, default=1)
    page_code: int = field(byte=2, bit=5, width=6)
    subpage_code: int = field(byte=3)
    parameter_list_length: int = field(byte=7, width=16)
    control: int = field(byte=9)


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
    1     reserved (7-5), MODE (4-0)
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
    mode: int = field(byte=1, bit=4, width=5)
    buffer_id: int = field(byte=2)
    buffer_offset: int = field(byte=3, width=24)
    allocation_length: int = field(byte=6, width=24)
    control: int = field(byte=9)


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


@define
class StartStopUnit(Command):
    """START STOP UNIT (SBC-4).

    ====  ===================================================================
    byte  fields
    ====  ===================================================================
    0     OPERATION CODE (1Bh)
    1     reserved (7-1), IMMED (0)
    2     reserved
    3     reserved (7-4), POWER CONDITION MODIFIER (3-0)
    4     POWER CONDITION (7-4), reserved (3), NO_FLUSH (2), LOEJ (1), START (0)
    5     CONTROL
    ====  ===================================================================
    """

    OPCODE = 0x1B
    NAME = "START STOP UNIT"
    CDB_LENGTH = 6
    immed: bool = flag(byte=1, bit=0)
    power_condition_modifier: int = field(byte=3, bit=3, width=4)
    power_condition: int = field(byte=4, bit=7, width=4)
    no_flush: bool = flag(byte=4, bit=2)
    loej: bool = flag(byte=4, bit=1)
    start: bool = flag(byte=4, bit=0)
    control: int = field(byte=5)


@define
class PreventAllowMediumRemoval(Command):
    """PREVENT ALLOW MEDIUM REMOVAL (SBC-4).

    ====  ===============================
    byte  fields
    ====  ===============================
    0     OPERATION CODE (1Eh)
    1-3   reserved
    4     reserved (7-2), PREVENT (1-0)
    5     CONTROL
    ====  ===============================
    """

    OPCODE = 0x1E
    NAME = "PREVENT ALLOW MEDIUM REMOVAL"
    CDB_LENGTH = 6
    prevent: int = field(byte=4, bit=1, width=2)
    control: int = field(byte=5)


COMMANDS = tuple(globals()[name] for name in __all__)
