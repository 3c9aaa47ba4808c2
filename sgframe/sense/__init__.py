"""Sense data: decoding (fixed and descriptor formats), ASC/ASCQ text, sense keys, and
building sense bytes for emulators and tests.

Each name imports its module on first use: a command that completes with GOOD never pays
for the ~30 descriptor and sense-key-specific record classes.
"""
from __future__ import annotations

from .._lazy import attach

_MODULES = {
    ".decode": ("Sense", "decode_sense"),
    ".keys": ("SenseKey",),
    ".asc": ("asc_text", "asc_lookup"),
    ".build": ("build_fixed_sense", "build_descriptor_sense"),
    ".sks": (
        "FieldPointer", "ActualRetryCount", "ProgressIndication", "SegmentPointer",
        "UnitAttentionQueueOverflow", "SenseKeySpecificRaw",
    ),
    ".descriptors": (
        "InformationDescriptor", "CommandSpecificDescriptor", "SenseKeySpecificDescriptor",
        "FieldReplaceableUnitDescriptor", "StreamCommandsDescriptor", "BlockCommandsDescriptor",
        "OsdObjectIdentificationDescriptor", "OsdResponseIntegrityCheckValueDescriptor",
        "OsdAttribute", "OsdAttributeIdentificationDescriptor", "AtaStatusReturnDescriptor",
        "AnotherProgressIndicationDescriptor", "TargetPortGroup", "UserDataSegmentReferral",
        "UserDataSegmentReferralDescriptor", "ForwardedSenseDataDescriptor",
        "DirectAccessBlockDeviceDescriptor", "DeviceDesignationDescriptor",
        "MicrocodeActivationDescriptor", "VendorSpecificDescriptor", "UnknownDescriptor",
        "TruncatedDescriptor",
    ),
}
__getattr__, __dir__ = attach(__name__, {name: (module, name) for module, names in _MODULES.items() for name in names})

__all__ = [name for names in _MODULES.values() for name in names]
