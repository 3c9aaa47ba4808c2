"""The protocol specific mode pages of SAS (SPL-4 9.2.7): logical unit (18h), port (19h) and
its subpages phy control and discover (19h/01h), shared port control (19h/02h) and enhanced
phy control (19h/03h).

Pages 18h and 19h mean something else on other transports (Fibre Channel, SPI): a page
whose PROTOCOL IDENTIFIER is not SAS (6h) decodes as an :class:`UnknownModePage`.
"""
from __future__ import annotations

from ._layout import UnknownModePage, layout_descriptor, layout_page

__all__ = [
    "SAS_PROTOCOL_IDENTIFIER",
    "SasLogicalUnitPage",
    "SasPortPage",
    "SasPhyModeDescriptor",
    "PhyControlAndDiscoverPage",
    "SharedPortControlPage",
    "EnhancedPhyControlDescriptor",
    "EnhancedPhyControlPage",
]

SAS_PROTOCOL_IDENTIFIER = 0x6


class _SasOnly:
    """Decode only pages whose PROTOCOL IDENTIFIER (bits 3-0 of byte PROTOCOL_AT) is SAS."""

    __slots__ = ()
    PROTOCOL_AT: int

    @classmethod
    def decode(cls, raw: bytes):
        raw = bytes(raw)
        if len(raw) > cls.PROTOCOL_AT and raw[cls.PROTOCOL_AT] & 0xF != SAS_PROTOCOL_IDENTIFIER:
            return UnknownModePage.decode(raw)
        return super().decode(raw)


@layout_page
class SasLogicalUnitPage(_SasOnly):
    """Protocol Specific Logical Unit mode page for SAS, 18h (SPL-4 9.2.7.1)."""

    PAGE_CODE = 0x18
    PAGE_LENGTH = 0x06
    PROTOCOL_AT = 2
    LAYOUT = (
        ("transport_layer_retries", 2, 4, 1),
        ("protocol_identifier", 2, 0, 4, SAS_PROTOCOL_IDENTIFIER),
    )


@layout_page
class SasPortPage(_SasOnly):
    """Protocol Specific Port mode page for SAS, short format, 19h (SPL-4 9.2.7.2).  Times in
    milliseconds (I_T NEXUS LOSS TIME FFFFh: never; REJECT TO OPEN LIMIT in 10 us units)."""

    PAGE_CODE = 0x19
    PAGE_LENGTH = 0x0E
    MIN_PAGE_LENGTH = 0x06
    PROTOCOL_AT = 2
    LAYOUT = (
        ("continue_awt", 2, 6, 1), ("broadcast_asynchronous_event", 2, 5, 1),
        ("ready_led_meaning", 2, 4, 1),
        ("protocol_identifier", 2, 0, 4, SAS_PROTOCOL_IDENTIFIER),
        ("i_t_nexus_loss_time", 4, 0, 16),
        ("initiator_response_timeout", 6, 0, 16),
        ("reject_to_open_limit", 8, 0, 16),
    )


@layout_descriptor
class SasPhyModeDescriptor:
    """SAS phy mode descriptor (SPL-4 table 270), 48 bytes."""

    SIZE = 48
    LAYOUT = (
        ("phy_identifier", 1, 0, 8),
        ("attached_sas_device_type", 4, 4, 3), ("attached_reason", 4, 0, 4),
        ("reason", 5, 4, 4), ("negotiated_logical_link_rate", 5, 0, 4),
        ("attached_ssp_initiator_port", 6, 3, 1), ("attached_stp_initiator_port", 6, 2, 1),
        ("attached_smp_initiator_port", 6, 1, 1),
        ("attached_ssp_target_port", 7, 3, 1), ("attached_stp_target_port", 7, 2, 1),
        ("attached_smp_target_port", 7, 1, 1),
        ("sas_address", 8, 0, 64),
        ("attached_sas_address", 16, 0, 64),
        ("attached_phy_identifier", 24, 0, 8),
        ("programmed_minimum_physical_link_rate", 32, 4, 4), ("hardware_minimum_physical_link_rate", 32, 0, 4),
        ("programmed_maximum_physical_link_rate", 33, 4, 4), ("hardware_maximum_physical_link_rate", 33, 0, 4),
        ("vendor_specific", 42, 0, 16),
    )


@layout_page
class PhyControlAndDiscoverPage(_SasOnly):
    """Phy Control And Discover mode page, 19h/01h (SPL-4 9.2.7.3): one descriptor per phy."""

    PAGE_CODE = 0x19
    SUBPAGE_CODE = 0x01
    SPF = True
    PAGE_LENGTH = 0x04
    PROTOCOL_AT = 5
    LAYOUT = (
        ("protocol_identifier", 5, 0, 4, SAS_PROTOCOL_IDENTIFIER),
        ("generation_code", 6, 0, 8),
        ("number_of_phys", 7, 0, 8),
    )
    DESCRIPTOR = SasPhyModeDescriptor
    DESCRIPTORS_AT = 8
    COUNT_FIELD = "number_of_phys"


@layout_page
class SharedPortControlPage(_SasOnly):
    """Shared Port Control mode page, 19h/02h (SPL-4 9.2.7.4)."""

    PAGE_CODE = 0x19
    SUBPAGE_CODE = 0x02
    SPF = True
    PAGE_LENGTH = 0x0C
    PROTOCOL_AT = 5
    LAYOUT = (
        ("protocol_identifier", 5, 0, 4, SAS_PROTOCOL_IDENTIFIER),
        ("power_loss_timeout", 6, 0, 16),
        ("power_grant_timeout", 9, 0, 8),
    )


@layout_descriptor
class EnhancedPhyControlDescriptor:
    """Enhanced phy control descriptor (SPL-4 table 275), 20 bytes."""

    SIZE = 20
    LAYOUT = (
        ("phy_identifier", 1, 0, 8),
        ("descriptor_length", 2, 0, 16, 0x10),
        ("programmed_phy_capabilities", 4, 0, 32),
        ("current_phy_capabilities", 8, 0, 32),
        ("attached_phy_capabilities", 12, 0, 32),
        ("negotiated_ssc", 18, 4, 1), ("negotiated_physical_link_rate", 18, 0, 4),
        ("hardware_muxing_supported", 19, 0, 1),
    )


@layout_page
class EnhancedPhyControlPage(_SasOnly):
    """Enhanced Phy Control mode page, 19h/03h (SPL-4 9.2.7.5)."""

    PAGE_CODE = 0x19
    SUBPAGE_CODE = 0x03
    SPF = True
    PAGE_LENGTH = 0x04
    PROTOCOL_AT = 5
    LAYOUT = (
        ("protocol_identifier", 5, 0, 4, SAS_PROTOCOL_IDENTIFIER),
        ("generation_code", 6, 0, 8),
        ("number_of_phys", 7, 0, 8),
    )
    DESCRIPTOR = EnhancedPhyControlDescriptor
    DESCRIPTORS_AT = 8
    COUNT_FIELD = "number_of_phys"
