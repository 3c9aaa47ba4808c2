"""(page, subpage) -> decoder and name, and :func:`decode_mode_page`."""
from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import attrs

from ._layout import ModePage, UnknownModePage
from .sas import (
    SAS_PROTOCOL_IDENTIFIER,
    EnhancedPhyControlPage,
    PhyControlAndDiscoverPage,
    SasLogicalUnitPage,
    SasPortPage,
    SharedPortControlPage,
)
from .sbc import (
    ApplicationTagPage,
    AtaPowerConditionPage,
    BackgroundControlPage,
    BackgroundOperationControlPage,
    CachingPage,
    FormatDevicePage,
    IoAdviceHintsGroupingPage,
    LogicalBlockProvisioningPage,
    ReadWriteErrorRecoveryPage,
    RigidDiskGeometryPage,
    VerifyErrorRecoveryPage,
)
from .spc import (
    ControlExtensionPage,
    ControlPage,
    DisconnectReconnectPage,
    InformationalExceptionsControlPage,
    PowerConditionPage,
    PowerConsumptionPage,
)

__all__ = ["MODE_PAGE_DECODERS", "MODE_PAGE_NAMES", "SAS_MODE_PAGE_NAMES", "mode_page_name", "decode_mode_page"]

#: (page code, subpage code) -> ``decoder(page_bytes) -> ModePage``; the page bytes start
#: at the PS/SPF/page code byte.  Plugins add vendor pages here.
MODE_PAGE_DECODERS: Dict[Tuple[int, int], Callable[[bytes], ModePage]] = {
    (cls.PAGE_CODE, cls.SUBPAGE_CODE): cls.decode
    for cls in (
        ReadWriteErrorRecoveryPage,
        DisconnectReconnectPage,
        FormatDevicePage,
        RigidDiskGeometryPage,
        VerifyErrorRecoveryPage,
        CachingPage,
        ControlPage,
        ControlExtensionPage,
        ApplicationTagPage,
        IoAdviceHintsGroupingPage,
        BackgroundOperationControlPage,
        SasLogicalUnitPage,
        SasPortPage,
        PhyControlAndDiscoverPage,
        SharedPortControlPage,
        EnhancedPhyControlPage,
        PowerConditionPage,
        PowerConsumptionPage,
        AtaPowerConditionPage,
        InformationalExceptionsControlPage,
        BackgroundControlPage,
        LogicalBlockProvisioningPage,
    )
}

#: (page, subpage) -> the name sg_modes gives a disk's mode page (sg3_utils 1.46 ``sg_modes -l``).
MODE_PAGE_NAMES: Dict[Tuple[int, int], str] = {
    (0x00, 0x00): "Unit Attention condition [vendor specific format]",
    (0x01, 0x00): "Read-Write error recovery",
    (0x02, 0x00): "Disconnect-Reconnect",
    (0x03, 0x00): "Format (obsolete)",
    (0x04, 0x00): "Rigid disk geometry (obsolete)",
    (0x05, 0x00): "Flexible disk (obsolete)",
    (0x07, 0x00): "Verify error recovery",
    (0x08, 0x00): "Caching",
    (0x09, 0x00): "Peripheral device (obsolete)",
    (0x0A, 0x00): "Control",
    (0x0A, 0x01): "Control extension",
    (0x0A, 0x02): "Application tag",
    (0x0A, 0x03): "Command duration limit A",
    (0x0A, 0x04): "Command duration limit B",
    (0x0A, 0x05): "IO advice hints grouping",
    (0x0A, 0x06): "Background operation control",
    (0x0A, 0x07): "Command duration limit T2A",
    (0x0A, 0x08): "Command duration limit T2B",
    (0x0A, 0xF1): "Parallel ATA control (SAT)",
    (0x0A, 0xF2): "ATA feature control (SAT)",
    (0x0B, 0x00): "Medium types supported (obsolete)",
    (0x0C, 0x00): "Notch and partition (obsolete)",
    (0x0D, 0x00): "Power condition (obsolete, moved to 0x1a)",
    (0x10, 0x00): "XOR control",
    (0x15, 0x00): "Extended",
    (0x16, 0x00): "Extended device-type specific",
    (0x18, 0x00): "Protocol specific lu",
    (0x19, 0x00): "Protocol specific port",
    (0x1A, 0x00): "Power condition",
    (0x1A, 0x01): "Power consumption",
    (0x1A, 0xF1): "ATA Power condition",
    (0x1C, 0x00): "Informational exceptions control",
    (0x1C, 0x01): "Background control",
    (0x1C, 0x02): "Logical block provisioning",
}

#: The names sg_modes gives pages 18h and 19h when the PROTOCOL IDENTIFIER is SAS.
SAS_MODE_PAGE_NAMES: Dict[Tuple[int, int], str] = {
    (0x18, 0x00): "Protocol specific logical unit (SAS)",
    (0x19, 0x00): "Protocol specific port (SAS)",
    (0x19, 0x01): "Phy control and discover (SAS)",
    (0x19, 0x02): "Shared port control (SAS)",
    (0x19, 0x03): "Enhanced phy control (SAS)",
    (0x19, 0x04): "Out of band management control (SAS)",
}


def mode_page_name(page_code: int, subpage_code: int = 0, protocol_identifier: Optional[int] = None) -> str:
    """The name of a disk's mode page by (page, subpage); 18h/19h by transport too."""
    if protocol_identifier == SAS_PROTOCOL_IDENTIFIER and (page_code, subpage_code) in SAS_MODE_PAGE_NAMES:
        return SAS_MODE_PAGE_NAMES[(page_code, subpage_code)]
    name = MODE_PAGE_NAMES.get((page_code, subpage_code))
    if name is not None:
        return name
    if page_code == 0x00 or page_code >= 0x20:
        return "vendor specific"
    return "reserved"


def decode_mode_page(raw: bytes) -> ModePage:
    """Decode one page (header included) through :data:`MODE_PAGE_DECODERS`."""
    raw = bytes(raw)
    if not raw:
        return UnknownModePage.decode(raw)
    spf = bool(raw[0] & 0x40)
    key = (raw[0] & 0x3F, raw[1] if spf and len(raw) > 1 else 0)
    decoder = MODE_PAGE_DECODERS.get(key)
    # A page_0 page whose code has a sub_page decoder only (or the reverse) is not that page.
    if decoder is None or spf != getattr(getattr(decoder, "__self__", None), "SPF", spf):
        return UnknownModePage.decode(raw)
    try:
        return decoder(raw)
    except Exception as exc:  # noqa: BLE001 - device data must not raise
        page = UnknownModePage.decode(raw)
        return attrs.evolve(page, problems=page.problems + (f"internal error in mode page decoder: {exc!r}",))
