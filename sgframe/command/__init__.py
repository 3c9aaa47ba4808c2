"""The SPC/SBC/ZBC commands as CDB classes, and the default command registry.

``REGISTRY`` holds every built-in command; ``decode_cdb(raw)`` finds the class for raw CDB
bytes by opcode and service action and decodes them.
"""
from __future__ import annotations

from ..registry import CommandRegistry
from . import blocks, copy, maintenance, media, reservations, rw, sbc, security, spc, zbc
from .blocks import (
    OrWrite16, ReadLong10, ReadLong16, Verify12, WriteAndVerify12, WriteAtomic16, WriteLong10, WriteLong16,
)
from .copy import (
    ExtendedCopyLid1, ExtendedCopyLid4, ReceiveCopyDataLid1, ReceiveCopyDataLid4, ReceiveCopyFailureDetailsLid1,
    ReceiveCopyOperatingParameters, ReceiveCopyStatusLid1, ReceiveCopyStatusLid4, ReceiveRodTokenInformation,
)
from .maintenance import ReportIdentifyingInformation, ReportPriority, ReportReferrals, SetTargetPortGroups
from .media import (
    BackgroundControl, GetLbaStatus32, GetPhysicalElementStatus, GetStreamStatus, ReadDefectData10,
    ReadDefectData12, ReadMediaSerialNumber, ReassignBlocks, RemoveElementAndTruncate, SizedByParameterList,
    StreamControl,
)
from .reservations import (
    PersistentReserveIn, PersistentReserveOut, PrInServiceAction, PrOutServiceAction, PrType,
    Release6, Release10, Reserve6, Reserve10,
)
from .rw import (
    CompareAndWrite, Read6, Read10, Read12, Read16, Read32, Verify10, Verify16, Write6, Write10,
    Write12, Write16, Write32, WriteAndVerify10, WriteAndVerify16, WriteSame10, WriteSame16,
)
from .sbc import (
    FormatUnit, GetLbaStatus, PreFetch10, PreFetch16, ReadCapacity10, ReadCapacity16, Sanitize,
    SanitizeServiceAction, SynchronizeCache10, SynchronizeCache16, Unmap,
)
from .spc import (
    Inquiry, LogSelect, LogSense, ModeSelect6, ModeSelect10, ModeSense6, ModeSense10,
    PreventAllowMediumRemoval, ReadBuffer10, ReceiveDiagnosticResults, ReportLuns,
    ReportSupportedOperationCodes, ReportSupportedTaskManagementFunctions,
    ReportTargetPortGroups, RequestSense, SendDiagnostic, StartStopUnit, TestUnitReady,
    WriteBuffer,
)
from .security import SecurityProtocolIn, SecurityProtocolOut
from .zbc import (
    CloseZone, FinishZone, OpenZone, ReportRealms, ReportZoneDomains, ReportZones, ResetWritePointer, ZoneActivate,
    ZoneQuery,
)

#: Every built-in command class, SPC first, in the order the modules declare them.
BUILTIN_COMMANDS = (
    spc.COMMANDS + maintenance.COMMANDS + security.COMMANDS + copy.COMMANDS + reservations.COMMANDS
    + rw.COMMANDS + blocks.COMMANDS + sbc.COMMANDS + media.COMMANDS + zbc.COMMANDS
)

#: The standard registry: BUILTIN_COMMANDS, there as soon as this package is imported
#: (no plugin need load for decode_cdb or channel.cmd to know them). The built-in plugin
#: (sgframe.builtin) hands the same classes to sgframe_register_commands, where adding
#: a class again does nothing; other plugins get registries of their own (sgframe.plugins).
REGISTRY = CommandRegistry()
for _cls in BUILTIN_COMMANDS:
    REGISTRY.add(_cls)
del _cls

decode_cdb = REGISTRY.decode_cdb

__all__ = [
    "BUILTIN_COMMANDS", "REGISTRY", "decode_cdb",
    *spc.__all__, *maintenance.__all__, *security.__all__, *copy.__all__, *reservations.__all__, *rw.__all__,
    *blocks.__all__, *sbc.__all__, *media.__all__, *zbc.__all__,
]
