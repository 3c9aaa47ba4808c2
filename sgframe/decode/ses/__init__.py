"""SCSI Enclosure Services (SES-4): diagnostic pages, element types, the control pages.

:func:`decode_diagnostic_page` decodes what RECEIVE DIAGNOSTIC RESULTS returns; the
builders in :mod:`.control` make what SEND DIAGNOSTIC sends; :func:`join` puts one
element's status, descriptor text and additional status side by side (sg_ses --join)
and :func:`slot_of_sas_address` finds the slot a disk sits in.
"""
from __future__ import annotations

from .control import (
    build_array_control,
    build_download_microcode_control,
    build_enclosure_control,
    build_string_out,
    build_subenclosure_nickname_control,
    build_subenclosure_string_out,
    build_threshold_out,
)
from .elements import (
    CONNECTOR_TYPES,
    ELEMENT_STATUS_CODES,
    ELEMENT_TYPES,
    SES1_ARRAY_DEVICE,
    ControlField,
    ElementType,
    StatusField,
    array_element_type,
    decode_array_status_element,
    decode_status_element,
    element_type,
    element_type_name,
)
from .join import JoinedElement, join, slot_of_sas_address
from .pages import (
    DIAGNOSTIC_PAGE_DECODERS,
    DIAGNOSTIC_PAGE_NAMES,
    AdditionalElementStatusDescriptor,
    AdditionalElementStatusPage,
    ArrayStatusPage,
    ConfigurationPage,
    DownloadMicrocodeStatusPage,
    ElementDescriptorPage,
    EnclosureBusyPage,
    EnclosureDescriptor,
    EnclosureStatusPage,
    ExpanderPhyDescriptor,
    FcPortDescriptor,
    HelpTextPage,
    PortPhyDescriptor,
    ProtocolSpecificPage,
    SasPhyDescriptor,
    ShortEnclosureStatusPage,
    StringInPage,
    SubenclosureNicknameStatusPage,
    SubenclosureTextPage,
    SupportedDiagnosticPages,
    ThresholdDescriptor,
    ThresholdInPage,
    TypeDescriptorHeader,
    TypeStatus,
    UnknownDiagnosticPage,
    decode_diagnostic_page,
    element_positions,
)

__all__ = [
    "decode_diagnostic_page", "decode_status_element", "decode_array_status_element", "SES1_ARRAY_DEVICE",
    "element_type", "element_type_name", "element_positions", "array_element_type",
    "build_enclosure_control", "build_array_control", "build_string_out", "build_threshold_out",
    "build_subenclosure_string_out",
    "build_subenclosure_nickname_control", "build_download_microcode_control", "join", "slot_of_sas_address",
    "DIAGNOSTIC_PAGE_DECODERS", "DIAGNOSTIC_PAGE_NAMES", "ELEMENT_TYPES", "ELEMENT_STATUS_CODES", "CONNECTOR_TYPES",
    "ElementType", "StatusField", "ControlField", "JoinedElement",
    "SupportedDiagnosticPages", "ConfigurationPage", "EnclosureDescriptor", "TypeDescriptorHeader",
    "EnclosureStatusPage", "TypeStatus", "HelpTextPage", "StringInPage", "ThresholdInPage", "ThresholdDescriptor",
    "ArrayStatusPage", "ElementDescriptorPage", "ShortEnclosureStatusPage", "EnclosureBusyPage",
    "AdditionalElementStatusPage",
    "AdditionalElementStatusDescriptor", "SasPhyDescriptor", "ExpanderPhyDescriptor", "PortPhyDescriptor",
    "FcPortDescriptor", "SubenclosureTextPage", "DownloadMicrocodeStatusPage", "SubenclosureNicknameStatusPage",
    "ProtocolSpecificPage", "UnknownDiagnosticPage",
]
