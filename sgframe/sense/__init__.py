"""Sense data: decoding (fixed and descriptor formats), ASC/ASCQ text, sense keys, and
building sense bytes for emulators and tests."""
from __future__ import annotations

from .asc import asc_lookup, asc_text
from .build import build_descriptor_sense, build_fixed_sense
from .decode import Sense, decode_sense
from .descriptors import (
    AnotherProgressIndicationDescriptor, AtaStatusReturnDescriptor, BlockCommandsDescriptor,
    CommandSpecificDescriptor, DeviceDesignationDescriptor, DirectAccessBlockDeviceDescriptor,
    FieldReplaceableUnitDescriptor, ForwardedSenseDataDescriptor, InformationDescriptor,
    MicrocodeActivationDescriptor, OsdAttribute, OsdAttributeIdentificationDescriptor,
    OsdObjectIdentificationDescriptor, OsdResponseIntegrityCheckValueDescriptor,
    SenseKeySpecificDescriptor, StreamCommandsDescriptor, TargetPortGroup, TruncatedDescriptor,
    UnknownDescriptor, UserDataSegmentReferral, UserDataSegmentReferralDescriptor,
    VendorSpecificDescriptor,
)
from .keys import SenseKey
from .sks import (
    ActualRetryCount, FieldPointer, ProgressIndication, SegmentPointer, SenseKeySpecificRaw,
    UnitAttentionQueueOverflow,
)

__all__ = [
    "Sense", "decode_sense", "SenseKey", "asc_text", "asc_lookup",
    "build_fixed_sense", "build_descriptor_sense",
    "FieldPointer", "ActualRetryCount", "ProgressIndication", "SegmentPointer",
    "UnitAttentionQueueOverflow", "SenseKeySpecificRaw",
    "InformationDescriptor", "CommandSpecificDescriptor", "SenseKeySpecificDescriptor",
    "FieldReplaceableUnitDescriptor", "StreamCommandsDescriptor", "BlockCommandsDescriptor",
    "OsdObjectIdentificationDescriptor", "OsdResponseIntegrityCheckValueDescriptor",
    "OsdAttribute", "OsdAttributeIdentificationDescriptor", "AtaStatusReturnDescriptor",
    "AnotherProgressIndicationDescriptor", "TargetPortGroup", "UserDataSegmentReferral",
    "UserDataSegmentReferralDescriptor", "ForwardedSenseDataDescriptor",
    "DirectAccessBlockDeviceDescriptor", "DeviceDesignationDescriptor",
    "MicrocodeActivationDescriptor", "VendorSpecificDescriptor", "UnknownDescriptor",
    "TruncatedDescriptor",
]
