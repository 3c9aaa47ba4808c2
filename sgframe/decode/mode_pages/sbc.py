"""Mode pages of SBC-4 (6.5) and SAT-4 for direct-access devices."""
from __future__ import annotations

from ._layout import layout_descriptor, layout_page

__all__ = [
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
]


@layout_page
class ReadWriteErrorRecoveryPage:
    """Read-Write Error Recovery mode page, 01h (SBC-4 6.5.10)."""

    PAGE_CODE = 0x01
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("awre", 2, 7, 1), ("arre", 2, 6, 1), ("tb", 2, 5, 1), ("rc", 2, 4, 1),
        ("eer", 2, 3, 1), ("per", 2, 2, 1), ("dte", 2, 1, 1), ("dcr", 2, 0, 1),
        ("read_retry_count", 3, 0, 8),
        # Obsolete since SBC-2 but still filled in by devices (scsi_debug sends F0h in
        # byte 4); kept so that MODE SENSE data goes back unchanged in MODE SELECT.
        ("correction_span", 4, 0, 8), ("head_offset_count", 5, 0, 8),
        ("data_strobe_offset_count", 6, 0, 8),
        ("lbpere", 7, 7, 1), ("mwr", 7, 5, 2),
        ("write_retry_count", 8, 0, 8),
        ("recovery_time_limit", 10, 0, 16),
    )


@layout_page
class FormatDevicePage:
    """Format Device mode page, 03h (SBC-2 6.3.4; obsolete since SBC-3, still sent by disks
    and scsi_debug, so decoded and sent back whole)."""

    PAGE_CODE = 0x03
    PAGE_LENGTH = 0x16
    LAYOUT = (
        ("tracks_per_zone", 2, 0, 16),
        ("alternate_sectors_per_zone", 4, 0, 16),
        ("alternate_tracks_per_zone", 6, 0, 16),
        ("alternate_tracks_per_logical_unit", 8, 0, 16),
        ("sectors_per_track", 10, 0, 16),
        ("data_bytes_per_physical_sector", 12, 0, 16),
        ("interleave", 14, 0, 16),
        ("track_skew_factor", 16, 0, 16),
        ("cylinder_skew_factor", 18, 0, 16),
        ("ssec", 20, 7, 1), ("hsec", 20, 6, 1), ("rmb", 20, 5, 1), ("surf", 20, 4, 1),
    )


@layout_page
class RigidDiskGeometryPage:
    """Rigid Disk Geometry mode page, 04h (SBC-2 6.3.7; obsolete since SBC-3)."""

    PAGE_CODE = 0x04
    PAGE_LENGTH = 0x16
    LAYOUT = (
        ("number_of_cylinders", 2, 0, 24),
        ("number_of_heads", 5, 0, 8),
        ("starting_cylinder_write_precompensation", 6, 0, 24),
        ("starting_cylinder_reduced_write_current", 9, 0, 24),
        ("drive_step_rate", 12, 0, 16),
        ("landing_zone_cylinder", 14, 0, 24),
        ("rpl", 17, 0, 2),
        ("rotational_offset", 18, 0, 8),
        ("medium_rotation_rate", 20, 0, 16),
    )


@layout_page
class VerifyErrorRecoveryPage:
    """Verify Error Recovery mode page, 07h (SBC-4 6.5.12)."""

    PAGE_CODE = 0x07
    PAGE_LENGTH = 0x0A
    LAYOUT = (
        ("eer", 2, 3, 1), ("per", 2, 2, 1), ("dte", 2, 1, 1), ("dcr", 2, 0, 1),
        ("verify_retry_count", 3, 0, 8),
        # Obsolete (correction span), kept for the same reason as in page 01h.
        ("correction_span", 4, 0, 8),
        ("verify_recovery_time_limit", 10, 0, 16),
    )


@layout_page
class CachingPage:
    """Caching mode page, 08h (SBC-4 6.5.5).  ``vendor_specific`` is byte 12 bits 4-3."""

    PAGE_CODE = 0x08
    PAGE_LENGTH = 0x12
    LAYOUT = (
        ("ic", 2, 7, 1), ("abpf", 2, 6, 1), ("cap", 2, 5, 1), ("disc", 2, 4, 1),
        ("size", 2, 3, 1), ("wce", 2, 2, 1), ("mf", 2, 1, 1), ("rcd", 2, 0, 1),
        ("demand_read_retention_priority", 3, 4, 4), ("write_retention_priority", 3, 0, 4),
        ("disable_pre_fetch_transfer_length", 4, 0, 16),
        ("minimum_pre_fetch", 6, 0, 16),
        ("maximum_pre_fetch", 8, 0, 16),
        ("maximum_pre_fetch_ceiling", 10, 0, 16),
        ("fsw", 12, 7, 1), ("lbcss", 12, 6, 1), ("dra", 12, 5, 1), ("vendor_specific", 12, 3, 2),
        ("sync_prog", 12, 1, 2), ("nv_dis", 12, 0, 1),
        ("number_of_cache_segments", 13, 0, 8),
        ("cache_segment_size", 14, 0, 16),
    )


@layout_descriptor
class ApplicationTagDescriptor:
    """Application tag descriptor (SBC-4 table 172): the tag for a range of LBAs."""

    SIZE = 24
    LAYOUT = (
        ("last", 0, 7, 1),
        ("logical_block_application_tag", 6, 0, 16),
        ("logical_block_address", 8, 0, 64),
        ("logical_block_count", 16, 0, 64),
    )


@layout_page
class ApplicationTagPage:
    """Application Tag mode page, 0Ah/02h (SBC-4 6.5.3)."""

    PAGE_CODE = 0x0A
    SUBPAGE_CODE = 0x02
    SPF = True
    PAGE_LENGTH = 0x0C
    LAYOUT = ()
    DESCRIPTOR = ApplicationTagDescriptor
    DESCRIPTORS_AT = 16


@layout_descriptor
class IoAdviceHintsGroupDescriptor:
    """IO advice hints group descriptor (SBC-4 table 178); the logical block markup
    descriptor (bytes 4-15) is kept as one number."""

    SIZE = 16
    LAYOUT = (
        ("io_advice_hints_mode", 0, 6, 2), ("cs_enble", 0, 1, 1), ("ic_enable", 0, 0, 1),
        ("logical_block_markup_descriptor", 4, 0, 96),
    )


@layout_page
class IoAdviceHintsGroupingPage:
    """IO Advice Hints Grouping mode page, 0Ah/05h (SBC-4 6.5.7): 64 group descriptors."""

    PAGE_CODE = 0x0A
    SUBPAGE_CODE = 0x05
    SPF = True
    PAGE_LENGTH = 0x0C
    LAYOUT = ()
    DESCRIPTOR = IoAdviceHintsGroupDescriptor
    DESCRIPTORS_AT = 16


@layout_page
class BackgroundOperationControlPage:
    """Background Operation Control mode page, 0Ah/06h (SBC-4 6.5.4)."""

    PAGE_CODE = 0x0A
    SUBPAGE_CODE = 0x06
    SPF = True
    PAGE_LENGTH = 0x1C
    LAYOUT = (("bo_mode", 4, 6, 2),)


@layout_page
class AtaPowerConditionPage:
    """ATA Power Condition mode page, 1Ah/F1h (SAT-4 10.4.3): the ATA APM level."""

    PAGE_CODE = 0x1A
    SUBPAGE_CODE = 0xF1
    SPF = True
    PAGE_LENGTH = 0x0C
    LAYOUT = (("apmp", 4, 0, 1), ("apm_value", 5, 0, 8))


@layout_page
class BackgroundControlPage:
    """Background Control mode page, 1Ch/01h (SBC-4 6.5.4): background medium scan and pre-scan."""

    PAGE_CODE = 0x1C
    SUBPAGE_CODE = 0x01
    SPF = True
    PAGE_LENGTH = 0x0C
    LAYOUT = (
        ("s_l_full", 4, 2, 1), ("lowir", 4, 1, 1), ("en_bms", 4, 0, 1),
        ("en_ps", 5, 0, 1),
        ("background_medium_scan_interval_time", 6, 0, 16),
        ("background_pre_scan_time_limit", 8, 0, 16),
        ("minimum_idle_time_before_background_scan", 10, 0, 16),
        ("maximum_time_to_suspend_background_scan", 12, 0, 16),
    )


@layout_descriptor
class LogicalBlockProvisioningThresholdDescriptor:
    """Threshold descriptor (SBC-4 table 185)."""

    SIZE = 8
    LAYOUT = (
        ("enabled", 0, 7, 1), ("threshold_type", 0, 3, 3), ("threshold_arming", 0, 0, 3),
        ("threshold_resource", 1, 0, 8),
        ("threshold_count", 4, 0, 32),
    )


@layout_page
class LogicalBlockProvisioningPage:
    """Logical Block Provisioning mode page, 1Ch/02h (SBC-4 6.5.9)."""

    PAGE_CODE = 0x1C
    SUBPAGE_CODE = 0x02
    SPF = True
    PAGE_LENGTH = 0x0C
    LAYOUT = (("situa", 4, 0, 1),)
    DESCRIPTOR = LogicalBlockProvisioningThresholdDescriptor
    DESCRIPTORS_AT = 16
