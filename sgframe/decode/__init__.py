"""Decoders for what devices send back, and the MODE SELECT parameter list encoder.

Sans-IO: every entry point takes the bytes of a data-in buffer and returns a frozen attrs
record with T10 field names.  None of them raises on device data: what could not be
decoded is listed in the record's ``problems``.  The dispatch tables (:data:`VPD_DECODERS`,
:data:`MODE_PAGE_DECODERS`, :data:`LOG_PAGE_DECODERS`, :data:`PR_IN_DECODERS`) are where
plugins register decoders for vendor pages.
"""
from __future__ import annotations

from .capacity import ReadCapacity10Data, ReadCapacity16Data, decode_read_capacity10, decode_read_capacity16
from .designators import Designator, decode_designator
from .inquiry import InquiryData, decode_inquiry
from .lba_status import LbaStatusData, LbaStatusDescriptor, decode_lba_status
from .log import (
    LOG_PAGE_DECODERS,
    ErrorCounterPage,
    InformationalExceptionsPage,
    LogPage,
    LogParameter,
    SelfTestResult,
    SelfTestResultsPage,
    StartStopCycleCounterPage,
    SupportedLogPages,
    SupportedLogPagesAndSubpages,
    TemperaturePage,
    decode_log_page,
)
from .luns import Lun, LunLevel, ReportLunsData, decode_lun, decode_report_luns, scsilun_to_int
from .mode import (
    LongLbaBlockDescriptor,
    ModeParameterHeader,
    ModeParameters,
    ShortLbaBlockDescriptor,
    decode_mode_parameters,
    encode_mode_parameters,
)
from .mode_pages import (
    MODE_PAGE_DECODERS,
    CachingPage,
    ControlExtensionPage,
    ControlPage,
    DisconnectReconnectPage,
    InformationalExceptionsControlPage,
    ModePage,
    ReadWriteErrorRecoveryPage,
    UnknownModePage,
    decode_mode_page,
)
from .opcodes import AllCommandsData, CommandDescriptor, CommandTimeoutsDescriptor, OneCommandData, decode_supported_opcodes
from .persistent_reservation import (
    PR_IN_DECODERS,
    FullStatusDescriptor,
    ReadFullStatusData,
    ReadKeysData,
    ReadReservationData,
    ReportCapabilitiesData,
    TransportId,
    decode_persistent_reserve_in,
)
from .vpd import (
    VPD_DECODERS,
    AtaInformation,
    BlockDeviceCharacteristics,
    BlockLimits,
    DeviceIdentification,
    ExtendedInquiryData,
    LogicalBlockProvisioning,
    SupportedVpdPages,
    UnitSerialNumber,
    UnknownVpdPage,
    VpdPage,
    ZonedBlockDeviceCharacteristics,
    decode_vpd,
)
from .zones import ReportZonesData, ZoneDescriptor, decode_report_zones

__all__ = [
    # entry points
    "decode_inquiry",
    "decode_vpd",
    "decode_read_capacity10",
    "decode_read_capacity16",
    "decode_report_luns",
    "decode_lun",
    "scsilun_to_int",
    "decode_supported_opcodes",
    "decode_mode_parameters",
    "decode_mode_page",
    "encode_mode_parameters",
    "decode_log_page",
    "decode_persistent_reserve_in",
    "decode_lba_status",
    "decode_report_zones",
    "decode_designator",
    # dispatch tables
    "VPD_DECODERS",
    "MODE_PAGE_DECODERS",
    "LOG_PAGE_DECODERS",
    "PR_IN_DECODERS",
    # records
    "InquiryData",
    "VpdPage",
    "UnknownVpdPage",
    "SupportedVpdPages",
    "UnitSerialNumber",
    "DeviceIdentification",
    "Designator",
    "ExtendedInquiryData",
    "AtaInformation",
    "BlockLimits",
    "BlockDeviceCharacteristics",
    "LogicalBlockProvisioning",
    "ZonedBlockDeviceCharacteristics",
    "ReadCapacity10Data",
    "ReadCapacity16Data",
    "ReportLunsData",
    "Lun",
    "LunLevel",
    "AllCommandsData",
    "OneCommandData",
    "CommandDescriptor",
    "CommandTimeoutsDescriptor",
    "ModeParameters",
    "ModeParameterHeader",
    "ShortLbaBlockDescriptor",
    "LongLbaBlockDescriptor",
    "ModePage",
    "UnknownModePage",
    "ReadWriteErrorRecoveryPage",
    "DisconnectReconnectPage",
    "CachingPage",
    "ControlPage",
    "ControlExtensionPage",
    "InformationalExceptionsControlPage",
    "LogPage",
    "LogParameter",
    "SupportedLogPages",
    "SupportedLogPagesAndSubpages",
    "ErrorCounterPage",
    "TemperaturePage",
    "StartStopCycleCounterPage",
    "SelfTestResult",
    "SelfTestResultsPage",
    "InformationalExceptionsPage",
    "ReadKeysData",
    "ReadReservationData",
    "ReportCapabilitiesData",
    "ReadFullStatusData",
    "FullStatusDescriptor",
    "TransportId",
    "LbaStatusData",
    "LbaStatusDescriptor",
    "ReportZonesData",
    "ZoneDescriptor",
]
