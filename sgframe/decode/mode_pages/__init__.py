"""Mode pages (SPC-5 7.5, SBC-4 6.5, SPL-4 9.2.7, SAT-4 10.4): records that decode from and
encode to page bytes.  One module per standard; this package only re-exports them.

The codec (LAYOUT declarations, descriptors, page length rules) is described in
:mod:`sgframe.decode.mode_pages._layout`.
"""
from __future__ import annotations

from ._layout import (
    ModePage,
    UnknownModePage,
    Descriptor,
)
from .spc import (
    DisconnectReconnectPage,
    ControlPage,
    ControlExtensionPage,
    PowerConditionPage,
    PowerConsumptionPage,
    InformationalExceptionsControlPage,
)
from .sbc import (
    ReadWriteErrorRecoveryPage,
    FormatDevicePage,
    RigidDiskGeometryPage,
    VerifyErrorRecoveryPage,
    CachingPage,
    ApplicationTagDescriptor,
    ApplicationTagPage,
    IoAdviceHintsGroupDescriptor,
    IoAdviceHintsGroupingPage,
    BackgroundOperationControlPage,
    AtaPowerConditionPage,
    BackgroundControlPage,
    LogicalBlockProvisioningThresholdDescriptor,
    LogicalBlockProvisioningPage,
)
from .sas import (
    SAS_PROTOCOL_IDENTIFIER,
    SasLogicalUnitPage,
    SasPortPage,
    SasPhyModeDescriptor,
    PhyControlAndDiscoverPage,
    SharedPortControlPage,
    EnhancedPhyControlDescriptor,
    EnhancedPhyControlPage,
)
from .dispatch import (
    MODE_PAGE_DECODERS,
    MODE_PAGE_NAMES,
    SAS_MODE_PAGE_NAMES,
    mode_page_name,
    decode_mode_page,
)

__all__ = [
    "ModePage",
    "UnknownModePage",
    "Descriptor",
    "DisconnectReconnectPage",
    "ControlPage",
    "ControlExtensionPage",
    "PowerConditionPage",
    "PowerConsumptionPage",
    "InformationalExceptionsControlPage",
    "ReadWriteErrorRecoveryPage",
    "FormatDevicePage",
    "RigidDiskGeometryPage",
    "VerifyErrorRecoveryPage",
    "CachingPage",
    "ApplicationTagDescriptor",
    "ApplicationTagPage",
    "IoAdviceHintsGroupDescriptor",
    "IoAdviceHintsGroupingPage",
    "BackgroundOperationControlPage",
    "AtaPowerConditionPage",
    "BackgroundControlPage",
    "LogicalBlockProvisioningThresholdDescriptor",
    "LogicalBlockProvisioningPage",
    "SasLogicalUnitPage",
    "SasPortPage",
    "SasPhyModeDescriptor",
    "PhyControlAndDiscoverPage",
    "SharedPortControlPage",
    "EnhancedPhyControlDescriptor",
    "EnhancedPhyControlPage",
    "MODE_PAGE_DECODERS",
    "MODE_PAGE_NAMES",
    "SAS_MODE_PAGE_NAMES",
    "mode_page_name",
    "decode_mode_page",
]
