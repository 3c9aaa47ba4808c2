"""Where each built-in command lives, written out so that naming one command imports one module.

``sgframe tur`` needs TEST UNIT READY, not the 90-odd other classes: building a command
class costs attrs a fraction of a millisecond, and the command line is started once per
device by shell loops. The registry (:data:`sgframe.command.REGISTRY`) is filled from these
rows and imports a module the first time one of its commands is looked up.

This is a table of facts the modules declare again; ``tests/test_command_index.py`` checks
the two agree (and prints the rows to paste when a command is added).
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

#: The command modules, in registry order (SPC first).
MODULES = ("identity", "reports", "request_sense", "spc", "pages", "diagnostics", "power", "maintenance", "security", "copy", "reservations", "rw", "blocks", "sbc", "media", "zbc")

#: (module, class name, T10 name, operation code, service action or None), in registry order.
COMMANDS: Tuple[Tuple[str, str, str, int, Optional[int]], ...] = (
    ("identity", "Inquiry", "INQUIRY", 0x12, None),
    ("reports", "ReportLuns", "REPORT LUNS", 0xA0, None),
    ("reports", "ReportSupportedOperationCodes", "REPORT SUPPORTED OPERATION CODES", 0xA3, 0x0C),
    ("reports", "ReportSupportedTaskManagementFunctions", "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", 0xA3, 0x0D),
    ("reports", "ReportTargetPortGroups", "REPORT TARGET PORT GROUPS", 0xA3, 0x0A),
    ("request_sense", "RequestSense", "REQUEST SENSE", 0x03, None),
    ("spc", "TestUnitReady", "TEST UNIT READY", 0x00, None),
    ("pages", "LogSelect", "LOG SELECT", 0x4C, None),
    ("pages", "LogSense", "LOG SENSE", 0x4D, None),
    ("pages", "ModeSelect10", "MODE SELECT(10)", 0x55, None),
    ("pages", "ModeSelect6", "MODE SELECT(6)", 0x15, None),
    ("pages", "ModeSense10", "MODE SENSE(10)", 0x5A, None),
    ("pages", "ModeSense6", "MODE SENSE(6)", 0x1A, None),
    ("diagnostics", "ReadBuffer10", "READ BUFFER(10)", 0x3C, None),
    ("diagnostics", "ReadBuffer16", "READ BUFFER(16)", 0x9B, None),
    ("diagnostics", "ReceiveDiagnosticResults", "RECEIVE DIAGNOSTIC RESULTS", 0x1C, None),
    ("diagnostics", "SendDiagnostic", "SEND DIAGNOSTIC", 0x1D, None),
    ("diagnostics", "WriteBuffer", "WRITE BUFFER", 0x3B, None),
    ("power", "PreventAllowMediumRemoval", "PREVENT ALLOW MEDIUM REMOVAL", 0x1E, None),
    ("power", "StartStopUnit", "START STOP UNIT", 0x1B, None),
    ("maintenance", "ReportIdentifyingInformation", "REPORT IDENTIFYING INFORMATION", 0xA3, 0x05),
    ("maintenance", "ReportPriority", "REPORT PRIORITY", 0xA3, 0x0E),
    ("maintenance", "ReportReferrals", "REPORT REFERRALS", 0x9E, 0x13),
    ("maintenance", "SetTargetPortGroups", "SET TARGET PORT GROUPS", 0xA4, 0x0A),
    ("security", "SecurityProtocolIn", "SECURITY PROTOCOL IN", 0xA2, None),
    ("security", "SecurityProtocolOut", "SECURITY PROTOCOL OUT", 0xB5, None),
    ("copy", "ExtendedCopyLid1", "EXTENDED COPY(LID1)", 0x83, 0x00),
    ("copy", "ExtendedCopyLid4", "EXTENDED COPY(LID4)", 0x83, 0x01),
    ("copy", "ReceiveCopyDataLid1", "RECEIVE COPY DATA(LID1)", 0x84, 0x01),
    ("copy", "ReceiveCopyDataLid4", "RECEIVE COPY DATA(LID4)", 0x84, 0x06),
    ("copy", "ReceiveCopyFailureDetailsLid1", "RECEIVE COPY FAILURE DETAILS(LID1)", 0x84, 0x04),
    ("copy", "ReceiveCopyOperatingParameters", "RECEIVE COPY OPERATING PARAMETERS", 0x84, 0x03),
    ("copy", "ReceiveCopyStatusLid1", "RECEIVE COPY STATUS(LID1)", 0x84, 0x00),
    ("copy", "ReceiveCopyStatusLid4", "RECEIVE COPY STATUS(LID4)", 0x84, 0x05),
    ("copy", "ReceiveRodTokenInformation", "RECEIVE ROD TOKEN INFORMATION", 0x84, 0x07),
    ("reservations", "PersistentReserveIn", "PERSISTENT RESERVE IN", 0x5E, None),
    ("reservations", "PersistentReserveOut", "PERSISTENT RESERVE OUT", 0x5F, None),
    ("reservations", "Reserve6", "RESERVE(6)", 0x16, None),
    ("reservations", "Release6", "RELEASE(6)", 0x17, None),
    ("reservations", "Reserve10", "RESERVE(10)", 0x56, None),
    ("reservations", "Release10", "RELEASE(10)", 0x57, None),
    ("rw", "CompareAndWrite", "COMPARE AND WRITE", 0x89, None),
    ("rw", "Read10", "READ(10)", 0x28, None),
    ("rw", "Read12", "READ(12)", 0xA8, None),
    ("rw", "Read16", "READ(16)", 0x88, None),
    ("rw", "Read32", "READ(32)", 0x7F, 0x09),
    ("rw", "Read6", "READ(6)", 0x08, None),
    ("rw", "Verify10", "VERIFY(10)", 0x2F, None),
    ("rw", "Verify16", "VERIFY(16)", 0x8F, None),
    ("rw", "Write10", "WRITE(10)", 0x2A, None),
    ("rw", "Write12", "WRITE(12)", 0xAA, None),
    ("rw", "Write16", "WRITE(16)", 0x8A, None),
    ("rw", "Write32", "WRITE(32)", 0x7F, 0x0B),
    ("rw", "Write6", "WRITE(6)", 0x0A, None),
    ("rw", "WriteAndVerify10", "WRITE AND VERIFY(10)", 0x2E, None),
    ("rw", "WriteAndVerify16", "WRITE AND VERIFY(16)", 0x8E, None),
    ("rw", "WriteSame10", "WRITE SAME(10)", 0x41, None),
    ("rw", "WriteSame16", "WRITE SAME(16)", 0x93, None),
    ("rw", "WriteSame32", "WRITE SAME(32)", 0x7F, 0x0D),
    ("blocks", "OrWrite16", "ORWRITE(16)", 0x8B, None),
    ("blocks", "ReadLong10", "READ LONG(10)", 0x3E, None),
    ("blocks", "ReadLong16", "READ LONG(16)", 0x9E, 0x11),
    ("blocks", "Verify12", "VERIFY(12)", 0xAF, None),
    ("blocks", "WriteAndVerify12", "WRITE AND VERIFY(12)", 0xAE, None),
    ("blocks", "WriteAtomic16", "WRITE ATOMIC(16)", 0x9C, None),
    ("blocks", "WriteLong10", "WRITE LONG(10)", 0x3F, None),
    ("blocks", "WriteLong16", "WRITE LONG(16)", 0x9F, 0x11),
    ("sbc", "FormatUnit", "FORMAT UNIT", 0x04, None),
    ("sbc", "FormatWithPreset", "FORMAT WITH PRESET", 0x38, None),
    ("sbc", "GetLbaStatus", "GET LBA STATUS", 0x9E, 0x12),
    ("sbc", "PreFetch10", "PRE-FETCH(10)", 0x34, None),
    ("sbc", "PreFetch16", "PRE-FETCH(16)", 0x90, None),
    ("sbc", "ReadCapacity10", "READ CAPACITY(10)", 0x25, None),
    ("sbc", "ReadCapacity16", "READ CAPACITY(16)", 0x9E, 0x10),
    ("sbc", "Sanitize", "SANITIZE", 0x48, None),
    ("sbc", "SynchronizeCache10", "SYNCHRONIZE CACHE(10)", 0x35, None),
    ("sbc", "SynchronizeCache16", "SYNCHRONIZE CACHE(16)", 0x91, None),
    ("sbc", "Unmap", "UNMAP", 0x42, None),
    ("media", "BackgroundControl", "BACKGROUND CONTROL", 0x9E, 0x15),
    ("media", "GetLbaStatus32", "GET LBA STATUS(32)", 0x7F, 0x12),
    ("media", "GetPhysicalElementStatus", "GET PHYSICAL ELEMENT STATUS", 0x9E, 0x17),
    ("media", "GetStreamStatus", "GET STREAM STATUS", 0x9E, 0x16),
    ("media", "ReadDefectData10", "READ DEFECT DATA(10)", 0x37, None),
    ("media", "ReadDefectData12", "READ DEFECT DATA(12)", 0xB7, None),
    ("media", "ReadMediaSerialNumber", "READ MEDIA SERIAL NUMBER", 0xAB, 0x01),
    ("media", "ReassignBlocks", "REASSIGN BLOCKS", 0x07, None),
    ("media", "RemoveElementAndTruncate", "REMOVE ELEMENT AND TRUNCATE", 0x9E, 0x18),
    ("media", "StreamControl", "STREAM CONTROL", 0x9E, 0x14),
    ("zbc", "ReportZones", "REPORT ZONES", 0x95, 0x00),
    ("zbc", "ResetWritePointer", "RESET WRITE POINTER", 0x94, 0x04),
    ("zbc", "OpenZone", "OPEN ZONE", 0x94, 0x03),
    ("zbc", "CloseZone", "CLOSE ZONE", 0x94, 0x01),
    ("zbc", "FinishZone", "FINISH ZONE", 0x94, 0x02),
    ("zbc", "ReportRealms", "REPORT REALMS", 0x95, 0x06),
    ("zbc", "ReportZoneDomains", "REPORT ZONE DOMAINS", 0x95, 0x07),
    ("zbc", "ZoneActivate", "ZONE ACTIVATE(16)", 0x95, 0x08),
    ("zbc", "ZoneQuery", "ZONE QUERY(16)", 0x95, 0x09),
    ("zbc", "SequentializeZone", "SEQUENTIALIZE ZONE", 0x94, 0x10),
    ("zbc", "RemoveElementAndModifyZones", "REMOVE ELEMENT AND MODIFY ZONES", 0x9E, 0x1A),
)

#: Public names of the command modules that are not commands (their enums).
OTHER_NAMES: Dict[str, str] = {
    "PrInServiceAction": "reservations",
    "PrOutServiceAction": "reservations",
    "PrType": "reservations",
    "SanitizeServiceAction": "sbc",
    "SizedByParameterList": "media",
    # SSC's FORMAT MEDIUM: exported, but not in COMMANDS or MODULES (its opcode, 04h, is
    # FORMAT UNIT's in the registry; see sgframe/command/ssc.py).
    "FormatMedium": "ssc",
}
